import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeToken, encodeToken, formatValue, ReplayError, replayPath } from "./trace.ts";
import type { Spec } from "./spec.ts";

Deno.test("encodeToken() and decodeToken() round-trip any path", () => {
  const path = fc.record({
    init: fc.nat(),
    steps: fc.array(
      fc.record({ action: fc.nat({ max: 70000 }), ordinal: fc.nat() }, { noNullPrototype: true }),
      { maxLength: 50 },
    ),
  }, { noNullPrototype: true });
  fc.assert(fc.property(path, (p) => assert.deepEqual(decodeToken(encodeToken(p)), p)), {
    seed: 1,
  });
});

Deno.test("decodeToken() rejects malformed tokens with a ReplayError", () => {
  assert.throws(() => decodeToken(""), ReplayError);
  assert.throws(() => decodeToken("2AA"), /version/);
  assert.throws(() => decodeToken("1A*"), /position 2/);
  assert.throws(() => decodeToken("1AA"), /truncated/); // init + half a step
  assert.throws(() => decodeToken("1g"), /truncated/); // continuation digit at the end
});

const counter: Spec<{ n: number }> = {
  name: "counter",
  init: [{ n: 0 }],
  actions: [{
    name: "Add",
    params: [1, 2],
    next: (s: { n: number }, by: unknown) => (s.n < 3 ? { n: s.n + (by as number) } : undefined),
  }],
};

Deno.test("replayPath() rebuilds states and labels, and explains a step that does not fit", () => {
  const steps = replayPath(counter, {
    init: 0,
    steps: [{ action: 0, ordinal: 1 }, { action: 0, ordinal: 0 }],
  });
  assert.deepEqual(steps.map((s) => [s.label, s.state.n]), [["Init", 0], ["Add(2)", 2], [
    "Add(1)",
    3,
  ]]);
  assert.throws(() => replayPath(counter, { init: 1, steps: [] }), /initial state #1/);
  assert.throws(
    () => replayPath(counter, { init: 0, steps: [{ action: 3, ordinal: 0 }] }),
    /action #3/,
  );
  assert.throws(
    () => replayPath(counter, { init: 0, steps: [{ action: 0, ordinal: 2 }] }),
    /no parameter #2/,
  );
  assert.throws(
    () =>
      replayPath(counter, {
        init: 0,
        steps: [{ action: 0, ordinal: 1 }, { action: 0, ordinal: 1 }, { action: 0, ordinal: 0 }],
      }),
    /Add\(1\) is not enabled/,
  );
});

Deno.test("formatValue() renders parameters compactly", () => {
  assert.equal(formatValue(undefined), "");
  assert.equal(formatValue([1, "a"]), "[1, a]");
  assert.equal(formatValue({ dev: "nk0", q: 1, skip: undefined }), "{dev: nk0, q: 1}");
});
