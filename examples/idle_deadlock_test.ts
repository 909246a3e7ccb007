import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { exploreParallel } from "../checker/parallel.ts";
import { simulate } from "../checker/simulate.ts";
import { idleDeadlockSpec } from "./idle_deadlock.ts";

const source = (params: Record<string, boolean>) => ({
  module: new URL("./mod.ts", import.meta.url).href,
  export: "EXAMPLE_SPECS",
  name: "idle-deadlock",
  params: { ordered: false, progress: true, ...params },
});

Deno.test("explore() finds the deadlock an always-enabled idle request hides, with the process rule", () => {
  const result = explore(idleDeadlockSpec(), { checkLockOrder: false });
  assert.equal(result.verdict, "violation");
  const v = result.violations[0];
  assert.ok(v.kind === "deadlock");
  assert.equal(v.rule, "no-progress");
  assert.deepEqual(v.trace.steps.map((s) => s.label), [
    "Init",
    "Start(p0)",
    "Start(p1)",
    "Lock(p0)",
    "Lock(p1)",
  ]);
  assert.deepEqual(v.trace.steps.at(-1)!.state, { owner: { A: 1, B: 2 }, pc: [2, 2] });
  assert.deepEqual(v.locks, [{ held: ["A"], waiting: "B" }, { held: ["B"], waiting: "A" }]);
});

Deno.test("explore() misses that deadlock with the classic rule alone (no progress hooks)", () => {
  const result = explore(idleDeadlockSpec({ progress: false }), { checkLockOrder: false });
  assert.equal(result.verdict, "ok");
  assert.equal(result.stats.deadlocked, 0);
  // The same states: only the deadlock rule differs.
  assert.equal(
    result.stats.distinct,
    explore(idleDeadlockSpec(), { checkLockOrder: false, continueAfterViolation: true }).stats
      .distinct,
  );
});

Deno.test("explore() counts every stuck state and none when the locks are ordered", () => {
  const opposite = explore(idleDeadlockSpec(), {
    checkLockOrder: false,
    continueAfterViolation: true,
  });
  assert.equal(opposite.complete, true);
  assert.equal(opposite.stats.deadlocked, 1);
  const ordered = explore(idleDeadlockSpec({ ordered: true }));
  assert.equal(ordered.verdict, "ok");
  assert.equal(ordered.stats.deadlocked, 0);
  assert.deepEqual(ordered.lockOrder, [{ from: "A", to: "B" }]);
});

Deno.test("explore() does not report the deadlock when the deadlock check is off", () => {
  const result = explore(idleDeadlockSpec(), { checkLockOrder: false, checkDeadlock: false });
  assert.equal(result.verdict, "ok");
});

Deno.test("exploreParallel() applies the same process rule", async () => {
  const found = await exploreParallel(source({}), { workers: 2, checkLockOrder: false });
  const v = found.violations[0];
  assert.ok(v?.kind === "deadlock");
  assert.equal(v.rule, "no-progress");
  assert.equal(v.trace.steps.length - 1, 4);
  const missed = await exploreParallel(source({ progress: false }), {
    workers: 2,
    checkLockOrder: false,
  });
  assert.equal(missed.verdict, "ok");
});

Deno.test("simulate() applies the same process rule", () => {
  const found = simulate(idleDeadlockSpec(), {
    seed: 4,
    walks: 200,
    depth: 30,
    checkLockOrder: false,
  });
  const v = found.violations[0];
  assert.ok(v?.kind === "deadlock");
  assert.equal(v.rule, "no-progress");
  const missed = simulate(idleDeadlockSpec({ progress: false }), {
    seed: 4,
    walks: 200,
    depth: 30,
    checkLockOrder: false,
  });
  assert.equal(missed.violations.length, 0);
});

Deno.test("explore() refuses a spec with inFlight but no progress action", () => {
  const spec = idleDeadlockSpec();
  assert.throws(
    () => explore({ ...spec, actions: spec.actions.map((a) => ({ ...a, progress: false })) }),
    /defines inFlight but marks no action as progress/,
  );
});
