import assert from "node:assert/strict";
import { ExactSeenSet, FingerprintSeenSet, NO_PARENT } from "./seen_set.ts";

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
