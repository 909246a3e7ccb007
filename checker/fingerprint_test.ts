import assert from "node:assert/strict";
import fc from "fast-check";
import {
  canonicalKey,
  fingerprint,
  fingerprintHex,
  fingerprintShared,
  lastHi,
  lastLo,
} from "./fingerprint.ts";

Deno.test("fingerprint() ignores object key order and Map/Set insertion order", () => {
  assert.deepEqual(fingerprint({ a: 1, b: "x" }), fingerprint({ b: "x", a: 1 }));
  assert.deepEqual(
    fingerprint(new Map([[1, "a"], [2, "b"]])),
    fingerprint(new Map([[2, "b"], [1, "a"]])),
  );
  assert.deepEqual(fingerprint(new Set([1, 2, 3])), fingerprint(new Set([3, 1, 2])));
});

Deno.test("fingerprint() tells apart values that differ only in type, order or nesting", () => {
  const values: unknown[] = [
    0,
    -0,
    1,
    "1",
    true,
    false,
    null,
    undefined,
    1n,
    [],
    {},
    [1, 2],
    [2, 1],
    [[1], 2],
    [1, [2]],
    { a: 1 },
    { a: "1" },
    { a: [1] },
    { b: 1 },
    new Map([[1, 2]]),
    new Map([[2, 1]]),
    new Set([1]),
    [undefined],
    { a: undefined },
    0.5,
    1e300,
    "ab",
    "ba",
    ["a", "b"],
    ["ab"],
  ];
  const seen = new Map<string, unknown>();
  for (const v of values) {
    const hex = fingerprintHex(fingerprint(v));
    assert.ok(!seen.has(hex), `${String(v)} collides with ${String(seen.get(hex))}`);
    seen.set(hex, v);
  }
});

Deno.test("fingerprint() and canonicalKey() agree on equality for random plain data", () => {
  const data = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom("a", "b", "head"),
      fc.boolean(),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("x", "y", "z"), tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  fc.assert(
    fc.property(data, data, (a, b) => {
      const sameKey = canonicalKey(a) === canonicalKey(b);
      const sameFp = fingerprintHex(fingerprint(a)) === fingerprintHex(fingerprint(b));
      return sameKey === sameFp;
    }),
    { numRuns: 2000, seed: 7 },
  );
});

Deno.test("fingerprint() rejects a class instance and names where it sits", () => {
  assert.throws(
    () => fingerprint({ devices: [{ when: new Date(0) }] }),
    (e: unknown) => e instanceof TypeError && /devices\[0\]\.when is a Date/.test(e.message),
  );
  assert.throws(() => fingerprint({ f: () => 1 }), /\.f is a function/);
});

Deno.test("canonicalKey() sorts keys and entries", () => {
  assert.equal(canonicalKey({ b: [1, "x"], a: null }), '{"a":N,"b":[1,"x"]}');
  assert.equal(canonicalKey(new Set([2, 1])), "S{1,2}");
});

Deno.test("fingerprint() of states sharing sub-objects equals that of fresh deep copies", () => {
  // The identity memo must never change a result: build states that share subtrees at the same
  // and at different positions, interleave them, and compare with structured clones.
  const shared = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(shared, shared, fc.nat(3)), { minLength: 1, maxLength: 20 }),
      (rows) => {
        const pool = rows.map(([a, b]) => ({ a, b }));
        for (const [i, [, , pick]] of rows.entries()) {
          const state = { x: pool[i], y: pool[(i + pick) % pool.length], z: [pool[i].a, pool[i]] };
          const copy = structuredClone(state);
          if (
            fingerprintHex(fingerprint(state)) !== fingerprintHex(fingerprint(copy))
          ) return false;
        }
        return true;
      },
    ),
    { numRuns: 500, seed: 11 },
  );
});

Deno.test("fingerprint() never returns a stale hash after an object is changed in place", () => {
  const inner = { pc: ["head", "head"], n: 1 };
  const state = { procs: [inner, inner], k: 0 };
  const before = fingerprintHex(fingerprint(state));
  inner.pc[1] = "cs"; // an in-place change after hashing
  inner.n = 2;
  const after = fingerprintHex(fingerprint(state));
  assert.notEqual(after, before);
  assert.equal(after, fingerprintHex(fingerprint(structuredClone(state))));
  const m = new Map([[1, [1]]]);
  const withMap = fingerprintHex(fingerprint({ m }));
  m.get(1)!.push(2);
  assert.notEqual(fingerprintHex(fingerprint({ m })), withMap);
});

Deno.test("fingerprintShared() reuses sub-object hashes only until the next fresh fingerprint", () => {
  const shared = { a: [1, 2, 3] };
  fingerprintShared({ x: shared });
  const remembered = [lastHi, lastLo];
  shared.a[0] = 9; // breaks the contract: the shared path may keep the old hash
  fingerprintShared({ x: shared });
  assert.deepEqual([lastHi, lastLo], remembered);
  // A fresh fingerprint (what the engine's sampled check does) sees the change...
  const fresh = fingerprint({ x: shared });
  assert.notDeepEqual([fresh.hi, fresh.lo], remembered);
  // ...and the shared path hashes afresh from then on.
  fingerprintShared({ x: shared });
  assert.deepEqual([lastHi, lastLo], [fresh.hi, fresh.lo]);
});

Deno.test("fingerprint() halves are never 0 (both engines store the same values)", () => {
  for (let i = 0; i < 20_000; i++) {
    const fp = fingerprint([i, "x"]);
    assert.ok(fp.hi !== 0 && fp.lo !== 0);
  }
});
