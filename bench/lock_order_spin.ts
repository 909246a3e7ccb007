/**
 * Spin on the same LockOrder model (`lock_order.pml`), for a side-by-side figure: generates the
 * verifier with `spin -a`, compiles it with `gcc -O2 -DNOREDUCE -DSAFETY` (no partial-order
 * reduction: every interleaving, as the engine explores them; safety only: assertions and
 * invalid end states, i.e. the invariants and deadlocks), runs it, and prints one JSON line:
 * Spin's stored states and transitions (one more state and two more transitions than the
 * TypeScript spec: the state before `init` starts the processes), wall and CPU time of the
 * search, compile time, and Spin's own memory figure. Skipped (prints nothing, exit 0) when
 * `spin` or `gcc` is missing.
 *
 * Usage: `deno run --allow-run --allow-read --allow-write=/tmp bench/lock_order_spin.ts [n=5]
 * [k=10]`
 *
 * @module
 */

const args = Object.fromEntries(Deno.args.map((a) => a.split("=")));
const n = Number(args.n ?? 5);
const k = Number(args.k ?? 10);
const model = new URL("./lock_order.pml", import.meta.url).pathname;

async function run(cmd: string, argv: string[], cwd: string): Promise<{ out: string; ms: number }> {
  const t0 = performance.now();
  const r = await new Deno.Command(cmd, { args: argv, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const ms = performance.now() - t0;
  const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  if (!r.success) throw new Error(`Cannot run ${cmd} ${argv.join(" ")}: exit ${r.code}\n${out}`);
  return { out, ms };
}

async function available(cmd: string): Promise<boolean> {
  try {
    await run(cmd, ["--version"], "/tmp");
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    return cmd === "spin"; // spin --version exits 1 after printing its version
  }
}

if (!(await available("spin")) || !(await available("gcc"))) {
  console.error("spin or gcc is not installed: Spin's figure is skipped");
  Deno.exit(0);
}
const dir = await Deno.makeTempDir({ prefix: "leasecheck-spin-" });
try {
  await Deno.copyFile(model, `${dir}/lock_order.pml`);
  const generate = await run("spin", [`-DN=${n}`, `-DK=${k}`, "-a", "lock_order.pml"], dir);
  const compile = await run("gcc", ["-O2", "-DNOREDUCE", "-DSAFETY", "-o", "pan", "pan.c"], dir);
  // bash's `time` gives the search's CPU time (user + system) on stderr.
  const search = await run(
    "bash",
    ["-c", "TIMEFORMAT='cpu %U %S'; time ./pan -m10000 -w24"],
    dir,
  );
  const num = (re: RegExp): number => Number(re.exec(search.out)?.[1] ?? NaN);
  const [user, sys] = (/cpu ([\d.]+) ([\d.]+)/.exec(search.out) ?? []).slice(1).map(Number);
  const errors = num(/errors: (\d+)/);
  const wallSeconds = search.ms / 1000;
  const stored = num(/(\d+) states, stored/);
  console.log(JSON.stringify({
    engine: "spin",
    spec: `LockOrder(N=${n}, K=${k})`,
    distinct: stored,
    transitions: num(/(\d+) transitions \(= stored\+matched\)/),
    errors,
    wallSeconds: Number(wallSeconds.toFixed(2)),
    cpuSeconds: Number((user + sys).toFixed(2)),
    distinctPerSecond: Math.round(stored / wallSeconds),
    compileSeconds: Number(((generate.ms + compile.ms) / 1000).toFixed(2)),
    peakRssMB: Math.round(num(/([\d.]+)\s+total actual memory usage/)),
    spinElapsedSeconds: num(/pan: elapsed time ([\d.]+) seconds/),
  }));
} finally {
  await Deno.remove(dir, { recursive: true });
}
