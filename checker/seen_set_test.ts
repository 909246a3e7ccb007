import assert from "node:assert/strict";
import fc from "fast-check";
import { ExactSeenSet, FingerprintSeenSet, NO_PARENT } from "./seen_set.ts";
import { SharedSeenSet } from "./shared_seen_set.ts";

for (const make of [() => new FingerprintSeenSet(2), () => new ExactSeenSet()]) {
  const name = make().constructor.name;
  Deno.test(`${name} keeps every state once across resizes, with its parent and step`, () => {
    const seen = make();
    for (let i = 0; i < 10_000; i++) {
      assert.equal(seen.add({ i }, i === 0 ? NO_PARENT : i - 1, i % 7, i % 11), i);
    }
    for (let i = 0; i < 10_000; i += 97) assert.equal(seen.add({ i }, 0, 0, 0), -1);
    assert.equal(seen.size, 10_000);
    assert.equal(seen.parentOf(0), NO_PARENT);
    assert.equal(seen.parentOf(5000), 4999);
    assert.equal(seen.actionOf(5000), 5000 % 7);
    assert.equal(seen.ordinalOf(5000), 5000 % 11);
    assert.ok(seen.bytesUsed > 0);
  });
}

Deno.test("FingerprintSeenSet stays under 40 bytes per state at 1M states", () => {
  const seen = new FingerprintSeenSet();
  for (let i = 0; i < 1_000_000; i++) seen.addFingerprint(i + 1, i * 2654435761, 0, 0, 0);
  assert.equal(seen.size, 1_000_000);
  assert.ok(seen.bytesUsed / seen.size < 40, `${seen.bytesUsed / seen.size} bytes per state`);
});

/** Adds `fps` to both fingerprint sets and to a Set, asserting the same answer every time. */
function agreeWithSet(fps: readonly { hi: number; lo: number }[]): void {
  const local = new FingerprintSeenSet(2);
  let shared = SharedSeenSet.create(4, 1);
  const model = new Set<string>();
  for (const fp of fps) {
    const key = `${fp.hi}:${fp.lo}`;
    const isNew = !model.has(key);
    model.add(key);
    assert.equal(local.addFingerprint(fp.hi, fp.lo, 0, 0, 0) >= 0, isNew);
    if (shared.full) shared = shared.grow();
    assert.equal(shared.addFingerprint(fp.hi, fp.lo, 0, 0, 0) >= 0, isNew);
  }
  assert.equal(local.size, model.size);
  assert.equal(shared.size, model.size);
}

const fpOf = (i: number) => ({
  hi: ((i % 7) << 20) + (i >>> 3) + 1,
  lo: (Math.imul(i, 0x2545f491) | 1) >>> 0,
});

Deno.test("FingerprintSeenSet and SharedSeenSet answer like a Set for any sequence of fingerprints", () => {
  // The recent-fingerprint cache in front of the table must never change an answer:
  // fingerprints from a small pool, many colliding in the cache, some only in the table.
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 300 }).map(fpOf), { maxLength: 400 }),
      (fps) => agreeWithSet(fps),
    ),
    { numRuns: 300, seed: 5 },
  );
  // Every fingerprint twice over, so both tables grow from 16 slots.
  const all = Array.from({ length: 600 }, (_, i) => fpOf(i % 300));
  agreeWithSet(all);
});
