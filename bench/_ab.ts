/**
 * The benchmark driver shared by `deno task bench` and `deno task bench:model`: runs each
 * measurement in a fresh process, optionally side by side with another revision of the project
 * (`ref=REV`: that revision is exported with `git archive` into a temporary directory and the
 * same measurement runs there), interleaved run by run so that the load of a shared machine hits
 * both sides alike, and prints every run as a JSON line on stdout and a summary with ranges on
 * stderr.
 *
 * @module
 */

import { systemMemoryBytes } from "../checker/memory.ts";

/** One measured run, as `_measure.ts` (or another job) prints it. */
export interface Run {
  /** Which side: `worktree`, a revision, or a reference engine. */
  readonly rev: string;
  /** Workers. */
  readonly workers: number;
  /** Distinct states. */
  readonly distinct: number;
  /** Transitions. */
  readonly transitions: number;
  /** Wall time in seconds. */
  readonly wallSeconds: number;
  /** CPU time of the process (every thread) in seconds. */
  readonly cpuSeconds?: number;
  /** Distinct states per second. */
  readonly distinctPerSecond: number;
  /** Transitions per second. */
  readonly transitionsPerSecond?: number;
  /** Peak resident memory in MB. */
  readonly peakRssMB?: number;
  /** Bytes per queued state (encoded frontier), or null. */
  readonly bytesPerQueuedState?: number | null;
  /** Anything else the job printed. */
  readonly [key: string]: unknown;
}

/** A command to run for one measurement. */
export interface Job {
  /** Label of the side (for grouping). */
  readonly side: string;
  /** Workers (for grouping). */
  readonly workers: number;
  /** Program and arguments. */
  readonly cmd: readonly string[];
  /** Working directory. */
  readonly cwd?: string;
}

/** Parses `key=value` arguments. */
export function parseArgs(args: readonly string[]): Record<string, string> {
  return Object.fromEntries(args.map((a) => {
    const eq = a.indexOf("=");
    return eq < 0 ? [a, "true"] : [a.slice(0, eq), a.slice(eq + 1)];
  }));
}

/** The project root (this file is in `bench/`). */
export const ROOT: string = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

async function run(cmd: readonly string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `Cannot run ${cmd.join(" ")}: exit ${out.code}\n${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

/**
 * Exports revision `ref` of the repository into a temporary directory (reused when present) and
 * copies the measuring script into it. Returns the directory and the full commit id.
 */
export async function checkout(ref: string): Promise<{ dir: string; sha: string }> {
  const sha = (await run(["git", "-C", ROOT, "rev-parse", "--verify", `${ref}^{commit}`])).trim();
  const dir = `/tmp/leasecheck-bench-${sha.slice(0, 12)}`;
  try {
    await Deno.stat(`${dir}/deno.json`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const tmp = `${dir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.mkdir(tmp, { recursive: true });
    const tar = `${tmp}.tar`;
    await run(["git", "-C", ROOT, "archive", "--format=tar", "-o", tar, sha]);
    await run(["tar", "-xf", tar, "-C", tmp]);
    await Deno.remove(tar);
    await Deno.rename(tmp, dir);
  }
  await Deno.copyFile(`${ROOT}/bench/_measure.ts`, `${dir}/bench/_measure.ts`);
  return { dir, sha };
}

/** V8 flags for every measured process: the tasks' young generation, a heap sized from RAM. */
export function v8Flags(): string {
  const total = systemMemoryBytes();
  const heapMB = total === undefined ? 4096 : Math.floor((total / 2 ** 20) * 0.75);
  return `--v8-flags=--max-semi-space-size=64,--max-old-space-size=${heapMB}`;
}

/** The `_measure.ts` command for the checkout at `dir`. */
export function measureJob(
  side: string,
  dir: string,
  workers: number,
  spec: {
    registry: "specs" | "examples";
    name: string;
    params: readonly string[];
    coverage?: boolean;
  },
  extra: readonly string[] = [],
): Job {
  return {
    side,
    workers,
    cwd: dir,
    cmd: [
      Deno.execPath(),
      "run",
      "-A",
      `--config=${dir}/deno.json`,
      v8Flags(),
      `${dir}/bench/_measure.ts`,
      `root=${dir}`,
      `registry=${spec.registry}`,
      `spec=${spec.name}`,
      `workers=${workers}`,
      `coverage=${spec.coverage === true}`,
      `rev=${side}`,
      ...extra,
      ...spec.params.map((p) => `param=${p.replace("=", ":")}`),
    ],
  };
}

/** Runs the jobs `reps` times, interleaved (every job once per round), and returns the runs. */
export async function runInterleaved(jobs: readonly Job[], reps: number): Promise<Run[]> {
  const runs: Run[] = [];
  for (let r = 0; r < reps; r++) {
    for (const job of jobs) {
      console.error(`bench: round ${r + 1}/${reps}: ${job.side}, ${job.workers} worker(s)`);
      const text = await run(job.cmd, job.cwd);
      const line = text.trim().split("\n").at(-1)!;
      if (line === "") continue; // the job had nothing to measure (e.g. Spin not installed)
      const parsed = JSON.parse(line) as Run;
      const run1: Run = { ...parsed, rev: job.side, workers: job.workers, round: r + 1 };
      console.log(JSON.stringify(run1));
      runs.push(run1);
    }
  }
  return runs;
}

function range(values: readonly number[], digits = 2): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const f = (n: number): string =>
    n >= 1000 ? Math.round(n).toLocaleString("en-US") : n.toFixed(digits);
  return lo === hi ? f(lo) : `${f(lo)}–${f(hi)}`;
}

/** Prints a summary of the runs, grouped by side and workers, with min–max ranges. */
export function summarize(runs: readonly Run[]): string {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.rev}\u0000${r.workers}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines = [
    "| side | workers | runs | distinct | wall s | cpu s | distinct/s | transitions/s | peak RSS MB | B/queued state |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const list of groups.values()) {
    const r0 = list[0];
    const nums = (f: (r: Run) => number | null | undefined): number[] =>
      list.map(f).filter((x): x is number => typeof x === "number");
    const opt = (xs: number[], d = 2): string => (xs.length ? range(xs, d) : "—");
    lines.push(
      `| ${r0.rev} | ${r0.workers} | ${list.length} | ${r0.distinct.toLocaleString("en-US")} | ${
        range(nums((r) => r.wallSeconds))
      } | ${opt(nums((r) => r.cpuSeconds))} | ${range(nums((r) => r.distinctPerSecond))} | ${
        opt(nums((r) => r.transitionsPerSecond))
      } | ${opt(nums((r) => r.peakRssMB), 0)} | ${opt(nums((r) => r.bytesPerQueuedState), 1)} |`,
    );
  }
  // Speed-ups within a round (same load): workers N over 1 per side, and side over side.
  const byRound = new Map<number, Run[]>();
  for (const r of runs) {
    const round = r.round as number;
    byRound.set(round, [...(byRound.get(round) ?? []), r]);
  }
  const sides = [...new Set(runs.map((r) => r.rev))];
  const workerCounts = [...new Set(runs.map((r) => r.workers))].sort((a, b) => a - b);
  const ratio = (f: (round: Run[]) => number | undefined): string => {
    const xs = [...byRound.values()].map(f).filter((x): x is number => x !== undefined);
    return xs.length ? `${range(xs)}×` : "—";
  };
  const find = (round: Run[], side: string, w: number) =>
    round.find((r) => r.rev === side && r.workers === w);
  lines.push("");
  for (const side of sides) {
    const own = [...new Set(runs.filter((r) => r.rev === side).map((r) => r.workers))];
    for (const w of workerCounts.slice(1)) {
      if (!own.includes(w) || !own.includes(workerCounts[0])) continue;
      const line = ratio((round) => {
        const one = find(round, side, workerCounts[0]);
        const many = find(round, side, w);
        return one && many ? one.wallSeconds / many.wallSeconds : undefined;
      });
      lines.push(`- ${side}: ${w} workers over ${workerCounts[0]}: ${line} (wall, same round)`);
    }
  }
  for (const other of sides.slice(1)) {
    for (const w of workerCounts) {
      const cell = (f: (r: Run) => number | undefined) =>
        ratio((round) => {
          const a = find(round, sides[0], w);
          const b = find(round, other, w);
          const x = a && f(a);
          const y = b && f(b);
          return x && y ? y / x : undefined;
        });
      const wall = cell((r) => r.wallSeconds);
      if (wall === "—") continue;
      lines.push(
        `- ${other} time / ${sides[0]} time, ${w} worker(s): wall ${wall}, cpu ${
          cell((r) => r.cpuSeconds)
        } (same round; above 1: ${sides[0]} is faster)`,
      );
    }
  }
  return lines.join("\n");
}
