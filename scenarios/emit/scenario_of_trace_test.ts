import assert from "node:assert/strict";
import type { Trace } from "../../checker/result.ts";
import { DEFAULT_CONFIG } from "../../model/config.ts";
import { initialState } from "../../model/init.ts";
import type { ModelState } from "../../model/state.ts";
import { ModelAdapter } from "../model_adapter.ts";
import { parseScenario } from "../parse.ts";
import { linearize, replayScenario } from "../replay.ts";
import { UnsupportedStepError } from "./_run.ts";
import { ATOMIC, CAN_RUN, checkMutant, denoFmt } from "./_test_util.ts";
import { scenarioOfTrace, SteppedTraceError, topologyOf } from "./scenario_of_trace.ts";

Deno.test("topologyOf() writes namespaces, physical devices and netkits as NEWLINK requests", () => {
  const t = topologyOf({
    ...ATOMIC,
    physical: [{ name: "eth0", netns: "init", driver: "mlx5", queues: 2, maxChannels: 4 }],
  });
  assert.deepEqual(t.namespaces, [{ name: "init" }, { name: "ns1", nsids: { init: 0 } }]);
  assert.deepEqual(t.physical, [{ name: "eth0", kind: "mlx5", queues: 2, "max-channels": 4 }]);
  const pair = t.links[0] as { request: { linkinfo: { data: Record<string, unknown> } } };
  assert.deepEqual(pair.request.linkinfo.data["peer-info"], {
    ifname: "nk1",
    "num-rx-queues": 2,
    "net-ns": "ns1",
  });
  assert.deepEqual(t.links[0].peer, { name: "nk1", netns: "ns1" });
});

Deno.test("scenarioOfTrace() writes a mutant counterexample with the correct model's replies", async () => {
  const { config, violation } = checkMutant("C-02");
  assert.ok(violation.kind === "invariant");
  const s = scenarioOfTrace(config, violation.trace, { name: "cex_c02", facts: [violation.name] });
  const parsed = parseScenario(s.yaml, "cex_c02.yaml");
  assert.equal(parsed.name, "cex_c02");
  assert.equal(parsed.kernel, ">=7.1");
  assert.deepEqual(parsed.facts.slice(0, 2), ["INV-L1", "C-02"]);
  assert.ok(parsed.facts.includes("QC-22"));
  assert.equal(parsed.steps.length, violation.trace.steps.length - 1);
  const last = parsed.steps.at(-1)!;
  assert.equal(last.op, "queue-create");
  assert.equal(last.expect.kind, "error");
  assert.equal(last.expect.kind === "error" && last.expect.errno, "EBUSY");
  assert.match(last.note ?? "", /^C-02 gives: reply \{"id":1\}$/);
  // Requests name devices by symbol; the netns id stays a number.
  const lease = last.request.lease as Record<string, unknown>;
  assert.equal(lease.ifindex, "$eth0");
  assert.ok(String(last.request.ifindex).startsWith("$"));
  // The correct model adapter passes it; the mutant's adapter fails the diverging step.
  const ok = await replayScenario(parsed, new ModelAdapter());
  assert.equal(ok.verdict, "pass", JSON.stringify(ok.steps.map((r) => r.diff)));
  const bad = await replayScenario(parsed, new ModelAdapter({ mutant: "C-02" }));
  assert.equal(bad.verdict, "fail");
  assert.deepEqual(bad.steps.filter((r) => !r.pass).map((r) => r.index), [parsed.steps.length - 1]);
});

Deno.test({
  name: "scenarioOfTrace() output is stable under deno fmt",
  ignore: !CAN_RUN,
  async fn() {
    const { config, violation } = checkMutant("C-02");
    assert.ok(violation.kind === "invariant");
    const s = scenarioOfTrace(config, violation.trace, { name: "cex_c02" });
    assert.equal(await denoFmt(s.yaml), s.yaml);
  },
});

Deno.test("scenarioOfTrace() writes processes of a stepped trace as threads with a schedule", async () => {
  const { config, violation } = checkMutant("C-02", { ...DEFAULT_CONFIG, concurrency: 2 });
  assert.ok(violation.kind === "invariant");
  const s = scenarioOfTrace(config, violation.trace, { name: "cex_c02_stepped" });
  const parsed = parseScenario(s.yaml, "cex_c02_stepped.yaml");
  assert.ok(parsed.schedule !== undefined && parsed.schedule.length > parsed.steps.length);
  assert.ok(parsed.steps.every((st) => st.thread !== undefined));
  assert.ok(parsed.schedule.some((e) => e.label !== undefined));
  assert.equal(linearize(parsed).length, parsed.steps.length);
  const ok = await replayScenario(parsed, new ModelAdapter());
  assert.equal(ok.verdict, "pass", JSON.stringify(ok.steps.map((r) => r.diff)));
});

Deno.test("scenarioOfTrace() fails with 'cannot emit stepped action' on an unknown action", () => {
  const init = initialState({ ...DEFAULT_CONFIG, concurrency: 2 } as typeof DEFAULT_CONFIG);
  const trace: Trace<ModelState> = {
    token: "1A",
    steps: [
      { action: "Init", param: 0, label: "Init", state: init },
      { action: "step", param: 0, label: "step(proc0)", state: init },
    ],
  };
  assert.throws(
    () => scenarioOfTrace({ ...DEFAULT_CONFIG, concurrency: 2 }, trace, { name: "x" }),
    (e: unknown) =>
      e instanceof SteppedTraceError &&
      /Cannot emit stepped action step\(proc0\) yet/.test(e.message),
  );
});

Deno.test("scenarioOfTrace() rejects model operations scenarios cannot express", () => {
  const init = initialState(ATOMIC as typeof DEFAULT_CONFIG);
  const trace: Trace<ModelState> = {
    token: "1A",
    steps: [
      { action: "Init", param: 0, label: "Init", state: init },
      {
        action: "driver-channels",
        param: { op: "driver-channels", request: { device: 2 } },
        label: "driver-channels",
        state: init,
      },
    ],
  };
  assert.throws(
    () => scenarioOfTrace(ATOMIC, trace, { name: "x" }),
    (e: unknown) => e instanceof UnsupportedStepError && /driver-channels/.test(e.message),
  );
});

Deno.test("scenarioOfTrace() rejects a trace from another configuration", () => {
  const { violation } = checkMutant("C-02");
  assert.ok(violation.kind === "invariant");
  assert.throws(
    () => scenarioOfTrace({ ...ATOMIC, netkits: [] }, violation.trace, { name: "x" }),
    (e: unknown) => e instanceof TypeError && /initial state/.test(e.message),
  );
});
