import assert from "node:assert/strict";
import { AUTO_ENCODE_AFTER, CHUNK_STATES, Frontier, type FrontierMode } from "./frontier.ts";
import { ByteSink, type StateCodec } from "./codec.ts";

const states = (n: number) =>
  Array.from({ length: n }, (_, i) => (i % 7 === 3 ? undefined : { i, pc: ["head", "cs"][i % 2] }));

for (const mode of ["auto", "encoded", "live"] as FrontierMode[]) {
  Deno.test(`Frontier (${mode}) returns entries first in, first out across chunks, skipped ones included`, () => {
    const q = new Frontier<{ i: number; pc: string }>({ mode });
    const all = states(5 * CHUNK_STATES + 17);
    const out: unknown[] = [];
    // Interleave pushes and shifts, as a search does.
    for (const [k, s] of all.entries()) {
      q.push(s);
      if (k % 3 === 0) out.push(q.shift());
    }
    while (q.length > 0) out.push(q.shift());
    assert.deepEqual(out, all);
    assert.equal(q.nextIndex, all.length);
    assert.equal(q.shift(), undefined);
  });
}

Deno.test("Frontier in encoded mode keeps sealed chunks as bytes and reports their size", () => {
  const q = new Frontier<{ i: number; pc: string }>({ mode: "encoded" });
  for (const s of states(4 * CHUNK_STATES)) q.push(s);
  assert.ok(q.bytes > 0);
  assert.ok(q.bytesPerEncodedState > 0 && q.bytesPerEncodedState < 12, `${q.bytesPerEncodedState}`);
  assert.equal(q.peakLength, 4 * CHUNK_STATES);
  assert.match(q.storage, /^encoded: memory, encoded chunks$/);
  const live = new Frontier<{ i: number; pc: string }>({ mode: "live" });
  for (const s of states(4 * CHUNK_STATES)) live.push(s);
  assert.equal(live.bytes, 0);
});

Deno.test("Frontier in auto mode keeps a short queue live and encodes a long one", () => {
  const q = new Frontier<{ i: number; pc: string }>();
  const first = states(AUTO_ENCODE_AFTER);
  for (const s of first) q.push(s);
  assert.equal(q.bytes, 0);
  const more = states(4 * CHUNK_STATES);
  for (const s of more) q.push(s);
  assert.ok(q.bytes > 0);
  const out: unknown[] = [];
  while (q.length > 0) out.push(q.shift());
  assert.deepEqual(out, [...first, ...more]);
});

Deno.test("Frontier.spill() moves queued chunks to disk and reads them back in order", () => {
  const dir = Deno.makeTempDirSync({ prefix: "frontier-test-" });
  try {
    const q = new Frontier<{ i: number; pc: string }>({ mode: "live", spillDir: dir });
    const all = states(6 * CHUNK_STATES);
    for (const s of all.slice(0, 3 * CHUNK_STATES)) q.push(s);
    assert.equal(q.shift()?.i, 0);
    const moved = q.spill();
    assert.ok(moved > 0);
    assert.equal(q.bytes, 0);
    assert.equal(q.spilledBytes, moved);
    assert.ok([...Deno.readDirSync(dir)].length > 0);
    for (const s of all.slice(3 * CHUNK_STATES)) q.push(s);
    const out: unknown[] = [];
    while (q.length > 0) out.push(q.shift());
    assert.deepEqual(out, all.slice(1));
    assert.equal(q.spilledBytes, 0);
    assert.match(q.storage, /disk \(spilled\)/);
    q.close();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("Frontier uses the spec's codec when it has one", () => {
  let encoded = 0;
  const codec: StateCodec<number> = {
    encode: (n, sink) => {
      encoded++;
      sink.varint(n);
    },
    decode: (source) => source.varint(),
  };
  const q = new Frontier<number>({ mode: "encoded", codec });
  for (let n = 0; n < 3 * CHUNK_STATES; n++) q.push(n * 1000);
  assert.ok(encoded >= CHUNK_STATES);
  assert.ok(q.bytesPerEncodedState <= 5); // a framing byte and at most 4 varint bytes
  for (let n = 0; n < 3 * CHUNK_STATES; n++) assert.equal(q.shift(), n * 1000);
});

Deno.test("Frontier in bytes mode queues self-contained encodings, pushed as bytes or as states", () => {
  const codec: StateCodec<{ s: string; n: number }> = {
    canonical: true,
    encode: (x, sink) => {
      sink.string(x.s);
      sink.varint(x.n);
    },
    decode: (source) => ({ s: source.string(), n: source.varint() }),
  };
  const dir = Deno.makeTempDirSync({ prefix: "frontier-bytes-test-" });
  try {
    const q = new Frontier<{ s: string; n: number }>({ bytes: true, codec, spillDir: dir });
    const scratch = new ByteSink();
    const all: ({ s: string; n: number } | undefined)[] = [];
    for (let n = 0; n < 3 * CHUNK_STATES + 5; n++) {
      const x = { s: ["head", "cs"][n % 2], n };
      if (n % 11 === 0) {
        q.push(undefined);
        all.push(undefined);
      } else if (n % 2 === 0) {
        scratch.reset();
        codec.encode(x, scratch);
        q.pushBytes(scratch.buffer, 0, scratch.length);
        all.push(x);
      } else {
        q.push(x);
        all.push(x);
      }
      if (n === CHUNK_STATES * 2) q.spill();
    }
    const out: unknown[] = [];
    while (q.length > 0) out.push(q.shift());
    assert.deepEqual(out, all);
    assert.match(q.storage, /^bytes: .* \+ disk \(spilled\)$/);
    q.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
