/**
 * Benchmark: LockOrder N=5 K=10 explored exhaustively with invariants and the lock-order check
 * on (5,432,832 distinct states, 8,052,480 transitions). Prints wall time, distinct states per
 * second and peak memory (VmHWM). Run with `deno task bench`; `--param n=… --param k=…` changes
 * the size.
 *
 * @module
 */

import { explore } from "../checker/explore.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";

function peakRssBytes(): number | undefined {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined; // not Linux, or no permission: report RSS instead
  }
}

const args = Object.fromEntries(Deno.args.map((a) => a.replace(/^--param\s*/, "").split("=")));
const n = Number(args.n ?? 5);
const k = Number(args.k ?? 10);
const spec = lockOrderSpec({ n, k });
console.error(`bench: ${spec.name}, exhaustive, invariants + deadlock + lock order on, 1 worker`);
const result = explore(spec);
const peak = peakRssBytes() ?? Deno.memoryUsage().rss;
const s = result.stats;
const figures = {
  spec: spec.name,
  verdict: result.verdict,
  distinct: s.distinct,
  transitions: s.generated,
  wallSeconds: Number((s.elapsedMs / 1000).toFixed(2)),
  distinctPerSecond: Math.round(s.statesPerSecond),
  peakRssMB: Math.round(peak / 2 ** 20),
  seenSetBytesPerState: Number((s.seenSetBytes / s.distinct).toFixed(1)),
};
console.log(JSON.stringify(figures));
console.error(
  `wall ${figures.wallSeconds} s, ${
    figures.distinctPerSecond.toLocaleString("en-US")
  } distinct states/s, ` +
    `peak RSS ${figures.peakRssMB} MB, seen set ${figures.seenSetBytesPerState} B/state`,
);
