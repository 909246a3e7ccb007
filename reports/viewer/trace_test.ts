import assert from "node:assert/strict";
import { explore } from "../../checker/explore.ts";
import type { TraceStep } from "../../checker/result.ts";
import { lockOrderSpec } from "../../examples/lock_order.ts";
import { leasingSpec } from "../../model/spec.ts";
import { toJsonValue } from "../text.ts";
import type { RunReport } from "./data.ts";
import {
  diffEntries,
  diffText,
  laneOf,
  lanesOf,
  listTraces,
  requestOf,
  shortLabel,
  touched,
} from "./trace.ts";

function report(results: RunReport["results"]): RunReport {
  return toJsonValue({
    version: 1,
    kind: "check",
    tool: { name: "t", version: "0" },
    results,
  }) as RunReport;
}

const c02 = report([explore(leasingSpec({ mutant: "C-02" }))]);
const mixed = report([explore(lockOrderSpec({ n: 3, k: 2, mixed: true }), {
  continueAfterViolation: true,
})]);

Deno.test("diffEntries() reports appearing and vanishing fields", () => {
  assert.deepEqual(diffEntries({ a: 1 }, { b: 2 }), [
    { path: "a", before: 1, after: undefined },
    { path: "b", before: undefined, after: 2 },
  ]);
  assert.equal(diffText({ path: "a", before: 1, after: undefined }), "a: 1 → (none)");
  assert.deepEqual(diffEntries(1, 2), [{ path: "state", before: 1, after: 2 }]);
});

Deno.test("listTraces() lists each violation, one trace per lock-order edge", () => {
  const traces = listTraces(mixed);
  assert.deepEqual(traces.map((t) => t.kind), ["lock-order", "lock-order", "deadlock"]);
  assert.deepEqual(traces.map((t) => t.id), ["r0v0e0", "r0v0e1", "r0v1"]);
  assert.ok(traces[2].locks?.length === 3);
  assert.match(traces[0].description, /holds . and takes ./);
  assert.equal(listTraces(c02)[0].title, `invariant ${c02.results![0].violations[0].name}`);
});

Deno.test("lanesOf() puts LockOrder steps in the lane of the process named in the label", () => {
  const deadlock = listTraces(mixed)[2];
  const lanes = lanesOf(deadlock.trace, deadlock.locks);
  assert.deepEqual(lanes.names, ["p0", "p1", "p2"]);
  assert.deepEqual(lanes.ofStep, [null, "p0", "p1"]);
  assert.deepEqual(lanes.locks.p0, { held: ["A"] });
  assert.deepEqual(lanes.locks.p2, { held: [] });
});

Deno.test("laneOf() follows process slots, then callers, then one lane", () => {
  const init: TraceStep<unknown> = {
    action: "Init",
    param: 0,
    label: "Init",
    state: { netns: [{ name: "init" }, { name: "ns1" }], procs: [null, null] },
  };
  const started: TraceStep<unknown> = {
    action: "queue-create",
    param: { op: "queue-create", caller: { netns: 1 }, request: { ifindex: 2 } },
    label: "queue-create(...)",
    state: { ...init.state as object, procs: [null, { op: "queue-create", pc: "locked" }] },
  };
  assert.equal(laneOf(init, undefined), null);
  assert.equal(laneOf(started, init), "proc1");
  const resumed: TraceStep<unknown> = {
    action: "step",
    param: 1,
    label: "step(proc1)",
    state: { ...init.state as object, procs: [null, null] },
  };
  assert.equal(laneOf(resumed, started), "proc1");
  assert.equal(shortLabel(resumed, started), "queue-create: locked → done");
  const atomicInit = { ...init, state: { netns: [{ name: "init" }, { name: "ns1" }] } };
  assert.equal(laneOf({ ...started, state: atomicInit.state }, atomicInit), "@ns1");
  assert.equal(
    laneOf({ action: "Fill", param: 2, label: "Fill", state: {} }, { ...init, state: {} }),
    "main",
  );
  assert.equal(
    laneOf({ action: "x", param: { process: "writer" }, label: "x", state: {} }, init),
    "writer",
  );
});

Deno.test("requestOf() shows a model step's ynl request and a resumed process's position", () => {
  const prev: TraceStep<unknown> = {
    action: "Init",
    param: 0,
    label: "Init",
    state: {
      netns: [{ name: "init" }, { name: "ns1" }],
      devices: [{ name: "eth0" }, { name: "nk1" }],
      procs: [{
        op: "queue-create",
        pc: "phys-locked",
        want: 0,
        acquire: true,
        held: [1],
        step: { op: "queue-create", caller: { netns: 1 }, request: { ifindex: 2 } },
      }],
    },
  };
  const step: TraceStep<unknown> = {
    action: "step",
    param: 0,
    label: "step(proc0)",
    state: { ...prev.state as object, procs: [null] },
  };
  const r = requestOf(step, prev);
  assert.equal(r.title, "queue-create continues (step(proc0))");
  assert.deepEqual(r.body, { ifindex: 2 });
  assert.deepEqual(r.notes, [
    "caller: ns1",
    "process: proc0",
    "pc: phys-locked → done",
    "held before: nk1 (dev 1)",
    "acquires: eth0 (dev 0)",
  ]);
  const first = listTraces(c02)[0].trace.steps;
  const q = requestOf(first[1], first[0]);
  assert.equal(q.title, "queue-create");
  assert.equal(typeof q.body, "object");
  assert.deepEqual(requestOf(first[0], undefined), { title: "initial state", notes: [] });
});

Deno.test("touched() maps changed paths to devices, queues, namespaces and processes", () => {
  const t = touched(["devices[2].rxq[0].lease.dev", "devices[3].realRx", "netns[1].nsids[0]"]);
  assert.deepEqual([...t.devices], [2, 3]);
  assert.deepEqual([...t.queues], ["2:0"]);
  assert.deepEqual([...t.netns], [1]);
  assert.deepEqual([...t.procs], []);
});
