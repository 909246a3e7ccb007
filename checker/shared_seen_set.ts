/**
 * A fingerprint seen set in shared memory, so several workers can insert concurrently without
 * locks: each slot is two 32-bit words; a worker claims an empty slot by compare-and-swap of the
 * high word, then publishes the low word. Readers that find their high word in a slot whose low
 * word is still 0 wait for it. Neither word is ever 0 in a used slot, so 0 marks "empty".
 *
 * The table does not grow while workers insert: when it passes 3/4 load it raises a flag, the
 * workers pause at their next state, and the orchestrator {@link SharedSeenSet.grow}s it.
 *
 * @module
 */

import { fingerprintShared, lastHi, lastLo } from "./fingerprint.ts";

/** Slots of the control array. */
const COUNT = 0;
const FULL = 1;
const CONTROL_WORDS = 4;

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
  /** Counter of states and the "full" flag. */
  readonly control: SharedArrayBuffer;
}

/**
 * The shared seen set (the same object type on the orchestrator and in each worker).
 *
 * @example Usage
 * ```ts
 * import { SharedSeenSet } from "./shared_seen_set.ts";
 * import assert from "node:assert/strict";
 * const seen = SharedSeenSet.create(4);
 * assert.equal(seen.add({ x: 1 }, 0xffffffff, 0, 0), 0);
 * assert.equal(seen.add({ x: 1 }, 0, 0, 0), -1);
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

  private constructor(buffers: SharedSeenSetBuffers) {
    this.#buffers = buffers;
    this.#table = new Int32Array(buffers.table);
    this.#parents = new Uint32Array(buffers.parents);
    this.#actions = new Uint16Array(buffers.actions);
    this.#ordinals = new Uint32Array(buffers.ordinals);
    this.#control = new Int32Array(buffers.control);
    this.#mask = (this.#table.length >>> 1) - 1;
    this.#limit = ((this.#mask + 1) * 3) >>> 2;
  }

  /** A new empty set with `2^log2Slots` slots. */
  static create(log2Slots: number): SharedSeenSet {
    const slots = 2 ** log2Slots;
    return new SharedSeenSet({
      table: new SharedArrayBuffer(slots * 8),
      parents: new SharedArrayBuffer(slots * 4),
      actions: new SharedArrayBuffer(slots * 2),
      ordinals: new SharedArrayBuffer(slots * 4),
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    });
  }

  /** Attaches to buffers made by another thread. */
  static attach(buffers: SharedSeenSetBuffers): SharedSeenSet {
    return new SharedSeenSet(buffers);
  }

  /** The buffers, to send to workers. */
  get buffers(): SharedSeenSetBuffers {
    return this.#buffers;
  }

  /** Number of distinct states stored. */
  get size(): number {
    return Atomics.load(this.#control, COUNT);
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
    const table = this.#table;
    const mask = this.#mask;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (let probes = 0; probes <= mask; probes++) {
      const at = slot << 1;
      let h = table[at];
      if (h === 0) {
        h = Atomics.compareExchange(table, at, 0, hi);
        if (h === 0) {
          const index = Atomics.add(this.#control, COUNT, 1);
          this.#parents[index] = parent;
          this.#actions[index] = actionIndex;
          this.#ordinals[index] = paramOrdinal;
          Atomics.store(table, at + 1, lo);
          if (index >= this.#limit) Atomics.store(this.#control, FULL, 1);
          return index;
        }
      }
      if (h === hi) {
        let l = table[at + 1];
        while (l === 0) l = Atomics.load(table, at + 1); // its owner is publishing it
        if (l === lo) return -1;
      }
      slot = (slot + 1) & mask;
    }
    throw new RangeError("The shared seen set is full");
  }

  /** Parent index of the state at `index`. */
  parentOf(index: number): number {
    return this.#parents[index];
  }

  /** Action index that first reached `index`. */
  actionOf(index: number): number {
    return this.#actions[index];
  }

  /** Parameter ordinal that first reached `index`. */
  ordinalOf(index: number): number {
    return this.#ordinals[index];
  }

  /**
   * A copy with at least twice the slots (more if needed to get under half load), made while no
   * worker inserts. Workers must {@link attach} to the new buffers.
   */
  grow(): SharedSeenSet {
    const size = this.size;
    let log2 = Math.log2(this.#mask + 1) + 1;
    while (2 ** log2 < size * 2) log2++;
    const next = SharedSeenSet.create(log2);
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
    next.#parents.set(this.#parents.subarray(0, size));
    next.#actions.set(this.#actions.subarray(0, size));
    next.#ordinals.set(this.#ordinals.subarray(0, size));
    next.#control[COUNT] = size;
    next.#control[FULL] = size >= next.#limit ? 1 : 0;
    return next;
  }
}
