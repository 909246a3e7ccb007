import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import type { Spec } from "./spec.ts";

// Two processes. Process 0 takes A, then (in one step) takes B and releases it again: its lock
// views never show B. Process 1 takes B, then A. Only the acquisitions hook shows A -> B.
type S = { readonly pc: readonly [number, number] };

function spec(withHook: boolean): Spec<S> {
  const held = (s: S) => [
    { held: s.pc[0] === 1 ? ["A"] : [] },
    { held: s.pc[1] === 1 ? ["B"] : s.pc[1] === 2 ? ["B", "A"] : [] },
  ];
  return {
    name: "nested",
    init: [{ pc: [0, 0] }],
    actions: [
      { name: "p0-lock-a", next: (s) => s.pc[0] === 0 ? { pc: [1, s.pc[1]] } : undefined },
      { name: "p0-nested-b", next: (s) => s.pc[0] === 1 ? { pc: [3, s.pc[1]] } : undefined },
      { name: "p1-lock-b", next: (s) => s.pc[1] === 0 ? { pc: [s.pc[0], 1] } : undefined },
      { name: "p1-lock-a", next: (s) => s.pc[1] === 1 ? { pc: [s.pc[0], 2] } : undefined },
    ],
    isEnd: () => true,
    locks: held,
    ...(withHook
      ? {
        acquisitions: (before: S, after: S) =>
          before.pc[0] === 1 && after.pc[0] === 3
            ? [{ process: 0, held: ["A"], acquired: "B" }]
            : undefined,
      }
      : {}),
  };
}

Deno.test("Spec.acquisitions adds the edges of a lock taken and released within one transition", () => {
  const without = explore(spec(false), { checkDeadlock: false });
  assert.deepEqual(without.violations, []);
  assert.deepEqual((without.lockOrder ?? []).map((e) => `${e.from}->${e.to}`), ["B->A"]);
  const withHook = explore(spec(true), { checkDeadlock: false });
  const v = withHook.violations[0];
  assert.equal(v?.kind, "lock-order");
  const edges = (withHook.lockOrder ?? []).map((e) => `${e.from}->${e.to}`).sort();
  assert.deepEqual(edges, ["A->B", "B->A"]);
});
