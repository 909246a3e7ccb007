import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import { deepFreeze, VerifyQueue } from "./immutable.ts";
import type { Spec } from "./spec.ts";

type S = { readonly counts: number[]; readonly n: number };

/** A spec that breaks the contract: Bump changes the parent's shared array in place. */
function mutating(): Spec<S> {
  return {
    name: "mutating",
    init: [{ counts: [0, 0], n: 0 }],
    actions: [
      { name: "Next", next: (s) => (s.n < 40 ? { ...s, n: s.n + 1 } : undefined) },
      {
        name: "Bump",
        next: (s) => {
          if (s.n !== 5) return undefined;
          s.counts[0]++; // in place: every state sharing `counts` changes
          return { ...s, n: 100 };
        },
      },
    ],
    isEnd: () => true,
  };
}

Deno.test("deepFreeze() makes writes to objects, arrays, Maps and Sets throw", () => {
  const s = deepFreeze({ a: [1, { b: 2 }], m: new Map([["k", [1]]]), t: new Set([1]) });
  assert.throws(() => {
    (s.a as unknown[]).push(3);
  }, TypeError);
  assert.throws(() => {
    (s.a[1] as { b: number }).b = 3;
  }, TypeError);
  assert.throws(() => s.m.delete("k"), TypeError);
  assert.throws(() => s.m.get("k")!.push(2), TypeError);
  assert.throws(() => s.t.add(2), TypeError);
  assert.equal(s.m.get("k")![0], 1);
});

Deno.test("explore() reports a state changed in place as an error, not a wrong verdict", () => {
  const r = explore(mutating());
  assert.equal(r.verdict, "error");
  const v = r.violations[0];
  assert.ok(v.kind === "error");
  assert.equal(v.name, "immutability");
  assert.match(v.message, /changed after it was stored/);
});

Deno.test("explore() with checkImmutable names the action that writes to a state", () => {
  const r = explore(mutating(), { checkImmutable: true });
  assert.equal(r.verdict, "error");
  const v = r.violations[0];
  assert.ok(v.kind === "error");
  assert.equal(v.name, "Bump");
  assert.match(v.message, /read.only|Cannot (assign|add)/);
  assert.equal(v.trace.steps.at(-1)!.state.n, 5);
});

Deno.test("explore() with checkImmutable gives the same answer on a spec that keeps the contract", () => {
  const spec: Spec<S> = { ...mutating(), actions: mutating().actions.slice(0, 1) };
  const plain = explore(spec);
  const frozen = explore(spec, { checkImmutable: true });
  assert.equal(frozen.verdict, "ok");
  assert.equal(frozen.stats.distinct, plain.stats.distinct);
  assert.equal(frozen.stats.generated, plain.stats.generated);
});

Deno.test("VerifyQueue samples one index in 16 and hands fingerprints back in order", () => {
  const q = new VerifyQueue();
  for (let i = 0; i < 5000; i++) q.record(i, i, i + 1);
  for (let i = 0; i < 5000; i++) {
    const got = q.take(i);
    if (i % 16 === 0) assert.deepEqual(got, [i, i + 1]);
    else assert.equal(got, undefined);
  }
});
