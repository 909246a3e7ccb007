import assert from "node:assert/strict";
import fc from "fast-check";
import { ByteSink, ByteSource, DecodeError, EncodeError, STRUCTURAL_CODEC } from "./codec.ts";
import { canonicalKey } from "./fingerprint.ts";

/** Random plain data: every kind of value the engine accepts in a state. */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.integer(),
    fc.integer({ min: -40, max: 200 }),
    fc.double(),
    fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 60), 1e-300),
    fc.bigInt(),
    fc.string({ unit: "binary" }),
    fc.constantFrom("head", "got1", "cs", ""),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 3 }), tie("value"), { maxKeys: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "0", "10", "__proto__"), tie("value"), {
      maxKeys: 3,
      noNullPrototype: false,
    }),
    fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((e) => new Map(e)),
    fc.array(tie("value"), { maxLength: 3 }).map((e) => new Set(e)),
  ),
})).value;

function roundTrip(values: readonly unknown[]): unknown[] {
  const sink = new ByteSink(16); // tiny, so growth is exercised
  for (const v of values) STRUCTURAL_CODEC.encode(v, sink);
  const source = new ByteSource(sink.bytes());
  const out = values.map(() => STRUCTURAL_CODEC.decode(source));
  assert.equal(source.done, true);
  return out;
}

Deno.test("STRUCTURAL_CODEC decodes random plain data to structurally identical values", () => {
  fc.assert(
    fc.property(fc.array(plain, { maxLength: 6 }), (values) => {
      assert.deepStrictEqual(roundTrip(values), values);
    }),
    { numRuns: 3000, seed: 17 },
  );
});

Deno.test("STRUCTURAL_CODEC keeps key order, Map and Set order, so canonical keys agree", () => {
  fc.assert(
    fc.property(plain, (v) => {
      const [back] = roundTrip([v]);
      assert.equal(canonicalKey(back), canonicalKey(v));
      if (v instanceof Map) {
        assert.deepEqual([...(back as Map<unknown, unknown>).keys()], [...v.keys()]);
      }
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        assert.deepEqual(Object.keys(back as object), Object.keys(v));
      }
    }),
    { numRuns: 1000, seed: 3 },
  );
});

Deno.test("STRUCTURAL_CODEC writes a shared sub-object once per chunk and decodes it shared", () => {
  const device = { name: "eth0", rxq: [{ lease: null }, { lease: null }], up: true };
  const a = { devices: [device, { ...device, name: "nk0" }], n: 1 };
  const b = { ...a, n: 2 }; // a successor sharing a.devices
  const sink = new ByteSink();
  STRUCTURAL_CODEC.encode(a, sink);
  const first = sink.length;
  STRUCTURAL_CODEC.encode(b, sink);
  assert.ok(sink.length - first <= 6, `the second state took ${sink.length - first} bytes`);
  const source = new ByteSource(sink.bytes());
  const [x, y] = [STRUCTURAL_CODEC.decode(source), STRUCTURAL_CODEC.decode(source)] as (typeof a)[];
  assert.deepEqual([x, y], [a, b]);
  assert.equal(x.devices, y.devices);
  // A new chunk starts from nothing: it decodes on its own.
  sink.reset();
  STRUCTURAL_CODEC.encode(b, sink);
  assert.deepEqual(STRUCTURAL_CODEC.decode(new ByteSource(sink.bytes())), b);
});

Deno.test("ByteSink interns repeated strings and shapes: a repeated record costs a few bytes", () => {
  const sink = new ByteSink();
  const rec = () => ({ kind: "netkit", mode: "l2", up: true, rxq: 2 });
  sink.value(rec());
  const first = sink.length;
  sink.value(rec());
  assert.equal(sink.length - first, 5); // shape id, 2 string ids, true, 2
});

Deno.test("ByteSink refuses what is not plain data, and ByteSource refuses bad bytes", () => {
  assert.throws(() => new ByteSink().value({ when: new Date(0) }), EncodeError);
  assert.throws(() => new ByteSink().value(() => 1), EncodeError);
  const sink = new ByteSink();
  sink.value({ a: [1, 2, 3] });
  const bytes = sink.bytes();
  assert.throws(() => new ByteSource(bytes.subarray(0, bytes.length - 1)).value(), DecodeError);
  assert.throws(() => new ByteSource(Uint8Array.of(0xaf)).value(), DecodeError);
});

Deno.test("ByteSink primitives round-trip at their limits", () => {
  const ints = [
    0,
    1,
    -1,
    127,
    128,
    -(2 ** 31),
    2 ** 31,
    2 ** 51,
    -(2 ** 51),
  ];
  const sink = new ByteSink(1);
  for (const n of ints) sink.int(n);
  sink.varint(Number.MAX_SAFE_INTEGER);
  sink.float(-0);
  sink.string("\ud800x\u{1f600}");
  const source = new ByteSource(sink.bytes());
  assert.deepEqual(ints.map(() => source.int()), ints);
  assert.equal(source.varint(), Number.MAX_SAFE_INTEGER);
  assert.ok(Object.is(source.float(), -0));
  assert.equal(source.string(), "\ud800x\u{1f600}");
  assert.throws(() => sink.int(2 ** 52), RangeError);
  assert.throws(() => sink.int(0.5), RangeError);
});
