import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import { exploreParallel, type SpecSource } from "./parallel.ts";
import { decodeToken, replayPath } from "./trace.ts";
import { dieHardSpec, lockOrderSpec } from "../examples/mod.ts";

const source = (name: string, params: SpecSource["params"]): SpecSource => ({
  module: new URL("../examples/mod.ts", import.meta.url).href,
  export: "EXAMPLE_SPECS",
  name,
  params,
});

Deno.test("exploreParallel() with 2 workers counts what explore() counts (LockOrder N=5 K=3)", async () => {
  const r = await exploreParallel(source("lock-order", { n: 5, k: 3, mixed: false }), {
    workers: 2,
  });
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.distinct, 50000);
  assert.equal(r.stats.generated, 96875);
  assert.equal(r.stats.depth, explore(lockOrderSpec({ n: 5, k: 3 })).stats.depth);
  assert.deepEqual(r.lockOrder, [{ from: "A", to: "B" }]);
});

for (const workers of [3, 4]) {
  Deno.test(`exploreParallel() with ${workers} workers counts what explore() counts (LockOrder N=5 K=4)`, async () => {
    const one = explore(lockOrderSpec({ n: 5, k: 4 }));
    const many = await exploreParallel(source("lock-order", { n: 5, k: 4, mixed: false }), {
      workers,
    });
    assert.equal(many.stats.distinct, one.stats.distinct);
    assert.equal(many.stats.generated, one.stats.generated);
    assert.equal(many.stats.depth, one.stats.depth);
    assert.equal(many.stats.parallel!.busyMs.length, workers);
  });
}

Deno.test("exploreParallel() grows its shared table from 16 slots without losing a state", async () => {
  const r = await exploreParallel(source("lock-order", { n: 4, k: 2, mixed: false }), {
    workers: 3,
    initialLog2Slots: 4,
  });
  assert.equal(r.stats.distinct, 2816);
  assert.equal(r.stats.generated, 5248);
});

Deno.test("exploreParallel() finds every MIXED deadlock and the lock-order cycle", async () => {
  const r = await exploreParallel(source("lock-order", { n: 4, k: 2, mixed: true }), {
    workers: 2,
    continueAfterViolation: true,
  });
  assert.equal(r.stats.distinct, 3584);
  assert.equal(r.stats.deadlocked, 144);
  assert.deepEqual(r.violations.map((v) => v.kind).sort(), ["deadlock", "lock-order"]);
});

Deno.test("exploreParallel() reports a shortest counterexample that replays", async () => {
  const r = await exploreParallel(source("die-hard", { goal: 4 }), { workers: 2 });
  const v = r.violations[0];
  assert.equal(v.kind, "invariant");
  assert.equal(v.trace.steps.length - 1, 6);
  const steps = replayPath(dieHardSpec({ goal: 4 }), decodeToken(v.trace.token));
  assert.equal(steps.at(-1)!.state.big, 4);
});

Deno.test("exploreParallel() stops at --max-states and says incomplete", async () => {
  const r = await exploreParallel(source("lock-order", { n: 5, k: 3, mixed: false }), {
    workers: 2,
    maxStates: 1000,
  });
  assert.equal(r.verdict, "incomplete");
  assert.match(r.stoppedBecause ?? "", /max-states 1000/);
  assert.ok(r.stats.distinct >= 1000 && r.stats.distinct < 1100);
});

Deno.test("exploreParallel() rejects a source that names no spec", async () => {
  await assert.rejects(
    () => exploreParallel(source("no-such-spec", {}), { workers: 2 }),
    /Cannot find spec "no-such-spec"/,
  );
});

const testSource = (name: string): SpecSource => ({
  module: new URL("./testdata/specs.ts", import.meta.url).href,
  export: "TEST_SPECS",
  name,
  params: {},
});

Deno.test("exploreParallel() stops as incomplete when memory stays over budget", async () => {
  const r = await exploreParallel(testSource("endless"), {
    workers: 2,
    memoryBudgetBytes: 1,
    maxStates: 50_000_000,
  });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.scope!.engine.stoppedBy, "memory-budget");
  assert.match(r.stoppedBecause ?? "", /memory budget/);
});

Deno.test("exploreParallel() reports a state changed in place as an error", async () => {
  const r = await exploreParallel(testSource("mutating"), { workers: 2 });
  assert.equal(r.verdict, "error");
  const v = r.violations[0];
  assert.ok(v.kind === "error");
  assert.equal(v.name, "immutability");
});

Deno.test("exploreParallel() shows the real queue in its progress and says where time went", async () => {
  const queued: number[] = [];
  const r = await exploreParallel(source("lock-order", { n: 5, k: 4, mixed: false }), {
    workers: 2,
    onProgress: (p) => queued.push(p.queued),
    progressIntervalMs: 1,
  });
  assert.equal(r.verdict, "ok");
  assert.ok(queued.some((q) => q > 0), `progress said ${queued.join(",")}`);
  const p = r.stats.parallel!;
  assert.equal(p.workers, 2);
  assert.equal(p.busyMs.length, 2);
  assert.ok(p.levels >= r.stats.depth);
});
