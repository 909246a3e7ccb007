import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import { exploreParallel } from "./parallel.ts";
import { simulate } from "./simulate.ts";
import type { Spec } from "./spec.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";

const bits: Spec<{ bits: readonly number[] }> = {
  name: "bits",
  init: [{ bits: [0, 0] }],
  actions: [{
    name: "Flip",
    params: [0, 1],
    next: (s, p) => ({ bits: s.bits.with(p as number, 1 - s.bits[p as number]) }),
  }],
};

Deno.test("explore() records an exhaustive search, its fingerprints and checks in the scope", () => {
  const r = explore(lockOrderSpec({ n: 3, k: 1 }));
  const e = r.scope!.engine;
  assert.equal(e.search, "exhaustive");
  assert.equal(e.stoppedBy, undefined);
  assert.deepEqual(e.bounds, {});
  assert.deepEqual(e.fingerprints, r.fingerprints);
  assert.equal(e.symmetry, false);
  assert.deepEqual(e.reductions, []);
  assert.deepEqual(e.checks, {
    invariants: 2,
    properties: 0,
    deadlock: "no enabled action and not a valid end state",
    lockOrder: "checked",
    coverage: false,
  });
  assert.equal(e.workers, 1);
  assert.equal(r.scope!.declared, true);
  assert.equal(r.scope!.spec.bounds, "N=3 processes, K=1 rounds each");
});

Deno.test("explore() names the bound that stopped a partial search", () => {
  const byStates = explore(lockOrderSpec({ n: 3, k: 2 }), { maxStates: 50 }).scope!.engine;
  assert.equal(byStates.search, "partial");
  assert.equal(byStates.stoppedBy, "max-states");
  assert.deepEqual(byStates.bounds, { maxStates: 50 });
  const byDepth = explore(lockOrderSpec({ n: 3, k: 2 }), { maxDepth: 3 }).scope!.engine;
  assert.equal(byDepth.stoppedBy, "max-depth");
  // A bound given but not reached leaves the search exhaustive.
  const roomy = explore(lockOrderSpec({ n: 3, k: 1 }), { maxStates: 10_000 }).scope!.engine;
  assert.equal(roomy.search, "exhaustive");
  assert.deepEqual(roomy.bounds, { maxStates: 10_000 });
  const violated = explore({ ...lockOrderSpec({ n: 3, k: 2, mixed: true }), locks: undefined });
  assert.equal(violated.scope!.engine.search, "partial");
  assert.equal(violated.scope!.engine.stoppedBy, "violation");
});

Deno.test("explore() records symmetry, exact keys and checks turned off", () => {
  const r = explore({ ...bits, canonicalize: (s) => ({ bits: [...s.bits].sort() }) }, {
    exact: true,
    checkDeadlock: false,
  });
  const e = r.scope!.engine;
  assert.equal(e.symmetry, true);
  assert.equal(e.reductions.length, 1);
  assert.match(e.reductions[0], /^symmetry/);
  assert.deepEqual(e.fingerprints, { mode: "exact" });
  assert.equal(e.checks.deadlock, null);
  assert.equal(e.checks.lockOrder, "unavailable");
  assert.equal(r.scope!.declared, false);
  const off = explore(lockOrderSpec({ n: 2, k: 1 }), { checkLockOrder: false });
  assert.equal(off.scope!.engine.checks.lockOrder, "off");
});

Deno.test("explore() calls a scope function once and keeps its sections", () => {
  let calls = 0;
  const r = explore({
    ...bits,
    scope: () => {
      calls++;
      return {
        bounds: "2 bits",
        sections: [{ title: "bounded domains", entries: [{ name: "bits", value: 2 }] }],
      };
    },
  });
  assert.equal(calls, 1);
  assert.deepEqual(r.scope!.spec.sections[0].entries, [{ name: "bits", value: 2 }]);
});

Deno.test("exploreParallel() records its workers and the same search as explore()", async () => {
  const r = await exploreParallel({
    module: new URL("../examples/mod.ts", import.meta.url).href,
    export: "EXAMPLE_SPECS",
    name: "lock-order",
    params: { n: 3, k: 1, mixed: false },
  }, { workers: 2, maxDepth: 4 });
  assert.equal(r.scope!.engine.workers, 2);
  assert.equal(r.scope!.engine.search, "partial");
  assert.equal(r.scope!.engine.stoppedBy, "max-depth");
  assert.deepEqual(r.scope!.engine.bounds, { maxDepth: 4 });
});

Deno.test("simulate() records its walks and seed and never claims an exhaustive search", () => {
  const r = simulate(lockOrderSpec({ n: 3, k: 1 }), { seed: 9, walks: 30, depth: 20 });
  const e = r.scope!.engine;
  assert.equal(e.search, "simulation");
  assert.deepEqual(e.walks, { requested: 30, run: 30, depth: 20, seed: 9 });
});
