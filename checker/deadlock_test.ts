import assert from "node:assert/strict";
import { deadlockOf, describeDeadlockRule, findDeadlock, progressFlags } from "./deadlock.ts";
import type { Spec } from "./spec.ts";

/** A process that must reach 2; Poke is an idle request that is always enabled. */
const spec: Spec<{ pc: number; gate: boolean }> = {
  name: "gate",
  init: [{ pc: 0, gate: false }],
  actions: [
    { name: "Start", next: (s) => (s.pc === 0 ? { ...s, pc: 1 } : undefined) },
    {
      name: "Pass",
      progress: true,
      next: (s) => (s.pc === 1 && s.gate ? { ...s, pc: 2 } : undefined),
    },
    { name: "Poke", next: (s) => s },
  ],
  inFlight: (s) => s.pc === 1,
  isEnd: () => true,
};

Deno.test("findDeadlock() reports in-flight processes without an enabled progress step", () => {
  assert.equal(findDeadlock(spec, { pc: 1, gate: false }), "no-progress");
  assert.equal(findDeadlock(spec, { pc: 1, gate: true }), undefined);
  assert.equal(findDeadlock(spec, { pc: 0, gate: false }), undefined); // nothing in flight
});

Deno.test("deadlockOf() applies the classic rule first and isEnd does not excuse stuck processes", () => {
  assert.equal(
    deadlockOf({ ...spec, isEnd: undefined }, { pc: 2, gate: true }, 0, 0),
    "no-enabled-action",
  );
  assert.equal(deadlockOf(spec, { pc: 2, gate: true }, 0, 0), undefined); // a valid end
  assert.equal(deadlockOf(spec, { pc: 1, gate: false }, 0, 0), "no-progress");
  assert.equal(
    deadlockOf({ ...spec, inFlight: undefined }, { pc: 1, gate: false }, 2, 0),
    undefined,
  );
});

Deno.test("progressFlags() lists the progress actions and rejects inFlight without any", () => {
  assert.deepEqual([...progressFlags(spec)], [0, 1, 0]);
  assert.throws(
    () => progressFlags({ ...spec, actions: spec.actions.filter((a) => !a.progress) }),
    TypeError,
  );
});

Deno.test("describeDeadlockRule() names the process rule only when the spec defines inFlight", () => {
  assert.match(describeDeadlockRule(spec), /processes in flight/);
  assert.doesNotMatch(describeDeadlockRule({ ...spec, inFlight: undefined }), /in flight/);
});
