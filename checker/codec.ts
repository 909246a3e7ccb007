/**
 * Compact byte encodings of states, for states waiting in the frontier (and spilled to disk).
 *
 * States are encoded in chunks: a {@link ByteSink} writes the states of one chunk, a
 * {@link ByteSource} reads them back in the same order. Within a chunk, strings and object key
 * lists ("shapes") are written once and referred to by number afterwards, and a sub-object met
 * again by identity (copy-on-write states share most of their parts with the state they were made
 * from, at the same place) is written once and referred to by number: decoding restores the
 * sharing, so decoded states share those parts again. A chunk needs nothing from outside itself
 * to be decoded.
 *
 * Every spec gets the structural codec ({@link STRUCTURAL_CODEC}) for plain data; a spec that
 * knows its state can do better with `Spec.codec` ({@link StateCodec}), using the same sink and
 * source primitives.
 *
 * @module
 */

/** Encodes states into a sink and decodes them from a source, in the same order. */
export interface StateCodec<S> {
  /** Appends `state` to `sink`. */
  encode(state: S, sink: ByteSink): void;
  /** Reads the next state from `source`: a value structurally equal to the one encoded. */
  decode(source: ByteSource): S;
  /**
   * True when structurally equal states always encode to the same bytes (whatever their key or
   * insertion order) when each is encoded on its own. The engine then identifies states by a
   * hash of those bytes instead of a structural fingerprint, and keeps the bytes as the queued
   * state: cheaper for both. A codec that claims it wrongly makes the engine count some states
   * twice (never miss one: `decode(encode(s))` equal to `s` means different states never share
   * bytes).
   */
  readonly canonical?: boolean;
}

// Value tags of the structural encoding. Bytes 0..159 are the small integers -32..127.
const SMALL_BIAS = 32;
const SMALL_LIMIT = 160;
const T_NULL = 0xa0;
const T_UNDEFINED = 0xa1;
const T_TRUE = 0xa2;
const T_FALSE = 0xa3;
const T_INT = 0xa4; // zigzag varint
const T_FLOAT = 0xa5; // 8 bytes, little-endian
const T_BIGINT = 0xa6; // sign byte + decimal digits as a string
const T_STRING = 0xa7; // a new string: varint length, UTF-16 code units as varints
const T_STRING_REF = 0xa8; // varint id of a string of this chunk
const T_ARRAY = 0xa9; // varint length, elements
const T_SHAPE = 0xaa; // a new shape: flags, varint key count, keys (strings); then the object
const T_OBJECT = 0xab; // varint shape id, values
const T_MAP = 0xac; // varint size, key/value pairs
const T_SET = 0xad; // varint size, items
const T_REF = 0xae; // varint node id of a composite of this chunk
const T_STRING_SHORT = 0xb0; // 0xb0..0xdf: string ids 0..47
const SHORT_STRINGS = 48;
const T_OBJECT_SHORT = 0xe0; // 0xe0..0xff: shape ids 0..31
const SHORT_SHAPES = 32;

const SHAPE_NULL_PROTO = 1;
const MEMO_SIZE = 1 << 12;
const MEMO_MASK = MEMO_SIZE - 1;
const MAX_ZIGZAG = 2 ** 51;

/** An object layout: its prototype kind and its keys in order. */
interface Shape {
  readonly id: number;
  readonly nullProto: boolean;
  readonly keys: readonly string[];
  /** True when a key is `__proto__` (assigned with defineProperty, never as a prototype). */
  readonly protoKey?: boolean;
  /** An object of this shape to copy when decoding (see {@link TEMPLATES}), once looked up. */
  template?: Record<string, unknown> | null;
}

/**
 * One object per key list, as the spec built it (the first one encoded): decoded objects are
 * copies of it with their own values, so they get the hidden class the spec's own objects have,
 * and the spec's code keeps seeing one layout (V8's inline caches stay monomorphic).
 */
const TEMPLATES = new Map<string, Record<string, unknown>>();

function signature(keys: readonly string[]): string {
  return keys.join("\u0000");
}

const floatView = new Float64Array(1);
const floatBytes = new Uint8Array(floatView.buffer);

/** Raised when a value cannot be encoded (not plain data). */
export class EncodeError extends TypeError {
  /** The error's class name. */
  override readonly name: string = "EncodeError";
  /** Stable error code. */
  readonly code: string = "LC-ENCODE";
}

/** Raised when bytes do not decode (truncated or not written by a sink). */
export class DecodeError extends RangeError {
  /** The error's class name. */
  override readonly name: string = "DecodeError";
  /** Stable error code. */
  readonly code: string = "LC-DECODE";
}

/**
 * Writes the states of one chunk: raw primitives (bytes, varints, floats, interned strings) for
 * spec codecs, and {@link ByteSink.value} for any plain data.
 *
 * @example Usage
 * ```ts
 * import { ByteSink, ByteSource } from "./codec.ts";
 * import assert from "node:assert/strict";
 * const sink = new ByteSink();
 * const parent = { devices: [{ up: true }, { up: false }], n: 1 };
 * sink.value(parent);
 * sink.value({ ...parent, n: 2 }); // a successor: shares `devices`, written as a reference
 * const source = new ByteSource(sink.bytes());
 * const [a, b] = [source.value(), source.value()] as (typeof parent)[];
 * assert.deepEqual(b, { devices: [{ up: true }, { up: false }], n: 2 });
 * assert.equal(a.devices, b.devices); // the sharing is kept
 * ```
 */
export class ByteSink {
  #buf: Uint8Array;
  #pos = 0;
  #strings = new Map<string, number>();
  #shapes: Shape[] = [];
  #shapeRoots = new Map<string, Shape[]>(); // first key (or "") -> shapes starting with it
  // Identity memo by path (root, then child positions, hashed): the composite last met at each
  // path and its node id in this chunk. Copy-on-write states meet their shared parts again at the
  // same paths, so a pointer comparison finds them without hashing the object.
  #memoObjects: unknown[] = new Array(MEMO_SIZE).fill(undefined);
  #memoNodes = new Int32Array(MEMO_SIZE);
  #memoEpochs = new Int32Array(MEMO_SIZE);
  #shapeEpochs = new Int32Array(64);
  #epoch = 1;
  #nodeCount = 0;
  // Shape memo by nesting depth and position: the last shape met there.
  #shapeMemo: (Shape | undefined)[] = new Array(64).fill(undefined);
  #depth = 0;

  /** Creates an empty sink with room for `capacity` bytes before it grows. */
  constructor(capacity = 1 << 16) {
    this.#buf = new Uint8Array(capacity);
  }

  /** Bytes written since the last {@link reset}. */
  get length(): number {
    return this.#pos;
  }

  /** A copy of the bytes written since the last {@link reset}. */
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  /** The bytes written since `from`, as a view (valid until the next write or reset). */
  view(from = 0): Uint8Array {
    return this.#buf.subarray(from, this.#pos);
  }

  /** Starts a new chunk: forgets the bytes, strings, shapes and shared nodes written so far. */
  reset(): void {
    this.#pos = 0;
    this.beginEntry();
  }

  /**
   * Starts a self-contained entry: keeps the bytes, forgets the strings, shapes and shared nodes
   * written so far, so what follows decodes on its own (after {@link ByteSource.beginEntry}).
   */
  beginEntry(): void {
    if (this.#strings.size > 0) this.#strings.clear();
    if (this.#shapes.length > 0) {
      this.#shapes = [];
      this.#shapeRoots.clear();
    }
    this.#nodeCount = 0;
    this.#depth = 0;
    if (++this.#epoch > 0x3fffffff) {
      this.#epoch = 1;
      this.#memoEpochs.fill(0);
      this.#shapeEpochs.fill(0);
    }
  }

  /** The buffer being written (valid up to {@link length}, until the next write). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /**
   * Makes room for `n` more bytes and returns the buffer to write them into directly, from
   * {@link ByteSink.length} on; then {@link ByteSink.commit} the new length. For codecs that write
   * many small fields.
   *
   * @example Usage
   * ```ts
   * import { ByteSink } from "./codec.ts";
   * import assert from "node:assert/strict";
   * const sink = new ByteSink();
   * const buf = sink.reserve(2);
   * let at = sink.length;
   * buf[at++] = 7;
   * buf[at++] = 9;
   * sink.commit(at);
   * assert.deepEqual([...sink.bytes()], [7, 9]);
   * ```
   */
  reserve(n: number): Uint8Array {
    this.#room(n);
    return this.#buf;
  }

  /** Sets the length after writing into the buffer {@link ByteSink.reserve} returned. */
  commit(length: number): void {
    if (length < this.#pos || length > this.#buf.length) {
      throw new RangeError(
        `Cannot commit length ${length}: outside ${this.#pos}..${this.#buf.length}`,
      );
    }
    this.#pos = length;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.#room(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Appends `bytes[from..to)` (a loop for short runs: no view to allocate). */
  copy(bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    this.#room(n);
    if (n > 64) {
      this.#buf.set(bytes.subarray(from, to), this.#pos);
      this.#pos += n;
      return;
    }
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = from; i < to; i++) buf[pos++] = bytes[i];
    this.#pos = pos;
  }

  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }

  /** Writes one byte (0..255). */
  u8(n: number): void {
    if (this.#pos === this.#buf.length) this.#room(1);
    this.#buf[this.#pos++] = n;
  }

  /** Writes a non-negative integer below 2^53 in 1 to 8 bytes (LEB128). */
  varint(n: number): void {
    this.#room(8);
    const buf = this.#buf;
    let pos = this.#pos;
    while (n >= 0x80) {
      buf[pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[pos++] = n;
    this.#pos = pos;
  }

  /**
   * Writes an integer of magnitude at most 2^51 (zigzag LEB128: small magnitudes take one byte).
   *
   * @throws {RangeError} for a larger magnitude or a non-integer.
   */
  int(n: number): void {
    if (!Number.isInteger(n) || Math.abs(n) > MAX_ZIGZAG) {
      throw new RangeError(`Cannot write ${n} as an int: it needs an integer of magnitude <= 2^51`);
    }
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** Writes a double in 8 bytes. */
  float(n: number): void {
    this.#room(8);
    floatView[0] = n;
    this.#buf.set(floatBytes, this.#pos);
    this.#pos += 8;
  }

  /** Writes a string, interned in this chunk: a repeated string costs one or two bytes. */
  string(s: string): void {
    const id = this.#strings.get(s);
    if (id !== undefined) {
      if (id < SHORT_STRINGS) this.u8(T_STRING_SHORT + id);
      else {
        this.u8(T_STRING_REF);
        this.varint(id);
      }
      return;
    }
    this.#strings.set(s, this.#strings.size);
    this.u8(T_STRING);
    const n = s.length;
    this.varint(n);
    this.#room(n * 3);
    const buf = this.#buf;
    let pos = this.#pos;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      while (c >= 0x80) {
        buf[pos++] = (c & 0x7f) | 0x80;
        c >>>= 7;
      }
      buf[pos++] = c;
    }
    this.#pos = pos;
  }

  /**
   * Writes any plain data (numbers, strings, booleans, `null`, `undefined`, bigints, arrays, plain
   * or null-prototype objects, `Map`s and `Set`s). A composite met again by identity at the same
   * path (the same place in an earlier value of this chunk) is written as a reference.
   *
   * @throws {EncodeError} when the value holds something else (a class instance, a function).
   */
  value(v: unknown): void {
    this.#value(v, 1);
  }

  #value(v: unknown, slot: number): void {
    if (typeof v === "number") {
      if (
        (v | 0) === v && v >= -SMALL_BIAS && v < SMALL_LIMIT - SMALL_BIAS && (v !== 0 || 1 / v > 0)
      ) {
        if (this.#pos === this.#buf.length) this.#room(1);
        this.#buf[this.#pos++] = v + SMALL_BIAS;
        return;
      }
      if (Number.isInteger(v) && (v !== 0 || 1 / v > 0) && v <= MAX_ZIGZAG && v >= -MAX_ZIGZAG) {
        this.u8(T_INT);
        this.int(v);
        return;
      }
      this.u8(T_FLOAT);
      this.float(v);
      return;
    }
    switch (typeof v) {
      case "string":
        this.string(v);
        return;
      case "boolean":
        this.u8(v ? T_TRUE : T_FALSE);
        return;
      case "undefined":
        this.u8(T_UNDEFINED);
        return;
      case "bigint":
        this.u8(T_BIGINT);
        this.u8(v < 0n ? 1 : 0);
        this.string((v < 0n ? -v : v).toString());
        return;
      case "object":
        if (v === null) {
          this.u8(T_NULL);
          return;
        }
        this.#composite(v, slot);
        return;
      default:
        throw new EncodeError(`Cannot encode a ${typeof v}: states must be plain data`);
    }
  }

  #composite(v: object, slot: number): void {
    const at = slot & MEMO_MASK;
    if (this.#memoObjects[at] === v && this.#memoEpochs[at] === this.#epoch) {
      this.u8(T_REF);
      this.varint(this.#memoNodes[at]);
      return;
    }
    this.#depth++;
    if (Array.isArray(v)) {
      this.u8(T_ARRAY);
      const n = v.length;
      this.varint(n);
      for (let i = 0; i < n; i++) this.#value(v[i], childSlot(slot, i));
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto === Object.prototype || proto === null) {
        this.#object(v as Record<string, unknown>, proto === null, slot);
      } else if (v instanceof Map) {
        this.u8(T_MAP);
        this.varint(v.size);
        let i = 0;
        for (const [key, value] of v) {
          this.#value(key, childSlot(slot, i++));
          this.#value(value, childSlot(slot, i++));
        }
      } else if (v instanceof Set) {
        this.u8(T_SET);
        this.varint(v.size);
        let i = 0;
        for (const item of v) this.#value(item, childSlot(slot, i++));
      } else {
        throw new EncodeError(
          `Cannot encode a ${proto?.constructor?.name ?? "object"}: states must be plain data`,
        );
      }
    }
    this.#depth--;
    this.#memoObjects[at] = v;
    this.#memoEpochs[at] = this.#epoch;
    this.#memoNodes[at] = this.#nodeCount++;
  }

  #object(o: Record<string, unknown>, nullProto: boolean, slot: number): void {
    const shape = this.#shapeOf(o, nullProto);
    if (shape.id < SHORT_SHAPES) this.u8(T_OBJECT_SHORT + shape.id);
    else {
      this.u8(T_OBJECT);
      this.varint(shape.id);
    }
    const keys = shape.keys;
    for (let i = 0; i < keys.length; i++) this.#value(o[keys[i]], childSlot(slot, i));
  }

  /** The shape of `o`, writing it first if it is new in this chunk. */
  #shapeOf(o: Record<string, unknown>, nullProto: boolean): Shape {
    const slot = this.#depth & 63;
    const memo = this.#shapeMemo[slot];
    if (
      memo !== undefined && this.#shapeEpochs[slot] === this.#epoch &&
      memo.nullProto === nullProto && sameKeys(o, memo.keys)
    ) return memo;
    const keys = Object.keys(o);
    const root = keys.length === 0 ? "" : keys[0];
    let list = this.#shapeRoots.get(root);
    if (list !== undefined) {
      for (const shape of list) {
        if (shape.nullProto === nullProto && sameKeys(o, shape.keys)) {
          this.#shapeMemo[slot] = shape;
          this.#shapeEpochs[slot] = this.#epoch;
          return shape;
        }
      }
    } else {
      list = [];
      this.#shapeRoots.set(root, list);
    }
    const shape: Shape = { id: this.#shapes.length, nullProto, keys };
    this.#shapes.push(shape);
    list.push(shape);
    this.#shapeEpochs[slot] = this.#epoch;
    if (!nullProto && !keys.includes("__proto__")) {
      const sig = signature(keys);
      if (!TEMPLATES.has(sig) && TEMPLATES.size < 4096) TEMPLATES.set(sig, o);
    }
    this.#shapeMemo[slot] = shape;
    this.u8(T_SHAPE);
    this.u8(nullProto ? SHAPE_NULL_PROTO : 0);
    this.varint(keys.length);
    for (const k of keys) this.string(k);
    return shape;
  }
}

/** The memo slot of a composite's `i`-th child, from the composite's own slot. */
function childSlot(slot: number, i: number): number {
  return Math.imul(slot + i + 1, 0x9e3779b1) >>> 12;
}

/** True when `o`'s own enumerable keys are exactly `keys`, in that order. */
function sameKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  const n = keys.length;
  for (const k in o) {
    if (i >= n || k !== keys[i]) return false;
    i++;
  }
  return i === n;
}

/**
 * Reads back what a {@link ByteSink} wrote, in the same order.
 *
 * @example Usage
 * ```ts
 * import { ByteSink, ByteSource } from "./codec.ts";
 * import assert from "node:assert/strict";
 * const sink = new ByteSink();
 * sink.varint(300);
 * sink.string("x");
 * sink.value(new Map([[1, new Set(["a"])]]));
 * const source = new ByteSource(sink.bytes());
 * assert.equal(source.varint(), 300);
 * assert.equal(source.string(), "x");
 * assert.deepEqual(source.value(), new Map([[1, new Set(["a"])]]));
 * assert.equal(source.done, true);
 * ```
 */
export class ByteSource {
  #buf: Uint8Array;
  #pos: number;
  #end: number;
  #strings: string[] = [];
  #shapes: Shape[] = [];
  #nodes: unknown[] = [];

  /** Reads `bytes` from `offset` up to `end` (default: all of it). */
  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.#buf = bytes;
    this.#pos = offset;
    this.#end = end;
  }

  /** Position of the next byte to read. */
  get offset(): number {
    return this.#pos;
  }

  /**
   * The buffer being read and a check that `n` more bytes are there: read them directly from
   * {@link ByteSource.offset} on, then {@link ByteSource.skip} past them.
   *
   * @throws {DecodeError} when fewer than `n` bytes are left.
   */
  peek(n: number): Uint8Array {
    if (this.#pos + n > this.#end) this.#truncated();
    return this.#buf;
  }

  /** Moves past `n` bytes read directly (see {@link ByteSource.peek}). */
  skip(n: number): void {
    if (this.#pos + n > this.#end) this.#truncated();
    this.#pos += n;
  }

  /** Starts reading a self-contained entry (see {@link ByteSink.beginEntry}). */
  beginEntry(): void {
    if (this.#strings.length > 0) this.#strings = [];
    if (this.#shapes.length > 0) this.#shapes = [];
    if (this.#nodes.length > 0) this.#nodes = [];
  }

  /** True when every byte was read. */
  get done(): boolean {
    return this.#pos >= this.#end;
  }

  /**
   * Lets the source read further into a buffer its sink is still writing: `bytes` holds
   * everything up to `end` (the same bytes as before, possibly moved to a larger buffer).
   */
  extend(bytes: Uint8Array, end: number): void {
    this.#buf = bytes;
    this.#end = end;
  }

  #truncated(): never {
    throw new DecodeError(`Cannot decode state bytes: truncated at byte ${this.#pos}`);
  }

  /** Reads one byte. */
  u8(): number {
    if (this.#pos >= this.#end) this.#truncated();
    return this.#buf[this.#pos++];
  }

  /** Reads a varint. */
  varint(): number {
    const buf = this.#buf;
    let b = this.u8();
    if (b < 0x80) return b;
    let n = b & 0x7f;
    let scale = 0x80;
    for (;;) {
      if (this.#pos >= this.#end) this.#truncated();
      b = buf[this.#pos++];
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
  }

  /** Reads a zigzag integer. */
  int(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** Reads a double. */
  float(): number {
    if (this.#pos + 8 > this.#end) this.#truncated();
    floatBytes.set(this.#buf.subarray(this.#pos, this.#pos + 8));
    this.#pos += 8;
    return floatView[0];
  }

  /** Reads a string written by {@link ByteSink.string}. */
  string(): string {
    const tag = this.u8();
    return this.#stringAfter(tag);
  }

  #stringAfter(tag: number): string {
    if (tag >= T_STRING_SHORT && tag < T_STRING_SHORT + SHORT_STRINGS) {
      return this.#strings[tag - T_STRING_SHORT];
    }
    if (tag === T_STRING_REF) return this.#strings[this.varint()];
    if (tag !== T_STRING) throw new DecodeError(`Cannot decode a string: tag ${tag}`);
    const n = this.varint();
    let s = "";
    const buf = this.#buf;
    for (let i = 0; i < n; i++) {
      if (this.#pos >= this.#end) this.#truncated();
      let b = buf[this.#pos++];
      let c = b & 0x7f;
      let shift = 7;
      while (b >= 0x80) {
        if (this.#pos >= this.#end) this.#truncated();
        b = buf[this.#pos++];
        c |= (b & 0x7f) << shift;
        shift += 7;
      }
      s += String.fromCharCode(c);
    }
    this.#strings.push(s);
    return s;
  }

  /** Reads a value written by {@link ByteSink.value}. */
  value(): unknown {
    const tag = this.u8();
    if (tag < SMALL_LIMIT) return tag - SMALL_BIAS;
    if (tag >= T_OBJECT_SHORT) return this.#object(this.#shapes[tag - T_OBJECT_SHORT]);
    if (tag >= T_STRING_SHORT) return this.#strings[tag - T_STRING_SHORT];
    switch (tag) {
      case T_NULL:
        return null;
      case T_UNDEFINED:
        return undefined;
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_INT:
        return this.int();
      case T_FLOAT:
        return this.float();
      case T_BIGINT: {
        const negative = this.u8() === 1;
        const digits = BigInt(this.string());
        return negative ? -digits : digits;
      }
      case T_STRING:
      case T_STRING_REF:
        return this.#stringAfter(tag);
      case T_ARRAY: {
        const n = this.varint();
        const out: unknown[] = []; // filled by push: a packed array, as the spec's own are
        for (let i = 0; i < n; i++) out.push(this.value());
        this.#nodes.push(out);
        return out;
      }
      case T_SHAPE: {
        const flags = this.u8();
        const count = this.varint();
        const keys: string[] = [];
        for (let i = 0; i < count; i++) keys.push(this.string());
        const shape: Shape = {
          id: this.#shapes.length,
          nullProto: (flags & SHAPE_NULL_PROTO) !== 0,
          keys,
          protoKey: keys.includes("__proto__"),
        };
        this.#shapes.push(shape);
        const next = this.u8();
        if (next !== T_OBJECT && (next < T_OBJECT_SHORT || next - T_OBJECT_SHORT !== shape.id)) {
          throw new DecodeError(`Cannot decode an object: shape ${shape.id} is not used`);
        }
        if (next === T_OBJECT) this.varint();
        return this.#object(shape);
      }
      case T_OBJECT: {
        const shape = this.#shapes[this.varint()];
        if (shape === undefined) throw new DecodeError("Cannot decode an object: unknown shape");
        return this.#object(shape);
      }
      case T_MAP: {
        const n = this.varint();
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < n; i++) {
          const key = this.value();
          out.set(key, this.value());
        }
        this.#nodes.push(out);
        return out;
      }
      case T_SET: {
        const n = this.varint();
        const out = new Set<unknown>();
        for (let i = 0; i < n; i++) out.add(this.value());
        this.#nodes.push(out);
        return out;
      }
      case T_REF: {
        const id = this.varint();
        if (id >= this.#nodes.length) {
          throw new DecodeError(`Cannot decode a reference to node ${id}: not read yet`);
        }
        return this.#nodes[id];
      }
      default:
        throw new DecodeError(`Cannot decode state bytes: unknown tag ${tag} at ${this.#pos - 1}`);
    }
  }

  #object(shape: Shape | undefined): Record<string, unknown> {
    if (shape === undefined) throw new DecodeError("Cannot decode an object: unknown shape");
    const keys = shape.keys;
    let out: Record<string, unknown>;
    if (shape.nullProto || shape.protoKey) {
      out = shape.nullProto ? Object.create(null) : {};
      for (let i = 0; i < keys.length; i++) {
        Object.defineProperty(out, keys[i], {
          value: this.value(),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    } else {
      let template = shape.template;
      if (template === undefined) {
        template = shape.template = TEMPLATES.get(signature(keys)) ?? null;
      }
      out = template === null ? {} : { ...template };
      for (let i = 0; i < keys.length; i++) out[keys[i]] = this.value();
    }
    this.#nodes.push(out);
    return out;
  }
}

/**
 * The codec every spec gets: any plain data, with strings, key lists and shared sub-objects
 * written once per chunk.
 *
 * @example Usage
 * ```ts
 * import { ByteSink, ByteSource, STRUCTURAL_CODEC } from "./codec.ts";
 * import assert from "node:assert/strict";
 * const sink = new ByteSink();
 * STRUCTURAL_CODEC.encode({ pc: ["head", "head"], n: 3 }, sink);
 * assert.deepEqual(STRUCTURAL_CODEC.decode(new ByteSource(sink.bytes())), {
 *   pc: ["head", "head"],
 *   n: 3,
 * });
 * ```
 */
export const STRUCTURAL_CODEC: StateCodec<unknown> = {
  encode: (state, sink) => sink.value(state),
  decode: (source) => source.value(),
};
