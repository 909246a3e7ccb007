/**
 * Benchmark: LockOrder N=5 K=10 explored exhaustively with invariants, the deadlock check and
 * the lock-order check on (5,432,832 distinct states, 8,052,480 transitions), with one worker
 * (the in-thread engine) and with two Web Workers, beside the hand-written single-purpose
 * JavaScript search of `lock_order_baseline.ts`. Every run is a process of its own; rounds are
 * interleaved. Prints each run as a JSON line on stdout (wall and CPU time, distinct states and
 * transitions per second, peak memory, bytes per queued state) and a summary with ranges and
 * speed-ups on stderr.
 *
 * Usage: `deno task bench [n=5] [k=10] [workers=1,2] [reps=1] [ref=REV] [head=REV] [baseline=true] [spin=true]
 * [compare=encoded,live]`; `compare=MODES` adds one-worker runs with those frontier modes;
 * `spin=true` adds Spin on `lock_order.pml` (when spin and gcc are installed);
 * `head=REV` measures that revision instead of the working tree; `ref=REV` also measures
 * revision REV (exported with `git archive` into a temporary directory),
 * side by side.
 *
 * @module
 */

import {
  checkout,
  type Job,
  measureJob,
  parseArgs,
  ROOT,
  runInterleaved,
  summarize,
  v8Flags,
} from "./_ab.ts";

const args = parseArgs(Deno.args);
const n = Number(args.n ?? 5);
const k = Number(args.k ?? 10);
const workers = String(args.workers ?? "1,2").split(",").map(Number);
const reps = Number(args.reps ?? 1);
const spec = {
  registry: "examples" as const,
  name: "lock-order",
  params: [`n=${n}`, `k=${k}`],
};
// head=REV measures that revision instead of the working tree (which may then change meanwhile).
const sides: { side: string; dir: string }[] = [];
if (args.head !== undefined) {
  const { dir, sha } = await checkout(args.head);
  sides.push({ side: `${args.head}@${sha.slice(0, 8)}`, dir });
} else {
  sides.push({ side: "worktree", dir: ROOT });
}
if (args.ref !== undefined) {
  const { dir, sha } = await checkout(args.ref);
  sides.push({ side: `${args.ref}@${sha.slice(0, 8)}`, dir });
}
const jobs: Job[] = [];
for (const w of workers) {
  for (const s of sides) jobs.push(measureJob(s.side, s.dir, w, spec));
  if (args.compare !== undefined && w === 1) {
    for (const mode of args.compare.split(",")) {
      jobs.push(
        measureJob(`${sides[0].side} (${mode} frontier)`, sides[0].dir, w, spec, [
          `frontier=${mode}`,
        ]),
      );
    }
  }
}
if (args.baseline !== "false") {
  jobs.push({
    side: "js-baseline",
    workers: 1,
    cmd: [
      Deno.execPath(),
      "run",
      v8Flags(),
      `${ROOT}/bench/lock_order_baseline.ts`,
      `n=${n}`,
      `k=${k}`,
    ],
  });
}
if (args.spin === "true") {
  jobs.push({
    side: "spin",
    workers: 1,
    cmd: [
      Deno.execPath(),
      "run",
      "--allow-run",
      "--allow-read",
      "--allow-write=/tmp",
      `${ROOT}/bench/lock_order_spin.ts`,
      `n=${n}`,
      `k=${k}`,
    ],
  });
}
console.error(`bench: LockOrder(N=${n}, K=${k}), exhaustive, invariants + deadlock + lock order`);
const runs = await runInterleaved(jobs, reps);
console.error(summarize(runs));
