/**
 * A fingerprint seen set in shared memory, so several workers can insert concurrently without
 * locks: each slot is two 32-bit words; a worker claims an empty slot by compare-and-swap of the
 * high word, then publishes the low word. Readers that find their high word in a slot whose low
 * word is still 0 wait for it. Neither word is ever 0 in a used slot, so 0 marks "empty".
 *
 * State indices (the positions of the per-state records: parent, action, parameter ordinal) are
 * handed out in blocks: each thread takes a block of consecutive indices at a time from a shared
 * counter and fills it alone, so inserting a state touches no cache line another thread writes
 * (a shared per-state counter would bounce between cores). Each thread counts its own states in
 * a slot of its own; the set's size is their sum. A block a thread has not filled when the table
 * grows is left with holes: indices are not dense, but every index a record points to is real.
 *
 * The table does not grow while workers insert: when its reserved indices pass 3/4 of the slots
 * it raises a flag, the workers pause at their next state, and the orchestrator
 * {@link SharedSeenSet.grow}s it.
 *
 * @module
 */

import { fingerprintBytes, fingerprintShared, lastHi, lastLo } from "./fingerprint.ts";

/** Slots of the control array. */
const NEXT_BLOCK = 0; // blocks handed out so far
const FULL = 1;
const HEADER_WORDS = 16;
/** Int32 words between two threads' counters (64 bytes: one cache line each). */
const STRIDE = 16;
const RECENT_BITS = 15;
const RECENT_MASK = (1 << RECENT_BITS) - 1;

/** The shared buffers, as sent to a worker. */
export interface SharedSeenSetBuffers {
  /** `[hi, lo]` per slot. */
  readonly table: SharedArrayBuffer;
  /** Parent index per state. */
  readonly parents: SharedArrayBuffer;
  /** Action index per state. */
  readonly actions: SharedArrayBuffer;
  /** Parameter ordinal per state. */
  readonly ordinals: SharedArrayBuffer;
  /** Block counter, the "full" flag, and one state counter per thread. */
  readonly control: SharedArrayBuffer;
  /** Indices per block. */
  readonly block: number;
  /** Threads that may insert (each has a counter). */
  readonly threads: number;
}

/**
 * The shared seen set (the same object type on the orchestrator and in each worker; each
 * attached object is one thread's handle, with its own block and counter).
 *
 * @example Usage
 * ```ts
 * import { SharedSeenSet } from "./shared_seen_set.ts";
 * import assert from "node:assert/strict";
 * const seen = SharedSeenSet.create(4, 1);
 * assert.equal(seen.add({ x: 1 }, 0xffffffff, 0, 0), 0);
 * assert.equal(seen.add({ x: 1 }, 0, 0, 0), -1);
 * assert.equal(seen.size, 1);
 * ```
 */
export class SharedSeenSet {
  /** Always false: fingerprints. */
  readonly exact: boolean = false;
  #table: Int32Array;
  #parents: Uint32Array;
  #actions: Uint16Array;
  #ordinals: Uint32Array;
  #control: Int32Array;
  #mask: number;
  #limit: number;
  #buffers: SharedSeenSetBuffers;
  #thread: number;
  #next = 0; // next index of this thread's block
  #end = 0; // end of this thread's block
  #count = 0; // this thread's states (mirrors its shared counter)
  #recent = new Int32Array(2 << RECENT_BITS);

  private constructor(buffers: SharedSeenSetBuffers, thread: number) {
    this.#buffers = buffers;
    this.#thread = thread;
    this.#table = new Int32Array(buffers.table);
    this.#parents = new Uint32Array(buffers.parents);
    this.#actions = new Uint16Array(buffers.actions);
    this.#ordinals = new Uint32Array(buffers.ordinals);
    this.#control = new Int32Array(buffers.control);
    this.#mask = (this.#table.length >>> 1) - 1;
    this.#limit = ((this.#mask + 1) * 3) >>> 2;
    this.#count = Atomics.load(this.#control, HEADER_WORDS + thread * STRIDE);
  }

  /**
   * A new empty set with `2^log2Slots` slots for `threads` inserting threads; this handle is
   * thread 0.
   */
  static create(log2Slots: number, threads = 1): SharedSeenSet {
    return new SharedSeenSet(SharedSeenSet.#allocate(2 ** log2Slots, threads), 0);
  }

  static #allocate(slots: number, threads: number): SharedSeenSetBuffers {
    const block = Math.max(1, Math.min(4096, slots >>> 8));
    // Room for the records of every reserved index: the limit plus one open block per thread.
    const records = slots + threads * block;
    return {
      table: new SharedArrayBuffer(slots * 8),
      parents: new SharedArrayBuffer(records * 4),
      actions: new SharedArrayBuffer(records * 2),
      ordinals: new SharedArrayBuffer(records * 4),
      control: new SharedArrayBuffer((HEADER_WORDS + threads * STRIDE) * 4),
      block,
      threads,
    };
  }

  /** Attaches to buffers made by another thread, as thread `thread` (0 <= thread < threads). */
  static attach(buffers: SharedSeenSetBuffers, thread: number): SharedSeenSet {
    if (thread < 0 || thread >= buffers.threads) {
      throw new RangeError(`Cannot attach thread ${thread}: the set has ${buffers.threads}`);
    }
    return new SharedSeenSet(buffers, thread);
  }

  /** The buffers, to send to workers. */
  get buffers(): SharedSeenSetBuffers {
    return this.#buffers;
  }

  /** Number of distinct states stored (the sum of every thread's count). */
  get size(): number {
    const control = this.#control;
    let n = 0;
    for (let t = 0; t < this.#buffers.threads; t++) {
      n += Atomics.load(control, HEADER_WORDS + t * STRIDE);
    }
    return n;
  }

  /** This thread's states. */
  get ownSize(): number {
    return this.#count;
  }

  /** True once the table passed 3/4 load: workers should pause so it can grow. */
  get full(): boolean {
    return Atomics.load(this.#control, FULL) !== 0;
  }

  /** Bytes held. */
  get bytesUsed(): number {
    const b = this.#buffers;
    return b.table.byteLength + b.parents.byteLength + b.actions.byteLength + b.ordinals.byteLength;
  }

  /** Adds the fingerprint of `state` with its step record; returns its index or -1. */
  add(state: unknown, parent: number, actionIndex: number, paramOrdinal: number): number {
    fingerprintShared(state); // the same function as the one-worker engine; neither half is 0
    return this.addFingerprint(lastHi, lastLo, parent, actionIndex, paramOrdinal);
  }

  /** Adds the fingerprint of a canonical encoding `bytes[from..to)`; returns its index or -1. */
  addBytes(
    bytes: Uint8Array,
    from: number,
    to: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number {
    fingerprintBytes(bytes, from, to);
    return this.addFingerprint(lastHi, lastLo, parent, actionIndex, paramOrdinal);
  }

  /** Adds a precomputed fingerprint (both halves non-zero); returns its index or -1. */
  addFingerprint(
    hiBits: number,
    loBits: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number {
    const hi = hiBits | 0;
    const lo = loBits | 0;
    // This thread's cache of fingerprints it met lately (see FingerprintSeenSet): the shared
    // table never loses an entry, so a fingerprint found here is in it.
    const recent = this.#recent;
    const r = ((lo ^ (hi >>> 7)) & RECENT_MASK) << 1;
    if (recent[r] === hi && recent[r + 1] === lo) return -1;
    const table = this.#table;
    const mask = this.#mask;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (let probes = 0; probes <= mask; probes++) {
      const at = slot << 1;
      let h = table[at];
      if (h === 0) {
        h = Atomics.compareExchange(table, at, 0, hi);
        if (h === 0) {
          const index = this.#nextIndex();
          this.#parents[index] = parent;
          this.#actions[index] = actionIndex;
          this.#ordinals[index] = paramOrdinal;
          Atomics.store(table, at + 1, lo);
          Atomics.store(this.#control, HEADER_WORDS + this.#thread * STRIDE, ++this.#count);
          recent[r] = hi;
          recent[r + 1] = lo;
          return index;
        }
      }
      if (h === hi) {
        let l = table[at + 1];
        while (l === 0) l = Atomics.load(table, at + 1); // its owner is publishing it
        if (l === lo) {
          recent[r] = hi;
          recent[r + 1] = lo;
          return -1;
        }
      }
      slot = (slot + 1) & mask;
    }
    throw new RangeError("The shared seen set is full");
  }

  /** The next index of this thread's block, taking a new block when it is used up. */
  #nextIndex(): number {
    if (this.#next === this.#end) {
      const block = this.#buffers.block;
      const start = Atomics.add(this.#control, NEXT_BLOCK, 1) * block;
      if (start + block > this.#parents.length) throw new RangeError("The shared seen set is full");
      this.#next = start;
      this.#end = start + block;
      if (this.#end >= this.#limit) Atomics.store(this.#control, FULL, 1);
    }
    return this.#next++;
  }

  /** Parent index of the state at `index`. */
  parentOf(index: number): number {
    return this.#parents[index];
  }

  /** Action index of the step that first reached `index`. */
  actionOf(index: number): number {
    return this.#actions[index];
  }

  /** Parameter ordinal of the step that first reached `index`. */
  ordinalOf(index: number): number {
    return this.#ordinals[index];
  }

  /**
   * A copy with at least twice the slots (more if needed to get under half load), made while no
   * worker inserts, as thread `thread`'s handle. Workers must {@link attach} to the new buffers.
   */
  grow(thread = this.#thread): SharedSeenSet {
    const size = this.size;
    let log2 = Math.log2(this.#mask + 1) + 1;
    while (2 ** log2 < size * 2) log2++;
    const reserved = Math.min(
      Atomics.load(this.#control, NEXT_BLOCK) * this.#buffers.block,
      this.#parents.length,
    );
    let slots = 2 ** log2;
    // The records of every reserved index (holes included) must fit below the new limit.
    while ((slots * 3) >>> 2 <= reserved) slots *= 2;
    const buffers = SharedSeenSet.#allocate(slots, this.#buffers.threads);
    const next = new SharedSeenSet(buffers, thread);
    const table = next.#table;
    const mask = next.#mask;
    const old = this.#table;
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at];
      if (hi === 0) continue;
      const lo = old[at + 1];
      let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
      while (table[slot << 1] !== 0) slot = (slot + 1) & mask;
      table[slot << 1] = hi;
      table[(slot << 1) + 1] = lo;
    }
    next.#parents.set(this.#parents.subarray(0, reserved));
    next.#actions.set(this.#actions.subarray(0, reserved));
    next.#ordinals.set(this.#ordinals.subarray(0, reserved));
    // Indices go on after every reserved one; each thread keeps its count.
    const block = buffers.block;
    next.#control[NEXT_BLOCK] = Math.ceil(reserved / block);
    for (let t = 0; t < buffers.threads; t++) {
      next.#control[HEADER_WORDS + t * STRIDE] = this.#control[HEADER_WORDS + t * STRIDE];
    }
    next.#count = next.#control[HEADER_WORDS + thread * STRIDE];
    next.#control[FULL] = next.#control[NEXT_BLOCK] * block >= next.#limit ? 1 : 0;
    return next;
  }
}
