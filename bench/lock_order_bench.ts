/**
 * Benchmark: LockOrder N=5 K=10 explored exhaustively with invariants, the deadlock check and
 * the lock-order check on (5,432,832 distinct states, 8,052,480 transitions), once with one
 * worker (the in-thread engine) and once with two Web Workers. Prints wall time, distinct states
 * per second and peak memory (VmHWM) for each, and the speed-up.
 *
 * Usage: `deno task bench [n=5] [k=10] [workers=1,2]`
 *
 * @module
 */

import { explore } from "../checker/explore.ts";
import { exploreParallel } from "../checker/parallel.ts";
import type { CheckResult } from "../checker/result.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";

function peakRssBytes(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable)) {
      throw error;
    }
  }
  return Deno.memoryUsage().rss; // not Linux: the current RSS is the best figure there is
}

const args = Object.fromEntries(Deno.args.map((a) => a.split("=")));
const n = Number(args.n ?? 5);
const k = Number(args.k ?? 10);
const runs = String(args.workers ?? "1,2").split(",").map(Number);
const spec = lockOrderSpec({ n, k });

async function run(workers: number): Promise<CheckResult<unknown>> {
  if (workers === 1) return explore(spec);
  return await exploreParallel({
    module: new URL("../examples/mod.ts", import.meta.url).href,
    export: "EXAMPLE_SPECS",
    name: "lock-order",
    params: { n, k, mixed: false },
  }, { workers });
}

const figures = [];
for (const workers of runs) {
  console.error(
    `bench: ${spec.name}, exhaustive, invariants + deadlock + lock order, ${workers} worker(s)`,
  );
  const result = await run(workers);
  const s = result.stats;
  const row = {
    spec: spec.name,
    workers,
    verdict: result.verdict,
    distinct: s.distinct,
    transitions: s.generated,
    wallSeconds: Number((s.elapsedMs / 1000).toFixed(2)),
    distinctPerSecond: Math.round(s.statesPerSecond),
    peakRssMB: Math.round(peakRssBytes() / 2 ** 20),
    seenSetBytesPerState: Number((s.seenSetBytes / s.distinct).toFixed(1)),
  };
  figures.push(row);
  console.log(JSON.stringify(row));
  console.error(
    `  wall ${row.wallSeconds} s, ${
      row.distinctPerSecond.toLocaleString("en-US")
    } distinct states/s, ` +
      `peak RSS ${row.peakRssMB} MB (process so far), seen set ${row.seenSetBytesPerState} B/state`,
  );
}
if (figures.length > 1) {
  const base = figures[0];
  for (const f of figures.slice(1)) {
    console.error(
      `speed-up of ${f.workers} workers over ${base.workers}: ${
        (base.wallSeconds / f.wallSeconds).toFixed(2)
      }x`,
    );
  }
}
