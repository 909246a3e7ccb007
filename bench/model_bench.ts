/**
 * Benchmark: the device model's default configuration (`deno task check`: 753,487 distinct
 * states, 2,158,464 transitions, coverage counted) explored with one worker and with two, each
 * run a process of its own, rounds interleaved. Prints each run as a JSON line on stdout (wall
 * and CPU time, distinct states and transitions per second, peak memory, bytes per queued state)
 * and a summary with ranges and speed-ups on stderr.
 *
 * Usage: `deno task bench:model [workers=1,2] [reps=1] [ref=REV] [head=REV] [compare=encoded,live]
 * [param=key=value]...`; `compare=MODES` adds one-worker runs with those frontier modes;
 * `head=REV` measures that revision instead of the working tree; `ref=REV` also measures
 * revision REV (exported with `git archive` into a temporary directory),
 * side by side.
 *
 * @module
 */

import { checkout, type Job, measureJob, ROOT, runInterleaved, summarize } from "./_ab.ts";

const args: Record<string, string> = {};
const params: string[] = [];
for (const a of Deno.args) {
  const eq = a.indexOf("=");
  if (a.startsWith("param=")) params.push(a.slice(6));
  else args[eq < 0 ? a : a.slice(0, eq)] = eq < 0 ? "true" : a.slice(eq + 1);
}
const workers = String(args.workers ?? "1,2").split(",").map(Number);
const reps = Number(args.reps ?? 1);
const spec = { registry: "specs" as const, name: "leasing", params, coverage: true };
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
console.error(`bench: device model (leasing${params.map((p) => ` ${p}`).join("")}), exhaustive`);
const runs = await runInterleaved(jobs, reps);
console.error(summarize(runs));
