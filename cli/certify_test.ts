import assert from "node:assert/strict";
import { MUTANTS } from "../model/mutants.ts";
import { certify } from "../scenarios/certify.ts";
import { loadScenarios } from "../scenarios/load.ts";
import { MUTANTS_INVISIBLE_TO_REPLIES } from "../scenarios/mutant_visibility.ts";
import { parseScenario } from "../scenarios/parse.ts";
import { ProcessAdapter } from "../scenarios/process_adapter.ts";
import { replayScenario } from "../scenarios/replay.ts";
import { openAdapter } from "./adapters.ts";

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
