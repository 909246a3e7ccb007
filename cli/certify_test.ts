import assert from "node:assert/strict";
import { MUTANTS } from "../model/mutants.ts";
import type { CertificationReport } from "../scenarios/certification.ts";
import { certify } from "../scenarios/certify.ts";
import { loadScenarios } from "../scenarios/load.ts";
import { MUTANTS_INVISIBLE_TO_REPLIES } from "../scenarios/mutant_visibility.ts";
import { parseScenario } from "../scenarios/parse.ts";
import { ProcessAdapter } from "../scenarios/process_adapter.ts";
import { OP_NAMES } from "../scenarios/ops.ts";
import { replayScenario } from "../scenarios/replay.ts";
import { openAdapter, splitCommandLine } from "./adapters.ts";
import { certifyMain } from "./certify.ts";

const CASES = new URL("../scenarios/cases", import.meta.url).pathname;
const corpus = await loadScenarios([CASES]);
const deno = Deno.execPath();
const serveModel = (mutant?: string): string =>
  `process:${deno} run --allow-read=. ${
    new URL("../scenarios/serve_model.ts", import.meta.url).pathname
  }${mutant ? ` --mutant=${mutant}` : ""}`;
const toy = (
  ...flags: string[]
): string[] => [
  deno,
  "run",
  new URL("../examples/toy_impl.ts", import.meta.url).pathname,
  ...flags,
];

const UNOBSERVABLE_BY_REPLIES = new Set(Object.keys(MUTANTS_INVISIBLE_TO_REPLIES));

Deno.test("certify() passes the whole corpus on the model, in process and through the process adapter", async () => {
  for (const impl of ["model", serveModel()]) {
    const opened = await openAdapter(impl);
    try {
      const report = await certify(opened, corpus);
      assert.equal(
        report.summary.fail,
        0,
        `${impl}: ${report.scenarios.filter((s) => s.verdict === "fail").map((s) => s.name)}`,
      );
      assert.equal(report.summary.error, 0);
      assert.equal(report.summary.pass + report.summary.skip, corpus.length);
      assert.ok(report.facts.length > 100, `${report.facts.length} fact ids covered`);
    } finally {
      await opened.close();
    }
  }
});

Deno.test("certify() fails every observable mutant on some named scenario, through the process adapter", async () => {
  const observable = MUTANTS.filter((m) => m.implemented && !UNOBSERVABLE_BY_REPLIES.has(m.id));
  assert.ok(observable.length >= 20);
  for (const m of observable) {
    const opened = await openAdapter(serveModel(m.id));
    try {
      // Races a few times each: the sequential scenarios catch every one of these already.
      const report = await certify(opened, corpus, { raceRepetitions: 5 });
      const failing = report.scenarios.filter((s) => s.verdict === "fail").map((s) => s.name);
      assert.ok(failing.length > 0, `${m.id} (${m.mutation}) passed every scenario`);
      assert.equal(report.implementationInfo?.mutant, m.id);
    } finally {
      await opened.close();
    }
  }
});

const single = parseScenario(
  await Deno.readTextFile(`${CASES}/nk_qlease_test_double_lease.yaml`),
  "double_lease.yaml",
);

Deno.test("the process adapter certifies an independent implementation end to end", async () => {
  const adapter = await ProcessAdapter.start(toy());
  try {
    assert.equal(adapter.implementation.name, "toy");
    assert.deepEqual(adapter.implementation.ops, ["queue-create", "queue-get"]);
    const r = await replayScenario(single, adapter);
    assert.equal(r.verdict, "pass", JSON.stringify(r.steps.map((s) => s.diff)));
  } finally {
    await adapter.close();
  }
});

Deno.test("the process adapter kills a hung implementation and reports the scenario as an error", async () => {
  // The deadline also holds for the hello, which must come first: 2 s leaves a loaded machine
  // time to start the toy.
  const adapter = await ProcessAdapter.start(toy("--hang-on=queue-create"), { timeoutMs: 2000 });
  try {
    const r = await replayScenario(single, adapter);
    assert.equal(r.verdict, "error");
    assert.match(r.reason ?? "", /did not answer apply queue-create within 2000 ms; it was killed/);
    assert.equal(adapter.dead, true);
  } finally {
    await adapter.close();
  }
});

Deno.test("the process adapter reports a crash with the implementation's last words", async () => {
  const adapter = await ProcessAdapter.start(toy("--crash-on=queue-create"));
  try {
    const r = await replayScenario(single, adapter);
    assert.equal(r.verdict, "error");
    assert.match(
      r.reason ?? "",
      /did not answer apply queue-create: its output ended; it exited with code 3; its stderr ends with: toy: crashing on queue-create as asked/,
    );
    assert.equal(adapter.dead, true);
  } finally {
    await adapter.close();
  }
});

Deno.test("the process adapter rejects a reply that is not JSON", async () => {
  const adapter = await ProcessAdapter.start(toy("--garbage-on=queue-create"));
  try {
    const r = await replayScenario(single, adapter);
    assert.equal(r.verdict, "error");
    assert.match(r.reason ?? "", /not JSON: this is not JSON; it was killed/);
    assert.equal(adapter.dead, true, "a process out of step is never asked again");
  } finally {
    await adapter.close();
  }
});

Deno.test("openAdapter() refuses an implementation speaking another protocol version or that cannot start (KSFT_SKIP)", async () => {
  await assert.rejects(
    () => openAdapter(`process:${toy("--protocol=other/9").join(" ")}`),
    (e: Error) =>
      e.name === "ImplementationUnavailableError" && /speaks protocol "other\/9"/.test(e.message),
  );
  await assert.rejects(
    () => openAdapter("process:/no/such/binary"),
    /Cannot start \/no\/such\/binary/,
  );
  await assert.rejects(() => openAdapter("mutant:C-99"), /Unknown mutant "C-99"/);
  await assert.rejects(() => openAdapter("bogus"), /Unknown implementation "bogus"/);
});

// ---------------------------------------------------------------------------------------------
// The certify command line: what "conforms" means, and a certifier that never crashes

/** Runs `certify` in process and captures what it prints. */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await certifyMain(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Three scenarios of queue-create and queue-get only, which the toy gets right. */
const SMALL = [
  "nk_qlease_test_cross_ns_netns_id",
  "nk_qlease_test_double_lease",
  "nk_qlease_test_same_ns_lease",
].flatMap((n) => ["--scenarios", `${CASES}/${n}.yaml`]);
const toyImpl = (...flags: string[]): string => `process:${toy(...flags).join(" ")}`;

/** A fresh temporary folder for report folders, removed after `body`. */
async function withTmp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "certify-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function resultOf(dir: string): Promise<CertificationReport> {
  return JSON.parse(await Deno.readTextFile(`${dir}/result.json`)).certification;
}

const noStackTrace = (text: string): void =>
  assert.doesNotMatch(text, /\n\s+at /, "no stack trace");

Deno.test("certify --impl model conforms for every operation (exit 0) and says so first", async () => {
  await withTmp(async (tmp) => {
    const r = await run("--impl", "model", "--quiet", "--out", `${tmp}/r`);
    assert.equal(r.code, 0, r.err);
    const profile = (await resultOf(`${tmp}/r`)).profile;
    assert.equal(profile.verdict, "conforms");
    assert.deepEqual(profile.declared, OP_NAMES);
    assert.deepEqual(profile.notCertified, []);
    assert.match(
      r.out.split("\n")[3],
      new RegExp(
        `^# verdict: conforms for all ${OP_NAMES.length} scenario operations \\(\\d+ scenarios\\)$`,
      ),
    );
    const summary = await Deno.readTextFile(`${tmp}/r/summary.md`);
    assert.match(
      summary,
      new RegExp(
        `^# leasecheck certify: conforms\n\n\\*\\*conforms\\*\\* — model conforms for all ${OP_NAMES.length} `,
      ),
    );
    assert.match(
      await Deno.readTextFile(`${tmp}/r/junit.xml`),
      /<property name="verdict" value="conforms"\/>/,
    );
  });
});

Deno.test("certify of a partial implementation conforms for what it declares and names the rest", async () => {
  await withTmp(async (tmp) => {
    const impl = `${serveModel()} --ops=queue-create,queue-get`;
    const r = await run("--impl", impl, "--quiet", "--out", `${tmp}/r`);
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.err,
      /: conforms for queue-create, queue-get \(\d+ scenarios\); not certified: bind-rx, bind-tx, newlink, .*, close; \d+ passed, 0 failed/,
    );
    const profile = (await resultOf(`${tmp}/r`)).profile;
    assert.deepEqual(profile.certified, ["queue-create", "queue-get"]);
    assert.ok(profile.scenarios.skipped > 0 && profile.scenarios.ran > 0);
  });
});

Deno.test("nothing run is not a pass: no operations, /bin/cat, an empty folder, unsupported setups exit 4", async () => {
  await withTmp(async (tmp) => {
    await Deno.mkdir(`${tmp}/empty`);
    const cases: [string[], RegExp][] = [
      [
        ["--impl", toyImpl("--ops=")],
        /not certified: nothing ran \(all 3 scenarios skipped\); the implementation declares no operation/,
      ],
      [
        ["--impl", "process:/bin/cat"],
        /not certified: nothing ran \(all 3 scenarios skipped\); the implementation declares no operation/,
      ],
      [
        ["--impl", toyImpl("--unsupported-setup")],
        /not certified: nothing ran \(all 3 scenarios skipped\); \d+ passed/,
      ],
      [
        ["--impl", "model", "--scenarios", `${tmp}/empty`],
        /not certified: there was no scenario to run/,
      ],
      // Declares queue-get only: not enough, even though what ran passed.
      [
        [
          "--impl",
          toyImpl("--ops=queue-get"),
          "--scenarios",
          `${CASES}/ops_qg_05_out_of_range.yaml`,
        ],
        /: not certified: the implementation does not declare queue-create \(required\); 1 passed/,
      ],
      // Declares every operation, but these scenarios exercise two of them.
      [
        ["--impl", "model", ...SMALL],
        /: not certified: no scenario that ran uses bind-rx, bind-tx, newlink, .*, which the implementation declares; 3 passed/,
      ],
    ];
    for (const [i, [args, message]] of cases.entries()) {
      const scenarios = args.includes("--scenarios") ? [] : SMALL;

      const r = await run(...args, ...scenarios, "--quiet", "--out", `${tmp}/r${i}`);
      assert.equal(r.code, 4, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message);
      const report = await resultOf(`${tmp}/r${i}`);
      assert.equal(report.profile.verdict, "not-certified", "the report is written and says so");
      assert.match(
        await Deno.readTextFile(`${tmp}/r${i}/summary.md`),
        /^# leasecheck certify: not certified/,
      );
    }
  });
});

Deno.test("certify of an implementation whose teardown hangs, crashes or prints garbage reports each scenario and goes on", async () => {
  await withTmp(async (tmp) => {
    // The deadline is short only where the toy hangs: every start of a fresh process (its hello)
    // must fit in it too, on a loaded machine.
    const cases: [string, string, RegExp][] = [
      [
        "--hang-on=teardown",
        "2000",
        /^teardown failed: ProtocolError: The implementation did not answer teardown within 2000 ms; it was killed$/,
      ],
      [
        "--crash-on=teardown",
        "10000",
        /^teardown failed: ProtocolError: The implementation did not answer teardown: its output ended; it exited with code 3; its stderr ends with: toy: crashing on teardown as asked$/,
      ],
      [
        "--garbage-on=teardown",
        "10000",
        /^teardown failed: ProtocolError: The implementation answered teardown with a line that is not JSON: this is not JSON; it was killed$/,
      ],
    ];
    for (const [i, [flag, timeout, reason]] of cases.entries()) {
      const out = `${tmp}/r${i}`;
      const r = await run("--impl", toyImpl(flag), ...SMALL, "--timeout", timeout, "--out", out);
      noStackTrace(r.err);
      assert.equal(r.code, 1, `${flag}: ${r.err}`);
      const report = await resultOf(out);
      assert.deepEqual(report.scenarios.map((s) => s.verdict), ["error", "error", "error"], flag);
      for (const s of report.scenarios) assert.match(s.reason ?? "", reason);
      // Every step ran and passed before the teardown broke: the run went on with a fresh process.
      assert.ok(report.scenarios.every((s) => s.steps.length > 0 && s.steps.every((x) => x.pass)));
      assert.match(r.out, /^# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:3$/m);
      assert.match(r.err, /^not ok 1\/3 nk_qlease_test_cross_ns_netns_id: teardown failed: /m);
    }
  });
});

Deno.test("a stray line on stdout costs one scenario and a restart, never a reply read one line late", async () => {
  await withTmp(async (tmp) => {
    const clean = await run("--impl", toyImpl(), "--quiet", "--out", `${tmp}/clean`);
    assert.equal(clean.code, 1, "the toy is known to fall short of the corpus");
    // Before the 25th reply of each process: a few scenarios meet it, the rest must be unaffected.
    const stray = await run(
      "--impl",
      toyImpl("--stray-line-at=25"),
      "--quiet",
      "--out",
      `${tmp}/stray`,
    );
    noStackTrace(stray.err);
    const a = await resultOf(`${tmp}/clean`);
    const b = await resultOf(`${tmp}/stray`);
    assert.equal(b.scenarios.length, a.scenarios.length);
    const hit = b.scenarios.filter((s, i) => s.verdict !== a.scenarios[i].verdict);
    assert.ok(hit.length >= 1 && hit.length < b.scenarios.length / 4, `${hit.length} differ`);
    for (const s of hit) {
      assert.equal(s.verdict, "error", s.name);
      assert.match(
        s.reason ?? "",
        /The implementation answered [a-z -]+ with a line that is not JSON: toy: debug: about to answer [a-z-]+; it was killed/,
      );
    }
    // (The toy itself crashes on two malformed requests: errors in both runs.)
    const newErrors = b.scenarios.filter((s, i) =>
      s.verdict === "error" && a.scenarios[i].verdict !== "error"
    );
    assert.deepEqual(newErrors.map((s) => s.name), hit.map((s) => s.name), "no false failures");
  });
});

Deno.test("an implementation that cannot be started a second time: errors with its stderr, then the rest not run", async () => {
  await withTmp(async (tmp) => {
    const lock = `${tmp}/lock`;
    const impl = `process:${deno} run --allow-read=${tmp} --allow-write=${tmp} ${
      toy()[2]
    } --lock=${lock} --crash-on=queue-get`;
    const scenarios = [
      ...SMALL,
      "--scenarios",
      `${CASES}/nk_qlease_test_l3_mode_lease.yaml`,
      "--scenarios",
      `${CASES}/nk_qlease_test_multi_ns_lease.yaml`,
    ];
    const r = await run("--impl", impl, ...scenarios, "--quiet", "--out", `${tmp}/r`);
    noStackTrace(r.err);
    assert.equal(r.code, 1, r.err);
    const report = await resultOf(`${tmp}/r`);
    const reasons = report.scenarios.map((s) => s.reason ?? "");
    assert.match(
      reasons[0],
      /did not answer apply queue-get: its output ended; it exited with code 3; its stderr ends with: toy: crashing on queue-get as asked/,
    );
    for (const reason of reasons.slice(1, 4)) {
      assert.match(
        reason,
        /^the implementation could not be started: The implementation (stopped reading its input before hello|did not answer hello: its output ended); it exited with code 1; its stderr ends with: toy: .*lock exists: another instance holds the lock$/,
      );
    }
    assert.match(
      reasons[4],
      /^not run: the implementation failed to start 3 times in a row \(last: /,
    );
    assert.equal(report.scenarios.length, 5);
  });
});

Deno.test("an implementation slow to say hello fails with the reason (exit 1), it is not unavailable", async () => {
  const slow = await run(
    "--impl",
    toyImpl("--hang-on=hello"),
    ...SMALL,
    "--timeout",
    "300",
    "--quiet",
    "--out",
    "/tmp/never-written",
  );
  assert.equal(slow.code, 1, slow.err);
  assert.equal(
    slow.err,
    `certify: FAIL: ${
      toyImpl("--hang-on=hello")
    }: The implementation did not answer hello within 300 ms; it was killed`,
  );
  const crash = await run(
    "--impl",
    toyImpl("--crash-on=hello"),
    ...SMALL,
    "--quiet",
    "--out",
    "/tmp/never-written",
  );
  assert.equal(crash.code, 1, crash.err);
  assert.match(
    crash.err,
    /did not answer hello: its output ended; it exited with code 3; its stderr ends with: toy: crashing on hello as asked$/,
  );
  const version = await run(
    "--impl",
    toyImpl("--protocol=other/9"),
    ...SMALL,
    "--quiet",
    "--out",
    "/tmp/never-written",
  );
  assert.equal(version.code, 4, "another protocol version: cannot run here, a skip");
  await assert.rejects(() => Deno.stat("/tmp/never-written"), Deno.errors.NotFound);
});

Deno.test("certify --timeout rejects values a timer cannot hold", async () => {
  for (const value of ["3e9", "2147483648", "0", "-5", "1.5", "ten", ""]) {
    const r = await run("--impl", "model", `--timeout=${value}`, "--out", "/tmp/never-written");
    assert.equal(r.code, 2, value);
    assert.equal(
      r.err,
      `certify: --timeout needs a whole number of milliseconds from 1 to 2147483647, not "${value}"`,
    );
  }
  // The largest a timer holds is accepted (the run then fails on the unknown adapter).
  const max = await run("--impl", "bogus", "--timeout", "2147483647", ...SMALL);
  assert.equal(max.code, 2);
  assert.match(max.err, /Unknown implementation "bogus"/);
});

Deno.test("process: commands take quoted arguments with spaces", async () => {
  await withTmp(async (tmp) => {
    await Deno.mkdir(`${tmp}/with space`);
    await Deno.copyFile(toy()[2], `${tmp}/with space/toy impl.ts`);
    const impl =
      `process:${deno} run "${tmp}/with space/toy impl.ts" '--ops=queue-create,queue-get'`;
    const r = await run("--impl", impl, ...SMALL, "--quiet", "--out", `${tmp}/r`);
    assert.equal(r.code, 0, r.err);
    const report = await resultOf(`${tmp}/r`);
    assert.equal(report.implementationInfo?.name, "toy");
    assert.equal(report.implementation, impl);
    const bad = await run("--impl", `process:${deno} run "unterminated`, ...SMALL);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /^certify: Unterminated " in the command line: /);
  });
  assert.deepEqual(splitCommandLine(`a "b c" 'd "e"' f\\ g "h\\"i" ''`), [
    "a",
    "b c",
    'd "e"',
    "f g",
    'h"i',
    "",
  ]);
  assert.throws(() => splitCommandLine("a 'b"), /Unterminated ' in the command line/);
  assert.throws(() => splitCommandLine("a \\"), /A backslash ends the command line/);
});

Deno.test("certify checks --out before any work: empty, taken, a file, a source folder with --force", async () => {
  await withTmp(async (tmp) => {
    await Deno.mkdir(`${tmp}/src/viewer`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/src/viewer/app.ts`, "export {};\n");
    await Deno.writeTextFile(`${tmp}/file`, "x");
    const cases: [string[], RegExp][] = [
      [["--out", ""], /^certify: The report folder name is empty/],
      [["--out", `${tmp}/src`], /^certify: Report folder .*\/src exists already and is not empty/],
      [
        ["--out", `${tmp}/src`, "--force"],
        /^certify: Refusing to replace .*\/src: it is not a report folder leasecheck wrote/,
      ],
      [
        ["--out", `${tmp}/file`, "--force"],
        /^certify: Refusing to write the report to .*\/file: it is a file, not a folder$/,
      ],
    ];
    for (const [args, message] of cases) {
      // A hanging implementation: any work before the check would take the whole timeout.
      const t0 = performance.now();
      const r = await run(
        "--impl",
        toyImpl("--hang-on=hello"),
        "--timeout",
        "5000",
        ...SMALL,
        ...args,
      );
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.err.split("\n").length, 1, "one line");
      assert.equal(r.out, "", "no KTAP: nothing ran");
      assert.ok(performance.now() - t0 < 4000, "refused before starting the implementation");
    }
    assert.equal(await Deno.readTextFile(`${tmp}/src/viewer/app.ts`), "export {};\n");
    assert.equal(await Deno.readTextFile(`${tmp}/file`), "x");
    // A report folder certify wrote is replaced with --force.
    assert.equal(
      (await run("--impl", toyImpl(), ...SMALL, "--quiet", "--out", `${tmp}/r`)).code,
      0,
    );
    const again = await run(
      "--impl",
      toyImpl(),
      ...SMALL,
      "--quiet",
      "--out",
      `${tmp}/r`,
      "--force",
    );
    assert.equal(again.code, 0, again.err);
  });
});

/** Runs `deno run PERMISSIONS main.ts ARGS` as a subprocess. */
async function subprocess(
  permissions: string[],
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const r = await new Deno.Command(deno, {
    args: ["run", ...permissions, main, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: r.code, out: text(r.stdout), err: text(r.stderr) };
}

Deno.test("certify refuses a report folder it cannot write before the run: system errors and Deno permissions", async () => {
  // Real failures, no mocks. sysfs refuses new folders (EPERM as root, EACCES otherwise, EROFS
  // where it is mounted read-only); procfs cannot create the folder either.
  for (const out of ["/sys/leasecheck-test/out", "/proc/leasecheck-test/out"]) {
    // (Deno lets a program write under /sys and /proc only with every permission, which
    // --ignore-env would take away again.)
    const r = await subprocess(["--allow-all"], [
      "certify",
      "--impl",
      "model",
      "--out",
      out,
    ]);
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      new RegExp(
        `^certify: Cannot write the report to ${out}: (Operation not permitted|Permission denied|Read-only file system|No such file or directory)$`,
      ),
    );
    assert.equal(r.out, "", "no scenario ran");
  }
  // Deno's permission scope: this run may write only in a fresh temporary folder (not /tmp
  // itself: the clone under test may sit under /tmp).
  const only = await Deno.makeTempDir({ prefix: "leasecheck-denied-" });
  const denied = await subprocess([
    "--allow-read",
    `--allow-write=${only}`,
    "--allow-run",
    "--allow-env",
    "--ignore-env=LOG_TOKENS,LOG_STREAM",
  ], [
    "certify",
    "--impl",
    "model",
    "--out",
    new URL("../reports/out/certify-test-denied", import.meta.url).pathname,
  ]);
  assert.equal(denied.code, 2, denied.err);
  assert.match(
    denied.err,
    /^certify: Cannot write the report to .*certify-test-denied: Deno's permissions do not allow it \(the certify task may write only under reports\/out and \/tmp/,
  );
  assert.equal(denied.err.split("\n").length, 1);
  await Deno.remove(only, { recursive: true });
});

Deno.test("certify names a symbolic link loop under --scenarios in one line (exit 2)", async () => {
  await withTmp(async (tmp) => {
    for (const [target, link] of [[`${tmp}/b`, `${tmp}/a`], [`${tmp}/a`, `${tmp}/b`]]) {
      const ln = await new Deno.Command("ln", { args: ["-s", target, link] }).output();
      assert.ok(ln.success);
    }
    const r = await run("--impl", "model", "--scenarios", `${tmp}/a`, "--out", `${tmp}/r`);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      `certify: Cannot read scenarios from ${tmp}/a: Too many levels of symbolic links`,
    );
  });
});
