/**
 * One benchmark run, in a process of its own (so peak memory is this run's): explores a
 * registered spec with the engine of the checkout at `root` and prints one JSON line of figures.
 * The drivers (`lock_order_bench.ts`, `model_bench.ts`) copy this file into the checkout they
 * measure, so it must only use engine APIs every revision has (`explore`, `exploreParallel`,
 * the registries).
 *
 * Usage: `deno run -A bench/_measure.ts root=DIR registry=specs|examples spec=NAME workers=N
 * [coverage=true] [frontier=auto|encoded|live] [rev=LABEL] [param=key:value]...`
 *
 * @module
 */

import process from "node:process";

const args: Record<string, string> = {};
const params: string[] = [];
for (const a of Deno.args) {
  const eq = a.indexOf("=");
  const key = a.slice(0, eq);
  const value = a.slice(eq + 1);
  if (key === "param") params.push(value.replace(":", "="));
  else args[key] = value;
}
const root = new URL(`${args.root.replace(/\/$/, "")}/`, "file:///");
const registryModule = new URL(
  args.registry === "examples" ? "examples/mod.ts" : "specs.ts",
  root,
).href;
const exportName = args.registry === "examples" ? "EXAMPLE_SPECS" : "SPECS";
const workers = Number(args.workers ?? 1);

const { explore } = await import(new URL("checker/explore.ts", root).href);
const { exploreParallel } = await import(new URL("checker/parallel.ts", root).href);
const { parseParams } = await import(new URL("checker/registry.ts", root).href);
const registry = await import(registryModule);
const entry = registry[exportName].find((e: { name: string }) => e.name === args.spec);
if (entry === undefined) throw new TypeError(`Cannot find spec ${args.spec} in ${registryModule}`);
const values = parseParams(entry, params);
const options = {
  coverage: args.coverage === "true",
  ...(args.frontier !== undefined ? { frontier: args.frontier } : {}),
};

function peakRssBytes(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
  return kb === undefined ? Deno.memoryUsage().rss : Number(kb) * 1024;
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = workers === 1 ? explore(entry.build(values), options) : await exploreParallel({
  module: registryModule,
  export: exportName,
  name: entry.name,
  params: values,
}, { ...options, workers });
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const s = result.stats;
console.log(JSON.stringify({
  rev: args.rev ?? "worktree",
  spec: result.spec,
  workers,
  verdict: result.verdict,
  distinct: s.distinct,
  transitions: s.generated,
  wallSeconds: Number(wall.toFixed(2)),
  cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  distinctPerSecond: Math.round(s.distinct / wall),
  transitionsPerSecond: Math.round(s.generated / wall),
  peakRssMB: Math.round(peakRssBytes() / 2 ** 20),
  peakQueued: s.frontier?.peakQueued ?? null,
  bytesPerQueuedState: s.frontier === undefined || s.frontier.bytesPerEncodedState === 0
    ? null
    : Number(s.frontier.bytesPerEncodedState.toFixed(1)),
  seenSetBytesPerState: Number((s.seenSetBytes / s.distinct).toFixed(1)),
}));
