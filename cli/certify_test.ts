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
import { openAdapter } from "./adapters.ts";
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
      const report = await certify(opened, corpus);
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
  const adapter = await ProcessAdapter.start(toy("--hang-on=queue-create"), { timeoutMs: 500 });
  try {
    const r = await replayScenario(single, adapter);
    assert.equal(r.verdict, "error");
    assert.match(r.reason ?? "", /did not answer apply queue-create within 500 ms; it was killed/);
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

Deno.test("openAdapter() refuses an implementation speaking another protocol version (KSFT_SKIP)", async () => {
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
      /^# verdict: conforms for all 14 scenario operations \(\d+ scenarios\)$/,
    );
    const summary = await Deno.readTextFile(`${tmp}/r/summary.md`);
    assert.match(
      summary,
      /^# leasecheck certify: conforms\n\n\*\*conforms\*\* — model conforms for all 14/,
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
      /: conforms for queue-create, queue-get \(\d+ scenarios\); not certified: bind-rx, newlink, .*, close; \d+ passed, 0 failed/,
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
        /: not certified: no scenario that ran uses bind-rx, newlink, .*, which the implementation declares; 3 passed/,
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
