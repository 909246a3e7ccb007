import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { MUTANT_CHECKS } from "../model/kill_table.ts";
import type { MutantId } from "../model/mutants.ts";
import { leasingSpec } from "../model/spec.ts";
import { scenarioOfTrace } from "./emit/scenario_of_trace.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { parseScenario } from "./parse.ts";
import { ProcessAdapter } from "./process_adapter.ts";
import { replayScenario } from "./replay.ts";

const HEAD = "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '>=7.2'\n" +
  "topology:\n  namespaces: [{ name: init }, { name: ns, nsids: { init: 0 } }]\n" +
  "  physical: [{ name: nsim, kind: netdevsim, queues: 2 }]\n" +
  "  links:\n    - name: host\n      request:\n" +
  "        linkinfo: { kind: netkit, data: { mode: l2, policy: forward, peer-policy: forward } }\n" +
  "        num-rx-queues: 2\n      peer: { name: guest, netns: ns }\n";
const LEASE = "  - netns: ns\n    op: queue-create\n    thread: a\n" +
  "    request: { ifindex: $guest, type: rx, lease: { ifindex: $nsim, queue: { id: 1, type: rx }, " +
  "netns-id: 0 } }\n";

async function replay(text: string) {
  return await replayScenario(parseScenario(HEAD + text, "t.yaml"), new ModelAdapter());
}

Deno.test("a schedule replays step by step on the model: labelled points, then the completion", async () => {
  const r = await replay(
    "steps:\n" + LEASE + "    expect: { reply: { id: 1 } }\n" +
      "  - { op: dellink, request: { ifi-index: $host }, thread: b }\n" +
      "schedule: ['a:virt-locked', a, b]\n",
  );
  assert.equal(r.verdict, "pass", r.reason);
  assert.deepEqual(r.steps.map((s) => s.index), [0, 1]);
});

Deno.test("a schedule the model cannot follow is an error naming the entry", async () => {
  const wrong = await replay(
    "steps:\n" + LEASE + "    expect: { reply: { id: 1 } }\nschedule: ['a:no-such-point', a]\n",
  );
  assert.equal(wrong.verdict, "error");
  assert.match(wrong.reason ?? "", /schedule entry 0 \(a:no-such-point\): thread a is at "/);
});

Deno.test("a thread that needs a lock another holds waits for it, as in the kernel", async () => {
  // b's dellink of the pair runs as far as it can (RTNL, the primary marked) and then waits for
  // the guest's instance lock, which a holds from its first point: b completes only after a,
  // whose lease then finds its netkit going away (ENODEV).
  const r = await replay(
    "steps:\n" + LEASE + "    expect: { error: { errno: ENODEV, code: -19 } }\n" +
      "  - { op: dellink, request: { ifi-index: $host }, thread: b }\n" +
      "  - { op: queue-get, dump: true, netns: ns, thread: b, expect: { reply: [] } }\n" +
      "schedule: ['a:virt-locked', b, a, b]\n",
  );
  assert.equal(r.verdict, "pass", r.reason);
  assert.deepEqual(r.steps.map((s) => s.index), [0, 1, 2], "b's dellink completes after a");
});

// Every mutant that only an interleaving shows (its check explores two operations in flight):
// its counterexample, emitted as a scenario, fails step by step on the mutant and passes on the
// correct model. A lock-order cycle has no single trace to emit (each edge has its own).
const STEPPED = Object.entries(MUTANT_CHECKS).filter(([, c]) =>
  c.check === "spec" && c.config.concurrency >= 2
);

Deno.test("there are interleaving-only mutants to emit", () => {
  assert.ok(STEPPED.length >= 7, STEPPED.map(([id]) => id).join(", "));
});

const LOCK_ORDER = new Set(["C-07", "C-41", "C-43"]);

for (const [id, check] of STEPPED) {
  const what = LOCK_ORDER.has(id)
    ? "is a lock-order cycle (no single trace to emit)"
    : "fails step by step on it and passes on the model";
  Deno.test(`the emitted counterexample of ${id} ${what}`, async () => {
    const config = { ...check.config, mutant: id as MutantId };
    const v = explore(leasingSpec(config)).violations[0];
    assert.ok(v !== undefined, `${id} has no violation`);
    assert.equal(v.kind === "lock-order", LOCK_ORDER.has(id), `${id}: ${v.kind}`);
    if (v.kind === "lock-order") return;
    assert.ok("trace" in v);
    // With the full observation at the end: dumps in a stepped replay keep their entries.
    const emitted = scenarioOfTrace(config, v.trace, {
      name: `cex_${id.toLowerCase()}`,
      observe: true,
    });
    const scenario = parseScenario(emitted.yaml, `cex_${id}.yaml`);
    assert.ok(scenario.schedule?.some((e) => e.label !== undefined), `${id}: not threaded`);
    const onMutant = await replayScenario(scenario, new ModelAdapter({ mutant: id as MutantId }));
    assert.equal(onMutant.verdict, "fail", `${id} on itself: ${onMutant.reason}`);
    if (v.kind === "invariant") assert.match(onMutant.reason ?? "", new RegExp(v.name));
    if (v.kind === "deadlock") assert.match(onMutant.reason ?? "", /deadlock/);
    const onModel = await replayScenario(scenario, new ModelAdapter());
    assert.equal(onModel.verdict, "pass", `${id} on the model: ${onModel.reason}`);
  });
}

// The protocol's schedule mode (PROTOCOL.md): the model as a process, and the toy.
const deno = Deno.execPath();
const serveModel = (...flags: string[]) => [
  deno,
  "run",
  "--allow-read=.",
  new URL("./serve_model.ts", import.meta.url).pathname,
  ...flags,
];
const toy = (...flags: string[]) => [
  deno,
  "run",
  new URL("../examples/toy_impl.ts", import.meta.url).pathname,
  "--schedule",
  ...flags,
];

async function overProtocol(command: string[], text: string, timeoutMs?: number) {
  const adapter = await ProcessAdapter.start(command, timeoutMs ? { timeoutMs } : {});
  try {
    return {
      stepped: adapter.runSchedule !== undefined,
      result: await replayScenario(parseScenario(text, "t.yaml"), adapter),
    };
  } finally {
    await adapter.close();
  }
}

Deno.test("the schedule mode carries a counterexample step by step through a process", async () => {
  const config = { ...MUTANT_CHECKS["C-44"].config, mutant: "C-44" as MutantId };
  const v = explore(leasingSpec(config)).violations[0];
  assert.ok(v !== undefined && "trace" in v);
  const { yaml } = scenarioOfTrace(config, v.trace, { name: "cex_c_44" });
  const onMutant = await overProtocol(serveModel("--mutant=C-44"), yaml);
  assert.equal(onMutant.stepped, true);
  assert.equal(onMutant.result.verdict, "fail", onMutant.result.reason);
  assert.match(onMutant.result.reason ?? "", /invariant INV-T1 is violated/);
  const onModel = await overProtocol(serveModel(), yaml);
  assert.equal(onModel.result.verdict, "pass", onModel.result.reason);
  // Without the schedule mode the same scenario is replayed linearised.
  const linear = await overProtocol(serveModel("--no-schedule"), yaml);
  assert.equal(linear.stepped, false);
});

const TOY = HEAD + "steps:\n" + LEASE + "    expect: { reply: { id: 1 } }\n";

Deno.test("the toy speaks the schedule mode; an unknown point and a hang at a point are errors", async () => {
  const ok = await overProtocol(toy(), TOY + "schedule: ['a:virt-locked', a]\n");
  assert.equal(ok.result.verdict, "pass", ok.result.reason);
  const unknown = await overProtocol(toy(), TOY + "schedule: ['a:nowhere', a]\n");
  assert.equal(unknown.result.verdict, "error");
  assert.match(
    unknown.result.reason ?? "",
    /schedule entry 0 \(a:nowhere\): thread a is at "virt-locked"/,
  );
  const hang = await overProtocol(
    toy("--hang-on=finish"),
    TOY + "schedule: ['a:virt-locked', a]\n",
    2000,
  );
  assert.equal(hang.result.verdict, "error");
  assert.match(hang.result.reason ?? "", /did not answer finish on thread a within 2000 ms/);
});
