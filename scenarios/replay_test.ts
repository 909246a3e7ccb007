import assert from "node:assert/strict";
import type { Expectation } from "./format.ts";
import { diffOutcome, lookup, type Outcome } from "./match.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { parseScenario } from "./parse.ts";
import {
  AdapterUnsupportedError,
  linearize,
  type ReplayAdapter,
  replayScenario,
  resolveSymbols,
  type SymbolTable,
  type TeardownReport,
} from "./replay.ts";

const TOPOLOGY = `name: t
description: d
facts: [QC-22]
kernel: "7.1"
topology:
  namespaces:
    - { name: init }
    - { name: ns, nsids: { init: 0 } }
  physical:
    - { name: nsim, kind: netdevsim, queues: 2 }
  links:
    - name: host
      request:
        linkinfo: { kind: netkit, data: { mode: l2, policy: forward, peer-policy: forward } }
        num-rx-queues: 3
      peer: { name: guest, netns: ns }
`;

const LEASE = (expect: string) =>
  `  - netns: ns
    op: queue-create
    request:
      ifindex: $guest
      type: rx
      lease: { ifindex: $nsim, queue: { id: 1, type: rx }, netns-id: 0 }
    expect: ${expect}
`;

const reply = (r: unknown): Outcome => ({ kind: "reply", reply: r as null });

Deno.test("diffOutcome() compares exact replies regardless of key order and reports extra keys", () => {
  const exact: Expectation = {
    kind: "reply",
    match: "exact",
    reply: { id: 1, type: "rx" },
    present: [],
    absent: [],
  };
  assert.deepEqual(diffOutcome(exact, reply({ type: "rx", id: 1 })), []);
  assert.deepEqual(diffOutcome(exact, reply({ id: 1, type: "rx", "napi-id": 7 })), [
    "reply.napi-id: expected absent, got 7",
  ]);
  assert.deepEqual(diffOutcome(exact, reply({ id: 2 })), [
    "reply.id: expected 1, got 2",
    'reply.type: expected "rx", got absent',
  ]);
});

Deno.test("diffOutcome() matches subsets recursively and checks present and absent paths", () => {
  const subset: Expectation = {
    kind: "reply",
    match: "subset",
    reply: [{ lease: { ifindex: 3 } }],
    present: ["[0].napi-id"],
    absent: ["[0].lease.netns-id"],
  };
  assert.deepEqual(
    diffOutcome(subset, reply([{ id: 1, "napi-id": 5, lease: { ifindex: 3, queue: {} } }])),
    [],
  );
  assert.deepEqual(diffOutcome(subset, reply([{ lease: { ifindex: 3, "netns-id": 0 } }])), [
    "reply[0].napi-id: expected present, got absent",
    "reply[0].lease.netns-id: expected absent, got 0",
  ]);
  assert.deepEqual(diffOutcome(subset, reply([])), [
    "reply: expected 1 entries, got 0",
    "reply[0].napi-id: expected present, got absent",
  ]);
});

Deno.test("diffOutcome() checks errno, code and only the extack fields the expectation names", () => {
  const e: Expectation = { kind: "error", errno: "EBUSY", code: -16, extack: "busy" };
  const actual: Outcome = {
    kind: "error",
    errno: "EBUSY",
    code: -16,
    extack: "busy",
    badAttr: ".x",
  };
  assert.deepEqual(diffOutcome(e, actual), []);
  assert.deepEqual(diffOutcome({ ...e, badAttr: null }, actual), [
    'bad-attr: expected none, got ".x"',
  ]);
  assert.deepEqual(diffOutcome({ ...e, extack: null }, actual), [
    'extack: expected none, got "busy"',
  ]);
  assert.deepEqual(diffOutcome(e, { kind: "error", errno: "ERANGE", code: -34 }), [
    "errno: expected EBUSY (-16), got ERANGE (-34)",
    'extack: expected "busy", got none',
  ]);
  assert.deepEqual(diffOutcome(e, reply({ id: 1 })), [
    'expected error EBUSY (-16) "busy", got reply {"id":1}',
  ]);
  assert.deepEqual(diffOutcome({ kind: "ok" }, reply(null)), []);
});

Deno.test("lookup() follows keys and list indexes", () => {
  assert.equal(lookup({ a: [{ b: 2 }] }, "a[0].b"), 2);
  assert.equal(lookup({ a: 1 }, "a.b"), undefined);
  assert.equal(lookup({ a: 1 }, "constructor"), undefined);
});

Deno.test("resolveSymbols() replaces device and binding symbols and leaves other strings", () => {
  const t: SymbolTable = new Map([
    ["eth0", { kind: "device", ifindex: 2, netns: "init" }],
    ["b", { kind: "binding", id: 0 }],
  ]);
  assert.deepEqual(resolveSymbols({ x: ["$eth0", "$b", "$zz", "rx"] }, t), {
    x: [2, 0, "$zz", "rx"],
  });
});

Deno.test("linearize() runs steps at their completing schedule entries, skipping labelled ones", () => {
  const s = parseScenario(
    TOPOLOGY + "steps:\n  - { op: queue-get, dump: true, thread: a }\n" +
      "  - { op: queue-get, dump: true, thread: b }\n  - { op: queue-get, dump: true, thread: a }\n" +
      "schedule: ['a:lock', b, a, 'a:x', a]\n",
    "t.yaml",
  );
  assert.deepEqual(linearize(s).map((x) => x.index), [1, 0, 2]);
});

Deno.test("replayScenario() passes a double lease on the model (QC-22, NK-QC-3)", async () => {
  const s = parseScenario(
    TOPOLOGY + "steps:\n" + LEASE("{ reply: { id: 1 } }") +
      LEASE(
        '{ error: { errno: EBUSY, code: -16, extack: "Device queue in use due to queue leasing" } }',
      ),
    "t.yaml",
  );
  const r = await replayScenario(s, new ModelAdapter());
  assert.equal(r.verdict, "pass");
  assert.equal(r.adapter, "model");
  assert.deepEqual(r.steps.map((x) => x.pass), [true, true]);
  assert.equal(r.steps[0].step.request.ifindex, 3, "the guest's ifindex replaced $guest");
});

Deno.test("replayScenario() fails with a diff when the expectation is wrong, and runs later steps", async () => {
  const s = parseScenario(
    TOPOLOGY + "steps:\n" + LEASE("{ reply: { id: 2 } }") + LEASE("{ error: { errno: EBUSY } }"),
    "t.yaml",
  );
  const r = await replayScenario(s, new ModelAdapter());
  assert.equal(r.verdict, "fail");
  assert.deepEqual(r.steps[0].diff, ["reply.id: expected 2, got 1"]);
  assert.equal(r.steps[1].pass, true);
  const stopped = await replayScenario(s, new ModelAdapter(), { stopOnFailure: true });
  assert.equal(stopped.steps.length, 1);
});

Deno.test("replayScenario() catches the C-02 mutant with the double-lease scenario", async () => {
  const s = parseScenario(
    TOPOLOGY + "steps:\n" + LEASE("{ reply: { id: 1 } }") + LEASE("{ error: { errno: EBUSY } }"),
    "t.yaml",
  );
  const r = await replayScenario(s, new ModelAdapter({ mutant: "C-02" }));
  assert.equal(r.adapter, "model[C-02]");
  assert.equal(r.verdict, "fail");
});

Deno.test("replayScenario() skips a topology the model cannot build (veth)", async () => {
  const s = parseScenario(
    "name: t\ndescription: d\nfacts: [QC-12]\nkernel: '7.1'\ntopology:\n  links:\n" +
      "    - { name: v, request: { linkinfo: { kind: veth } } }\nsteps:\n  - { op: queue-get, dump: true }\n",
    "t.yaml",
  );
  const r = await replayScenario(s, new ModelAdapter());
  assert.equal(r.verdict, "skip");
  assert.match(r.reason ?? "", /no veth devices/);
});

Deno.test("ModelAdapter tracks ifindex changes of symbols across netns moves (NS-1)", async () => {
  const s = parseScenario(
    "name: t\ndescription: d\nfacts: [NS-1]\nkernel: '7.1'\ntopology:\n  namespaces: [{ name: b }]\n" +
      "  physical: [{ name: eth0, kind: netdevsim, queues: 1 }]\n" +
      "  links: [{ name: x, netns: b, request: { linkinfo: { kind: netkit, data: { pairing: single } } } }]\n" +
      "steps:\n  - { op: netns-move, request: { ifindex: $eth0, netns: b } }\n" +
      "  - { op: link-set, netns: b, request: { ifindex: $eth0, up: true } }\n" +
      "  - { op: queue-get, netns: b, request: { ifindex: $eth0, id: 0, type: rx }, " +
      "expect: { reply-subset: { ifindex: $eth0 } } }\n",
    "t.yaml",
  );
  const r = await replayScenario(s, new ModelAdapter());
  assert.equal(r.verdict, "pass", JSON.stringify(r.steps.map((x) => x.diff)));
  assert.notEqual(r.steps[2].step.request.ifindex, 2, "ifindex 2 was taken by x in b");
});

/** The model, with a teardown that fails as an implementation's can (hang, crash, garbage). */
class BrokenTeardown extends ModelAdapter {
  constructor(readonly setupUnsupported = false) {
    super();
  }
  override setup(topology: Parameters<ModelAdapter["setup"]>[0]): Promise<SymbolTable> {
    if (this.setupUnsupported) return Promise.reject(new AdapterUnsupportedError("no netkit"));
    return super.setup(topology);
  }
  override teardown(): Promise<void> {
    return Promise.reject(new Error("the implementation did not answer teardown within 5 ms"));
  }
}

Deno.test("replayScenario() reports a failing teardown as the scenario's error, never throws", async () => {
  const passing = parseScenario(TOPOLOGY + "steps:\n" + LEASE("{ reply: { id: 1 } }"), "t.yaml");
  const r = await replayScenario(passing, new BrokenTeardown());
  assert.equal(r.verdict, "error");
  assert.equal(r.steps.length, 1);
  assert.equal(r.steps[0].pass, true);
  assert.equal(
    r.reason,
    "teardown failed: Error: the implementation did not answer teardown within 5 ms",
  );
  // A failing scenario stays a failure, with both reasons.
  const failing = parseScenario(
    TOPOLOGY + "steps:\n" + LEASE("{ error: { errno: EBUSY } }"),
    "t.yaml",
  );
  const f = await replayScenario(failing, new BrokenTeardown());
  assert.equal(f.verdict, "fail");
  assert.match(f.reason ?? "", /^teardown failed: /);
  // Unsupported setup followed by a broken teardown: an error, not a skip.
  const s = await replayScenario(passing, new BrokenTeardown(true));
  assert.equal(s.verdict, "error");
  assert.equal(
    s.reason,
    "setup: no netkit; teardown failed: Error: the implementation did not answer teardown within 5 ms",
  );
});

/** The model, reporting what a kernel's log would at teardown. */
class Splat implements ReplayAdapter {
  readonly name = "splat";
  readonly #model = new ModelAdapter();
  constructor(readonly lines: readonly string[]) {}
  setup(topology: Parameters<ModelAdapter["setup"]>[0]): Promise<SymbolTable> {
    return this.#model.setup(topology);
  }
  apply(step: Parameters<ModelAdapter["apply"]>[0]): ReturnType<ModelAdapter["apply"]> {
    return this.#model.apply(step);
  }
  async teardown(): Promise<TeardownReport> {
    await this.#model.teardown();
    return { problems: this.lines };
  }
}

Deno.test("replayScenario() fails a scenario whose implementation reports a problem at teardown, even when every reply matched", async () => {
  const passing = parseScenario(TOPOLOGY + "steps:\n" + LEASE("{ reply: { id: 1 } }"), "t.yaml");
  const warn = "kernel: WARNING: CPU: 1 PID: 77 at net/core/dev.c:11401 netdev_run_todo";
  const r = await replayScenario(passing, new Splat([warn, "kernel: Call Trace:"]));
  assert.equal(r.verdict, "fail");
  assert.equal(r.steps[0].pass, true);
  assert.deepEqual(r.problems, [warn, "kernel: Call Trace:"]);
  assert.equal(r.reason, `the implementation reported 2 problems: ${warn} (and more)`);
  // Nothing reported: the verdict is the replies'.
  const clean = await replayScenario(passing, new Splat([]));
  assert.equal(clean.verdict, "pass");
  assert.equal(clean.problems, undefined);
});
