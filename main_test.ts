import assert from "node:assert/strict";
import { main } from "./main.ts";

/** Runs the CLI in-process and captures what it prints. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    // Reports are tested on their own; the other tests leave no folders behind.
    const writesReport = !["list", "replay", "certify", "explain"].includes(args[0]) &&
      !args.includes("--out");
    const quiet = writesReport ? [...args, "--no-report"] : args;
    const code = await main(quiet);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("check exits 0 with an ok verdict on the default specs", async () => {
  const r = await cli("--quiet");
  assert.equal(r.code, 0);
  assert.match(r.err, /^ok netkit-queue-leasing: no violation in [\d,]+ distinct states/m);
});

Deno.test("check exits 10 on an invariant violation and prints the replay command", async () => {
  const r = await cli("--spec", "die-hard", "--quiet");
  assert.equal(r.code, 10);
  assert.match(r.err, /invariant NotSolved is violated/);
  const replay = /reproduce: deno task check (.*)$/m.exec(r.err)?.[1];
  assert.ok(replay, r.err);
  const again = await cli(...replay.split(" "));
  assert.equal(again.code, 10);
  assert.match(again.err, /invariants violated in the last state: NotSolved/);
});

Deno.test("check exits 13 on a lock-order cycle, 12 on a deadlock when lock order is off", async () => {
  const cycle = await cli("--spec", "lock-order", "--param", "mixed=true", "--quiet");
  assert.equal(cycle.code, 13);
  assert.match(cycle.err, /lock-order cycle B -> A -> B/);
  const deadlock = await cli(
    "--spec",
    "lock-order",
    "--param",
    "mixed=true",
    "--no-lock-order",
    "--quiet",
  );
  assert.equal(deadlock.code, 12);
  assert.match(deadlock.err, /locks: p0 holds A, waits for nothing|locks: p0 holds A; p1 holds B/);
});

Deno.test("check exits 14 when a bound stops the search, and never says ok", async () => {
  const r = await cli(
    "--spec",
    "lock-order",
    "--param",
    "n=5",
    "--param",
    "k=3",
    "--max-states",
    "100",
    "--quiet",
  );
  assert.equal(r.code, 14);
  assert.match(r.err, /^incomplete .*stopped: reached --max-states 100/m);
  assert.doesNotMatch(r.err, /^ok /m);
});

Deno.test("check --json prints one JSON document on stdout", async () => {
  const r = await cli("--spec", "die-hard", "--param", "goal=-1", "--json", "--quiet");
  assert.equal(r.code, 0);
  const doc = JSON.parse(r.out);
  assert.equal(doc.version, 1);
  assert.equal(doc.results[0].stats.distinct, 16);
  assert.equal(doc.results[0].verdict, "ok");
});

Deno.test("check --workers 2 gives the same answer as one worker", async () => {
  const r = await cli(
    "--spec",
    "lock-order",
    "--param",
    "n=4",
    "--param",
    "k=2",
    "--workers",
    "2",
    "--json",
    "--quiet",
  );
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.out).results[0].stats.distinct, 2816);
});

Deno.test("simulate exits 0 without a violation and prints its seed; a violation gives the rerun command", async () => {
  const ok = await cli(
    "simulate",
    "--spec",
    "lock-order",
    "--seed",
    "3",
    "--walks",
    "20",
    "--quiet",
  );
  assert.equal(ok.code, 0);
  assert.match(ok.err, /^incomplete .*random simulation: 20 walks/m);
  assert.match(ok.err, /seed 3/);
  const bad = await cli(
    "simulate",
    "--spec",
    "die-hard",
    "--seed",
    "5",
    "--walks",
    "500",
    "--quiet",
  );
  assert.equal(bad.code, 10);
  assert.match(bad.err, /rerun the simulation: deno task check simulate --spec die-hard --seed 5/);
});

Deno.test("usage errors exit 2 with one clear line", async () => {
  const cases: [string[], RegExp][] = [
    [["--spec", "nope"], /Unknown spec "nope" \(known: leasing, lock-order, die-hard, gate-lock/],
    [
      ["--spec", "lock-order", "--param", "x=1"],
      /Unknown parameter "x" for spec "lock-order" \(it takes: n, k, mixed\)/,
    ],
    [
      ["--spec", "lock-order", "--param", "n=zero"],
      /parameter "n" of spec "lock-order": "zero" is not an integer/,
    ],
    [["--spec", "lock-order", "--param", "n=99"], /99 is above the maximum 12/],
    [["--max-states=abc"], /--max-states needs a whole number, not "abc"/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--spec", "die-hard", "--replay", "1zz"], /truncated|not enabled|no parameter/],
    [["--spec", "die-hard", "--replay", "9AA"], /version/],
    [["simulate", "--max-states", "3"], /belong to "check"/],
    [["--seed", "3"], /belong to "simulate"/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /, "no stack trace for a user mistake");
  }
});

Deno.test("list names every spec with its parameters", async () => {
  const r = await cli("list");
  assert.equal(r.code, 0);
  for (const name of ["leasing", "lock-order", "die-hard", "gate-lock"]) {
    assert.match(r.out, new RegExp(`^${name}: `, "m"));
  }
  assert.match(r.out, /mixed=false \(bool\)/);
});

Deno.test("check writes a report folder with summary.md, result.json and index.html, never over another", async () => {
  const out = `reports/out/test-main-${crypto.randomUUID()}`;
  try {
    const r = await cli("--spec", "die-hard", "--quiet", "--out", out);
    assert.equal(r.code, 10);
    assert.match(r.err, new RegExp(`report: ${out}/index.html`));
    const doc = JSON.parse(await Deno.readTextFile(`${out}/result.json`));
    assert.equal(doc.kind, "check");
    assert.equal(doc.results[0].violations[0].name, "NotSolved");
    assert.match(await Deno.readTextFile(`${out}/index.html`), /<html/);
    assert.match(await Deno.readTextFile(`${out}/summary.md`), /NotSolved/);
    const again = await cli("--spec", "die-hard", "--quiet", "--out", out);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists already/);
  } finally {
    await Deno.remove(out, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
});

Deno.test("check --emit writes a counterexample scenario and ITF trace that replay", async () => {
  const dir = `reports/out/test-emit-${crypto.randomUUID()}`;
  try {
    const r = await cli("--spec", "leasing", "--param", "mutant=C-16", "--quiet", "--emit", dir);
    assert.equal(r.code, 10);
    assert.match(r.err, /emitted 2 files into/);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, ["cex_c-16_inv-v2.itf.json", "cex_c-16_inv-v2.yaml"]);
    const itf = JSON.parse(await Deno.readTextFile(`${dir}/cex_c-16_inv-v2.itf.json`));
    assert.equal(itf["#meta"].format, "ITF");
    const onModel = await cli("replay", dir);
    assert.equal(onModel.code, 0, onModel.err);
    const onMutant = await cli("replay", "--mutant", "C-16", dir);
    assert.equal(onMutant.code, 1); // the diff itself is checked in scenarios/emit/observe_test.ts
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("check with a tiny memory budget ends as incomplete (exit 14) with a report, not an out-of-memory crash", async () => {
  const out = `reports/out/test-memory-budget-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read=.",
        "--allow-write=reports/out",
        "--allow-sys=systemMemoryInfo",
        "--ignore-env=LOG_TOKENS,LOG_STREAM",
        "--v8-flags=--max-old-space-size=48",
        "main.ts",
        "--memory-budget",
        "32MB",
        "--quiet",
        "--out",
        out,
      ],
      cwd: new URL(".", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 14, err);
    assert.match(err, /^incomplete netkit-queue-leasing: .*stopped: reached the memory budget/m);
    const doc = JSON.parse(await Deno.readTextFile(`${out}/result.json`));
    assert.equal(doc.results[0].verdict, "incomplete");
    assert.equal(doc.results[0].scope.engine.stoppedBy, "memory-budget");
    assert.equal(doc.results[0].scope.engine.bounds.memoryBudgetBytes, 32 * 2 ** 20);
  } finally {
    await Deno.remove(out, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
});

Deno.test("check refuses a malformed --memory-budget or --frontier with a usage error", async () => {
  const budget = await cli("--spec", "die-hard", "--memory-budget", "lots", "--quiet");
  assert.equal(budget.code, 2);
  assert.match(budget.err, /--memory-budget: Cannot parse memory size "lots"/);
  const frontier = await cli("--spec", "die-hard", "--frontier", "disk", "--quiet");
  assert.equal(frontier.code, 2);
  assert.match(frontier.err, /--frontier takes auto, encoded or live/);
  const ok = await cli(
    "--spec",
    "die-hard",
    "--param",
    "goal=-1",
    "--frontier",
    "encoded",
    "--quiet",
  );
  assert.equal(ok.code, 0);
});
