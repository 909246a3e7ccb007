/**
 * Structural fingerprints and canonical keys of plain-data states.
 *
 * A fingerprint is a 64-bit hash made of two independently mixed 32-bit lanes. Arrays hash in
 * order; plain objects, `Map`s and `Set`s hash their entries order-independently (a sum of
 * well-mixed entry hashes), so two structurally equal states always share a fingerprint whatever
 * order their keys were built in. {@link canonicalKey} gives an exact string key with the same
 * equality, for the exact (collision-free) mode.
 *
 * @module
 */

/** A 64-bit fingerprint as two unsigned 32-bit halves. */
export interface Fingerprint {
  /** High half (lane A). */
  readonly hi: number;
  /** Low half (lane B). */
  readonly lo: number;
}

// Lane A follows murmur3's block mixing, lane B xxhash32's rounds: two different mixing functions
// so the lanes behave as independent hashes.
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;

const TAG_INT = 0x1001;
const TAG_FLOAT = 0x1002;
const TAG_STRING = 0x1003;
const TAG_TRUE = 0x1004;
const TAG_FALSE = 0x1005;
const TAG_NULL = 0x1006;
const TAG_UNDEFINED = 0x1007;
const TAG_ARRAY = 0x1008;
const TAG_OBJECT = 0x1009;
const TAG_MAP = 0x100a;
const TAG_SET = 0x100b;
const TAG_BIGINT = 0x100c;

function mixA(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixB(h: number, k: number): number {
  h = (h + Math.imul(k, P2)) | 0;
  h = (h << 13) | (h >>> 19);
  return Math.imul(h, P1);
}

function finalA(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function finalB(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  return h ^ (h >>> 16);
}

// The hash of the value last visited, as two lanes (avoids allocating a pair per value).
let outA = 0;
let outB = 0;

// Identity memo of composite values by traversal position (see hashValue).
const MEMO_SIZE = 1 << 12;
const MEMO_MASK = MEMO_SIZE - 1;
const memoObjects: unknown[] = new Array(MEMO_SIZE).fill(undefined);
const memoLanes = new Int32Array(MEMO_SIZE * 2);
const memoSpans = new Int32Array(MEMO_SIZE);
// A memo entry counts only in the epoch it was made in: every public fingerprint starts a new
// epoch (so it never trusts an object hashed by an earlier call, which may have changed since),
// while the engine keeps one epoch across the states it hashes (see fingerprintShared).
const memoEpochs = new Int32Array(MEMO_SIZE);
let epoch = 1;
let visit = 0; // composites visited so far in the current fingerprint

// The hashes of small integers, computed once: they are most of any state.
const INT_MIN = -256;
const INT_MAX = 4096;
const intLanesA = new Int32Array(INT_MAX - INT_MIN);
const intLanesB = new Int32Array(INT_MAX - INT_MIN);
for (let i = INT_MIN; i < INT_MAX; i++) {
  intLanesA[i - INT_MIN] = finalA(mixA(TAG_INT, i));
  intLanesB[i - INT_MIN] = finalB(mixB(TAG_INT, i));
}

const floatView = new Float64Array(1);
const floatWords = new Uint32Array(floatView.buffer);

// Short strings (keys, enum-like values) recur in every state: cache their hashes. V8 keeps a
// string's own hash with the string, so a Map lookup is cheaper than re-mixing its characters.
const STRING_CACHE_LIMIT = 1 << 16;
const MAX_CACHED_LENGTH = 64;
const stringSlots = new Map<string, number>();
let stringLanes = new Int32Array(1024);

function hashCachedString(s: string): void {
  const slot = stringSlots.get(s);
  if (slot !== undefined) {
    outA = stringLanes[slot];
    outB = stringLanes[slot + 1];
    return;
  }
  hashString(TAG_STRING, s);
  if (s.length <= MAX_CACHED_LENGTH && stringSlots.size < STRING_CACHE_LIMIT) {
    const at = stringSlots.size * 2;
    if (at + 2 > stringLanes.length) {
      const grown = new Int32Array(stringLanes.length * 2);
      grown.set(stringLanes);
      stringLanes = grown;
    }
    stringLanes[at] = outA;
    stringLanes[at + 1] = outB;
    stringSlots.set(s, at);
  }
}

function hashString(tag: number, s: string): void {
  let a = mixA(0x5bd1e995, tag);
  let b = mixB(0x27d4eb2f, tag);
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    a = mixA(a, c);
    b = mixB(b, c);
  }
  outA = finalA(a ^ n);
  outB = finalB(b ^ n);
}

function hashValue(v: unknown): void {
  switch (typeof v) {
    case "number": {
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        if (v >= INT_MIN && v < INT_MAX) {
          outA = intLanesA[v - INT_MIN];
          outB = intLanesB[v - INT_MIN];
        } else {
          outA = finalA(mixA(TAG_INT, v));
          outB = finalB(mixB(TAG_INT, v));
        }
      } else {
        floatView[0] = v;
        outA = finalA(mixA(mixA(TAG_FLOAT, floatWords[0]), floatWords[1]));
        outB = finalB(mixB(mixB(TAG_FLOAT, floatWords[0]), floatWords[1]));
      }
      return;
    }
    case "string":
      hashCachedString(v);
      return;
    case "boolean":
      outA = finalA(v ? TAG_TRUE : TAG_FALSE);
      outB = finalB(v ? TAG_TRUE : TAG_FALSE);
      return;
    case "undefined":
      outA = finalA(TAG_UNDEFINED);
      outB = finalB(TAG_UNDEFINED);
      return;
    case "bigint":
      hashString(TAG_BIGINT, v.toString());
      return;
    case "object": {
      if (v === null) {
        outA = finalA(TAG_NULL);
        outB = finalB(TAG_NULL);
        return;
      }
      // Copy-on-write states share most of their sub-objects with the states hashed just
      // before them: an object met again at the same position of the traversal has the same
      // hash (states are immutable), so its whole subtree is skipped.
      const slot = visit & MEMO_MASK;
      visit++;
      if (memoObjects[slot] === v && memoEpochs[slot] === epoch) {
        outA = memoLanes[slot << 1];
        outB = memoLanes[(slot << 1) + 1];
        visit += memoSpans[slot];
        return;
      }
      const first = visit;
      if (Array.isArray(v)) {
        hashArray(v);
      } else {
        const proto = Object.getPrototypeOf(v);
        if (proto === Object.prototype || proto === null) {
          hashEntries(TAG_OBJECT, v as Record<string, unknown>);
        } else if (v instanceof Map) {
          hashMap(v);
        } else if (v instanceof Set) {
          hashSet(v);
        } else {
          throw new NotPlainData();
        }
      }
      memoObjects[slot] = v;
      memoEpochs[slot] = epoch;
      memoLanes[slot << 1] = outA;
      memoLanes[(slot << 1) + 1] = outB;
      memoSpans[slot] = visit - first;
      return;
    }
    default:
      throw new NotPlainData();
  }
}

// Strings in arrays, by array position (the composite's traversal index) and element index.
const STRING_MEMO_SIZE = 1 << 12;
const STRING_MEMO_MASK = STRING_MEMO_SIZE - 1;
const stringMemo: (string | undefined)[] = new Array(STRING_MEMO_SIZE).fill(undefined);
const stringMemoLanes = new Int32Array(STRING_MEMO_SIZE * 2);

function hashArray(v: readonly unknown[]): void {
  const stringMemoBase = (visit * 8) & STRING_MEMO_MASK;
  let a = TAG_ARRAY;
  let b = TAG_ARRAY;
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const e = v[i];
    // Small integers and cached strings inline: they are most of any state.
    if (
      typeof e === "number" && (e | 0) === e && e >= INT_MIN && e < INT_MAX &&
      (e !== 0 || 1 / e > 0)
    ) {
      a = mixA(a, intLanesA[e - INT_MIN]);
      b = mixB(b, intLanesB[e - INT_MIN]);
      continue;
    }
    if (typeof e === "string") {
      // The string last met at this element position: a pointer comparison of V8's interned
      // strings is cheaper than the cache lookup.
      const at = (stringMemoBase + i) & STRING_MEMO_MASK;
      if (stringMemo[at] === e) {
        a = mixA(a, stringMemoLanes[at << 1]);
        b = mixB(b, stringMemoLanes[(at << 1) + 1]);
        continue;
      }
      const slot = stringSlots.get(e);
      if (slot !== undefined) {
        stringMemo[at] = e;
        stringMemoLanes[at << 1] = stringLanes[slot];
        stringMemoLanes[(at << 1) + 1] = stringLanes[slot + 1];
        a = mixA(a, stringLanes[slot]);
        b = mixB(b, stringLanes[slot + 1]);
        continue;
      }
    }
    hashValue(e);
    a = mixA(a, outA);
    b = mixB(b, outB);
  }
  outA = finalA(a ^ n);
  outB = finalB(b ^ n);
}

/** Thrown inside the hot path; {@link fingerprintInto} turns it into a TypeError with a path. */
class NotPlainData extends Error {}

// Objects of one spec mostly share their keys and key order: remember, per nesting depth and
// key position, the last key seen there and its hash. Comparing V8's interned key strings is a
// pointer comparison, much cheaper than even a Map lookup.
const KEY_MEMO_SIZE = 512;
const keyMemo: (string | undefined)[] = new Array(KEY_MEMO_SIZE).fill(undefined);
const keyMemoLanes = new Int32Array(KEY_MEMO_SIZE * 2);
// And the last value met at that key position with the entry's hash term: a copy-on-write
// successor keeps most of its parent's values, whose terms are then reused (by identity for
// objects, valid within the epoch, like the object memo).
const entryValues: unknown[] = new Array(KEY_MEMO_SIZE).fill(undefined);
const entryTerms = new Int32Array(KEY_MEMO_SIZE * 2);
const entrySpans = new Int32Array(KEY_MEMO_SIZE);
const entryEpochs = new Int32Array(KEY_MEMO_SIZE);
let objectDepth = 0;

function hashEntries(tag: number, o: Record<string, unknown>): void {
  let sumA = 0;
  let sumB = 0;
  let n = 0;
  const memoBase = (objectDepth++ & 15) << 5;
  for (const key in o) {
    const value = o[key];
    const memo = (memoBase + n) & (KEY_MEMO_SIZE - 1);
    let ka: number;
    let kb: number;
    if (keyMemo[memo] === key) {
      const cached = entryValues[memo];
      if (
        cached === value && entryEpochs[memo] === epoch &&
        (typeof value !== "number" || value !== 0 || 1 / value === 1 / (cached as number))
      ) {
        sumA = (sumA + entryTerms[memo << 1]) | 0;
        sumB = (sumB + entryTerms[(memo << 1) + 1]) | 0;
        visit += entrySpans[memo];
        n++;
        continue;
      }
      ka = keyMemoLanes[memo << 1];
      kb = keyMemoLanes[(memo << 1) + 1];
    } else {
      hashCachedString(key);
      ka = outA;
      kb = outB;
      keyMemo[memo] = key;
      keyMemoLanes[memo << 1] = ka;
      keyMemoLanes[(memo << 1) + 1] = kb;
    }
    const before = visit;
    if (
      typeof value === "number" && (value | 0) === value && value >= INT_MIN && value < INT_MAX &&
      (value !== 0 || 1 / value > 0)
    ) {
      outA = intLanesA[value - INT_MIN];
      outB = intLanesB[value - INT_MIN];
    } else {
      hashValue(value);
    }
    const termA = finalA(mixA(ka, outA));
    const termB = finalB(mixB(kb, outB));
    entryValues[memo] = value;
    entryTerms[memo << 1] = termA;
    entryTerms[(memo << 1) + 1] = termB;
    entrySpans[memo] = visit - before;
    entryEpochs[memo] = epoch;
    sumA = (sumA + termA) | 0;
    sumB = (sumB + termB) | 0;
    n++;
  }
  objectDepth--;
  outA = finalA(mixA(mixA(tag, n), sumA));
  outB = finalB(mixB(mixB(tag, n), sumB));
}

function hashMap(m: Map<unknown, unknown>): void {
  let sumA = 0;
  let sumB = 0;
  for (const [key, value] of m) {
    hashValue(key);
    const ka = outA;
    const kb = outB;
    hashValue(value);
    sumA = (sumA + finalA(mixA(ka, outA))) | 0;
    sumB = (sumB + finalB(mixB(kb, outB))) | 0;
  }
  outA = finalA(mixA(mixA(TAG_MAP, m.size), sumA));
  outB = finalB(mixB(mixB(TAG_MAP, m.size), sumB));
}

function hashSet(s: Set<unknown>): void {
  let sumA = 0;
  let sumB = 0;
  for (const item of s) {
    hashValue(item);
    sumA = (sumA + outA) | 0;
    sumB = (sumB + outB) | 0;
  }
  outA = finalA(mixA(mixA(TAG_SET, s.size), sumA));
  outB = finalB(mixB(mixB(TAG_SET, s.size), sumB));
}

/** The high half of the fingerprint computed by the last {@link fingerprintInto} call. */
export let lastHi = 0;
/** The low half of the fingerprint computed by the last {@link fingerprintInto} call. */
export let lastLo = 0;

/**
 * Fingerprints `state` into {@link lastHi}/{@link lastLo} without allocating. The pair is never
 * (0, 0): that value is reserved for empty hash-table slots. Every call hashes `state` as it is
 * now: nothing remembered from an earlier call is trusted.
 *
 * @throws {TypeError} when the state holds something other than plain data.
 */
export function fingerprintInto(state: unknown): void {
  if (++epoch > 0x3fffffff) resetEpochs();
  hashInto(state);
}

/**
 * The engine's hot path: like {@link fingerprintInto}, but sub-objects already hashed since the
 * last {@link fingerprintInto} call count with the hash they had then, found by identity at the
 * same position. That is sound because states are immutable (the `Spec` contract); the engine
 * re-checks sampled states against a fresh fingerprint to catch a spec that breaks the contract.
 *
 * @throws {TypeError} when the state holds something other than plain data.
 */
export function fingerprintShared(state: unknown): void {
  hashInto(state);
}

function resetEpochs(): void {
  memoEpochs.fill(0);
  epoch = 1;
}

function hashInto(state: unknown): void {
  visit = 0;
  try {
    hashValue(state);
  } catch (error) {
    objectDepth = 0;
    if (error instanceof NotPlainData) {
      throw new TypeError(`Cannot fingerprint state: ${describeNonPlain(state)}`, { cause: error });
    }
    throw error;
  }
  lastHi = outA >>> 0;
  lastLo = outB >>> 0;
  if (lastHi === 0) lastHi = 0x2545f491;
  if (lastLo === 0) lastLo = 1;
}

const TAG_BYTES = 0x100d;

/**
 * Fingerprints the bytes `bytes[from..to)` into {@link lastHi}/{@link lastLo} (neither half 0):
 * the identity of a state encoded by a canonical codec (`StateCodec.canonical`). Four bytes at a
 * time through both lanes.
 *
 * @example Usage
 * ```ts
 * import { fingerprintBytes, lastHi, lastLo } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * fingerprintBytes(Uint8Array.of(1, 2, 3), 0, 3);
 * const a = [lastHi, lastLo];
 * fingerprintBytes(Uint8Array.of(9, 1, 2, 3), 1, 4);
 * assert.deepEqual([lastHi, lastLo], a);
 * fingerprintBytes(Uint8Array.of(1, 2, 3, 0), 0, 4);
 * assert.notDeepEqual([lastHi, lastLo], a);
 * ```
 */
export function fingerprintBytes(bytes: Uint8Array, from: number, to: number): void {
  let a = mixA(0x5bd1e995, TAG_BYTES);
  let b = mixB(0x27d4eb2f, TAG_BYTES);
  let i = from;
  for (; i + 4 <= to; i += 4) {
    const w = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    a = mixA(a, w);
    b = mixB(b, w);
  }
  let w = 0;
  for (let shift = 0; i < to; i++, shift += 8) w |= bytes[i] << shift;
  a = mixA(a, w);
  b = mixB(b, w);
  const n = to - from;
  lastHi = finalA(a ^ n) >>> 0;
  lastLo = finalB(b ^ n) >>> 0;
  if (lastHi === 0) lastHi = 0x2545f491;
  if (lastLo === 0) lastLo = 1;
}

/**
 * The 64-bit fingerprint of a plain-data state.
 *
 * @example Usage
 * ```ts
 * import { fingerprint } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(fingerprint({ a: 1, b: [2] }), fingerprint({ b: [2], a: 1 }));
 * ```
 */
export function fingerprint(state: unknown): Fingerprint {
  fingerprintInto(state);
  return { hi: lastHi, lo: lastLo };
}

/** A fingerprint as 16 lowercase hex digits. */
export function fingerprintHex(fp: Fingerprint): string {
  return fp.hi.toString(16).padStart(8, "0") + fp.lo.toString(16).padStart(8, "0");
}

/**
 * An exact, canonical string key for a plain-data state: equal keys iff structurally equal
 * states (object keys sorted, `Map` and `Set` entries sorted by their own keys).
 *
 * @example Usage
 * ```ts
 * import { canonicalKey } from "./fingerprint.ts";
 * import assert from "node:assert/strict";
 * assert.equal(canonicalKey({ b: 1, a: 2 }), canonicalKey({ a: 2, b: 1 }));
 * ```
 */
export function canonicalKey(state: unknown): string {
  return keyOf(state, "");
}

function keyOf(v: unknown, path: string): string {
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "T" : "F";
    case "undefined":
      return "U";
    case "bigint":
      return `${v}n`;
    case "object": {
      if (v === null) return "N";
      if (Array.isArray(v)) return `[${v.map((x, i) => keyOf(x, `${path}[${i}]`)).join(",")}]`;
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o).sort();
        return `{${
          keys.map((k) => `${JSON.stringify(k)}:${keyOf(o[k], `${path}.${k}`)}`).join(",")
        }}`;
      }
      if (v instanceof Map) {
        const entries = [...v].map(([k, x]) => `${keyOf(k, path)}=>${keyOf(x, path)}`).sort();
        return `M{${entries.join(",")}}`;
      }
      if (v instanceof Set) {
        return `S{${[...v].map((x) => keyOf(x, path)).sort().join(",")}}`;
      }
      throw new TypeError(
        `Cannot build a key for state: value at ${path || "the root"} is a ${
          proto?.constructor?.name ?? "object"
        }, not plain data`,
      );
    }
    default:
      throw new TypeError(
        `Cannot build a key for state: value at ${path || "the root"} is a ${typeof v}`,
      );
  }
}

/** Names the first value in `v` that is not plain data, as a path from the root. */
function describeNonPlain(v: unknown, path = ""): string {
  const where = path === "" ? "the root" : path;
  switch (typeof v) {
    case "number":
    case "string":
    case "boolean":
    case "undefined":
    case "bigint":
      return "";
    case "object": {
      if (v === null) return "";
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const found = describeNonPlain(v[i], `${path}[${i}]`);
          if (found) return found;
        }
        return "";
      }
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        for (const [k, x] of Object.entries(v)) {
          const found = describeNonPlain(x, `${path}.${k}`);
          if (found) return found;
        }
        return "";
      }
      if (v instanceof Map || v instanceof Set) {
        for (const x of v instanceof Map ? [...v.keys(), ...v.values()] : v) {
          const found = describeNonPlain(x, `${path}{}`);
          if (found) return found;
        }
        return "";
      }
      return `value at ${where} is a ${proto?.constructor?.name ?? "object"}, not plain data`;
    }
    default:
      return `value at ${where} is a ${typeof v}, not plain data`;
  }
}
