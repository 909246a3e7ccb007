import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { gateLockSpec } from "./gate_lock.ts";

Deno.test("explore() finds no deadlock in GateLock but reports the lock-order cycle A -> B -> A", () => {
  const result = explore(gateLockSpec(), { continueAfterViolation: true });
  assert.equal(result.stats.distinct, 11);
  assert.equal(result.stats.deadlocked, 0);
  assert.equal(result.complete, true);
  assert.deepEqual(result.violations.map((v) => v.kind), ["lock-order"]);
  const v = result.violations[0];
  assert.ok(v.kind === "lock-order");
  assert.deepEqual(v.cycle.map((e) => `${e.from}->${e.to}@${e.process}`).sort(), [
    "A->B@p0",
    "B->A@p1",
  ]);
});

Deno.test("explore() finds the real deadlock of GateLock without the gate", () => {
  const result = explore({ ...gateLockSpec({ gate: false }), locks: undefined });
  const v = result.violations[0];
  assert.equal(v.kind, "deadlock");
  assert.equal(v.trace.steps.length - 1, 2);
});
