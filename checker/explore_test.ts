import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import { decodeToken, replayPath } from "./trace.ts";
import { action, type Spec } from "./spec.ts";

/** A grid walk: x, y in 0..size-1, moves right or up; (size-1, size-1) is the end. */
function grid(size: number): Spec<{ x: number; y: number }> {
  return {
    name: `grid${size}`,
    init: [{ x: 0, y: 0 }],
    actions: [
      { name: "Right", next: (s) => (s.x + 1 < size ? { ...s, x: s.x + 1 } : undefined) },
      { name: "Up", next: (s) => (s.y + 1 < size ? { ...s, y: s.y + 1 } : undefined) },
    ],
    isEnd: (s) => s.x === size - 1 && s.y === size - 1,
  };
}

Deno.test("explore() covers a grid exactly: size² states, depth 2(size-1)", () => {
  const r = explore(grid(10));
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.distinct, 100);
  assert.equal(r.stats.generated, 2 * 9 * 10);
  assert.equal(r.stats.depth, 18);
  // Each level lists higher x first, so (x, y-1) is expanded before (x-1, y): Right discovers only
  // the states at y = 0.
  assert.deepEqual(r.stats.perAction, {
    Right: { generated: 90, distinct: 9 },
    Up: { generated: 90, distinct: 90 },
  });
});

Deno.test("explore() finds the shortest counterexample, and its token replays it", () => {
  const spec: Spec<{ x: number; y: number }> = {
    ...grid(10),
    invariants: [{ name: "FarCorner", holds: (s) => !(s.x >= 3 && s.y >= 4) }],
  };
  const r = explore(spec);
  const v = r.violations[0];
  assert.equal(v.kind, "invariant");
  assert.equal(v.name, "FarCorner");
  assert.equal(v.trace.steps.length - 1, 7); // 3 right + 4 up, in some order
  assert.deepEqual(v.trace.steps.at(-1)!.state, { x: 3, y: 4 });
  assert.deepEqual(
    replayPath(spec, decodeToken(v.trace.token)).map((s) => s.state),
    v.trace.steps.map((s) => s.state),
  );
});

Deno.test("explore() checks invariants on initial states", () => {
  const r = explore({
    ...grid(3),
    invariants: [{ name: "NotOrigin", holds: (s) => s.x + s.y > 0 }],
  });
  assert.equal(r.violations[0].kind, "invariant");
  assert.equal(r.violations[0].kind === "invariant" && r.violations[0].trace.steps.length, 1);
});

Deno.test("explore() checks action properties on transitions", () => {
  const spec: Spec<{ x: number; y: number }> = {
    ...grid(4),
    properties: [{
      name: "NoUpFromOne",
      description: "Up is never taken at x = 1",
      holds: (before, _after, step) => !(step.action === "Up" && before.x === 1),
    }],
  };
  const v = explore(spec).violations[0];
  assert.equal(v.kind, "property");
  assert.equal(v.kind === "property" && v.description, "Up is never taken at x = 1");
  assert.deepEqual(v.kind === "property" && v.trace.steps.map((s) => s.action), [
    "Init",
    "Right",
    "Up",
  ]);
});

Deno.test("explore() reports a deadlock unless the state is a valid end state", () => {
  assert.equal(explore(grid(3)).verdict, "ok");
  const noEnd = explore({ ...grid(3), isEnd: undefined });
  assert.equal(noEnd.violations[0].kind, "deadlock");
  assert.equal(explore({ ...grid(3), isEnd: undefined }, { checkDeadlock: false }).verdict, "ok");
});

Deno.test("explore() says incomplete, never ok, when a bound stops it", () => {
  const byStates = explore(grid(50), { maxStates: 100 });
  assert.equal(byStates.verdict, "incomplete");
  assert.equal(byStates.complete, false);
  assert.match(byStates.stoppedBecause ?? "", /max-states 100/);
  assert.equal(byStates.stats.distinct, 100);

  const byDepth = explore(grid(50), { maxDepth: 5 });
  assert.equal(byDepth.verdict, "incomplete");
  assert.equal(byDepth.stats.distinct, 21); // the states at depth 0..5 of a wide grid
  assert.match(byDepth.stoppedBecause ?? "", /max-depth 5/);

  // Depth 4 is grid(3)'s last level: with --max-depth 4 it is not expanded (its successors are
  // unknown), so the run is incomplete; with 5 everything was expanded.
  assert.equal(explore(grid(3), { maxDepth: 4 }).verdict, "incomplete");
  assert.equal(explore(grid(3), { maxDepth: 5 }).verdict, "ok");

  const byTime = explore(grid(3000), { timeBudgetMs: 1 });
  assert.equal(byTime.verdict, "incomplete");
  assert.match(byTime.stoppedBecause ?? "", /time budget/);
});

Deno.test("explore() turns an exception in the spec into an error result with a trace", () => {
  const spec: Spec<{ n: number }> = {
    name: "throws",
    init: [{ n: 0 }],
    actions: [{
      name: "Step",
      next: (s) => {
        if (s.n === 2) throw new Error("boom at 2");
        return { n: s.n + 1 };
      },
    }],
  };
  const r = explore(spec);
  assert.equal(r.verdict, "error");
  const v = r.violations[0];
  assert.ok(v.kind === "error");
  assert.equal(v.name, "Step");
  assert.equal(v.message, "boom at 2");
  assert.deepEqual(v.trace.steps.at(-1)!.state, { n: 2 });
});

Deno.test("explore() refuses a state that is not plain data, naming the field", () => {
  const spec: Spec<{ d: unknown }> = {
    name: "bad",
    init: [{ d: 1 }],
    actions: [{ name: "Date", next: (s) => (s.d === 1 ? { d: new Date(0) } : undefined) }],
  };
  const v = explore(spec).violations[0];
  assert.ok(v.kind === "error");
  assert.match(v.message, /\.d is a Date/);
});

Deno.test("explore() with canonicalize counts symmetric states once", () => {
  // Two identical processes each flip a bit: 4 states, 3 up to symmetry.
  const spec: Spec<{ bits: readonly number[] }> = {
    name: "bits",
    init: [{ bits: [0, 0] }],
    actions: [action<{ bits: readonly number[] }, number>({
      name: "Flip",
      params: [0, 1],
      next: (s, p) => ({ bits: s.bits.with(p, 1 - s.bits[p]) }),
    })],
  };
  assert.equal(explore(spec).stats.distinct, 4);
  const sym = explore({ ...spec, canonicalize: (s) => ({ bits: [...s.bits].sort() }) });
  assert.equal(sym.stats.distinct, 3);
});

Deno.test("explore() enumerates state-dependent parameter domains", () => {
  const spec: Spec<{ n: number }> = {
    name: "choose",
    init: [{ n: 1 }],
    actions: [action<{ n: number }, number>({
      name: "Double",
      params: (s) => (s.n < 8 ? [1, 2] : []),
      next: (s, k) => ({ n: s.n * (k + 1) }),
    })],
    isEnd: () => true,
  };
  const r = explore(spec);
  // 1 → 2, 3; 2 → 4, 6; 3 → 6, 9; 4 → 8, 12; 6 → 12, 18; the rest are >= 8 (empty domain).
  assert.equal(r.stats.distinct, 9);
  assert.equal(r.stats.generated, 10);
});

Deno.test("explore() calls onProgress with growing figures", () => {
  const seen: number[] = [];
  explore(grid(300), { onProgress: (p) => seen.push(p.distinct), progressIntervalMs: 0 });
  assert.ok(seen.length > 0);
  assert.deepEqual([...seen].sort((a, b) => a - b), seen);
});

Deno.test("explore() counts a self-loop (the action returns its input) as a transition, not a deadlock", () => {
  const spec: Spec<{ n: number }> = {
    name: "loops",
    init: [{ n: 0 }],
    actions: [
      { name: "Inc", next: (s) => (s.n < 2 ? { n: s.n + 1 } : undefined) },
      { name: "Fail", next: (s) => s }, // an error reply: nothing changes
    ],
  };
  const r = explore(spec);
  assert.equal(r.verdict, "ok");
  assert.equal(r.stats.distinct, 3);
  assert.equal(r.stats.generated, 5);
  assert.deepEqual(r.stats.perAction.Fail, { generated: 3, distinct: 0 });
});

Deno.test("explore() counts the spec's coverage labels per transition when asked", () => {
  const spec: Spec<{ x: number; y: number }> = {
    ...grid(3),
    labels: (_before, after, step) => (after.x === 2 ? [`${step.action}-to-edge`] : []),
  };
  assert.equal(explore(spec).coverage, undefined); // off by default
  const r = explore(spec, { coverage: true });
  // (1,y) -> (2,y) by Right for y = 0..2, and Up along x = 2 twice.
  assert.deepEqual(r.coverage, { "Right-to-edge": 3, "Up-to-edge": 2 });
});
