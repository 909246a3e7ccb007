import assert from "node:assert/strict";
import { SELFTEST_CONFIG } from "./config.ts";
import { initialState } from "./init.ts";
import { invariants } from "./invariants.ts";
import { drain, PROGRAMS, stepSlot } from "./programs.ts";
import { waitForCycle } from "./process.ts";
import { leasingSpec, requestStep } from "./spec.ts";
import { stepsOf } from "./requests.ts";
import { applyStep, type ModelStep } from "./step.ts";
import type { ModelOptions } from "./mutants.ts";
import type { OperationName } from "./config.ts";
import type { ModelState } from "./state.ts";

const single = {
  ...SELFTEST_CONFIG,
  netkits: [{ name: "nks", netns: "init", pairing: "single" as const, numRxQueues: 2 }],
  concurrency: 2,
};
// Devices: 0 lo@init, 1 lo@ns1, 2 eth0@init (ifindex 2), 3 nks@init (ifindex 3).
const create: ModelStep = {
  op: "queue-create",
  caller: { netns: 0 },
  request: { ifindex: 3, type: "rx", lease: { ifindex: 2, queue: { id: 1, type: "rx" } } },
};
const without = (s: ModelState) => ({ ...s, procs: undefined });
const holds = (name: string) => invariants().find((i) => i.name === name)!;

Deno.test("queue-create racing a physical unregister fails at QC-19 and the unregister completes (UNREG-3, REF-5)", () => {
  const s0 = initialState(single);
  // dev_get_by_index referenced nks: a visible process waiting for nks's lock.
  const s1a = requestStep(s0, create, {})!;
  assert.equal(s1a.procs![0]?.pc, "virt-locked");
  assert.deepEqual(s1a.procs![0]?.holds, [{ dev: 3 }]);
  const s1 = stepSlot(s1a, 0, {})!; // holds nks, waits for eth0
  assert.equal(s1.procs![0]?.pc, "phys-locked");
  const s2 = requestStep(
    s1,
    { op: "phys-remove", caller: { netns: 0 }, request: { ifindex: 2 } },
    {},
  )!;
  assert.equal(s2.devices[2].reg, "unregistering"); // marked under eth0's lock, then the notifier
  assert.equal(s2.procs![1]?.want, 2);
  const s3 = stepSlot(s2, 0, {})!; // QC-19 sees UNREGISTERING: -ENODEV, no lease
  assert.equal(s3.devices[2].rxq[1].lease, null);
  const end = drain(s3);
  assert.deepEqual(end.procs, [null, null]);
  assert.equal(end.devices[2].reg, "gone");
  assert.equal(end.devices[3].reg, "registered");
  for (const inv of invariants()) assert.ok(inv.holds(s3), inv.name);
});

Deno.test("a netns move between QC-15 and QC-19 makes queue-create fail with ENODEV (NS-4), C-40 leases mid-move", () => {
  const move: ModelStep = {
    op: "netns-move",
    caller: { netns: 0 },
    request: { ifindex: 2, netns: "ns1" },
  };
  for (const options of [{}, { mutant: "C-40" }] as ModelOptions[]) {
    const s1: ModelState = stepSlot(requestStep(initialState(single), create, options)!, 0)!;
    const s2: ModelState = requestStep(s1, move, options)!;
    assert.equal(s2.devices[2].movingNs, true);
    const s3: ModelState = stepSlot(s2, 0, options)!;
    assert.equal(s3.devices[2].rxq[1].lease !== null, options.mutant === "C-40");
  }
});

Deno.test("the lock views name lockdep classes, and a process waiting for its own lock is a deadlock (C-13)", () => {
  const spec = leasingSpec({ ...single, operations: ["queue-create", "phys-remove"] });
  const s1 = stepSlot(requestStep(initialState(single), create, {})!, 0, {})!;
  const s2 = requestStep(
    s1,
    { op: "phys-remove", caller: { netns: 0 }, request: { ifindex: 2 } },
    {},
  )!;
  // One view per slot, then the locks operations left locked when they returned (none).
  assert.deepEqual(spec.locks!(s2), [
    { held: ["netdev:virtual"] },
    { held: ["rtnl"] },
    { held: [] },
  ]);
  // The notifier scans under eth0's lock (no lease: nothing to queue), RTNL goes, and
  // netdev_run_todo waits for the reference the create still holds on eth0 (REF-5).
  const s3 = stepSlot(s2, 1, {})!;
  assert.deepEqual(spec.locks!(s3), [{ held: ["netdev:virtual"] }, { held: [] }, { held: [] }]);
  assert.equal(s3.procs![1]?.pc, "todo");
  assert.equal(stepSlot(s3, 1, {}), undefined);
  assert.equal(waitForCycle(s3), undefined);
  // C-13: the notifier keeps eth0's lock; the nested unlease waits for it: a self-deadlock.
  let s = requestStep(initialState(single), create, { mutant: "C-13" })!;
  s = drain(s, { mutant: "C-13" });
  s = requestStep(s, { op: "phys-remove", caller: { netns: 0 }, request: { ifindex: 2 } }, {
    mutant: "C-13",
  })!;
  s = drain(s, { mutant: "C-13" });
  assert.deepEqual(waitForCycle(s), [0]);
  assert.equal(holds("NO-DEADLOCK").holds(s), false);
  assert.equal(holds("INV-K2").holds(s), false); // [rtnl, eth0, nks]: physical before virtual
});

Deno.test({
  name: "every stepped operation run alone step by step ends exactly as its atomic run",
  timeout: 120_000,
  fn: () => {
    const config = { ...SELFTEST_CONFIG, concurrency: 2 };
    // A breadth-first sample of atomic states, walked with the atomic spec's own actions.
    const seen: ModelState[] = [];
    const spec = leasingSpec({ ...config, concurrency: 1 });
    const queue: ModelState[] = [(spec.init as ModelState[])[0]];
    const keys = new Set<string>();
    while (queue.length > 0 && seen.length < 300) {
      const s = queue.shift()!;
      const key = JSON.stringify(s);
      if (keys.has(key)) continue;
      keys.add(key);
      seen.push(s);
      for (const a of spec.actions) {
        const params = typeof a.params === "function" ? [...a.params(s)] : [];
        for (const p of params) {
          const n = a.next(s, p);
          if (n !== undefined && n !== s) queue.push(n);
        }
      }
    }
    let compared = 0;
    for (const s of seen) {
      const slots: ModelState = { ...s, procs: [null, null] };
      for (const op of Object.keys(PROGRAMS) as OperationName[]) {
        for (const step of stepsOf(s, op, { ...config, concurrency: 1 })) {
          const atomic = applyStep(s, step);
          let t = requestStep(slots, step, {});
          assert.ok(t !== undefined, `${step.op} cannot start alone`);
          for (let n = 0; n < 50 && t.procs!.some((p) => p !== null); n++) {
            const next = stepSlot(t, t.procs!.findIndex((p) => p !== null), {});
            assert.ok(next !== undefined, `${step.op} blocks alone`);
            t = next;
          }
          assert.deepEqual(without(t), without(atomic.state), JSON.stringify(step));
          compared++;
        }
      }
    }
    assert.ok(compared > 1000, `compared ${compared}`);
  },
});
