/**
 * The set of states already seen, with the parent pointer and the step (action, parameter
 * ordinal) that first reached each one, so that traces can be rebuilt by replaying steps from an
 * initial state instead of storing states.
 *
 * Two implementations: {@link FingerprintSeenSet} keeps 64-bit fingerprints in an open-addressing
 * table (about 26 bytes per state, so 100M states fit in under 3 GB); {@link ExactSeenSet} keeps
 * canonical string keys (no collisions, far more memory).
 *
 * @module
 */

import {
  canonicalKey,
  fingerprintBytes,
  fingerprintShared,
  lastHi,
  lastLo,
} from "./fingerprint.ts";

const RECENT_BITS = 15;
const RECENT_MASK = (1 << RECENT_BITS) - 1;

/** Parent index of an initial state. */
export const NO_PARENT = 0xffffffff;

/** What the engine needs from a seen set. */
export interface SeenSet {
  /** True for the collision-free implementation. */
  readonly exact: boolean;
  /** Number of distinct states stored. */
  readonly size: number;
  /** Approximate bytes held by the set and its per-state records. */
  readonly bytesUsed: number;
  /**
   * Adds `state` if new and records how it was reached: its parent's index, the action index and
   * the parameter ordinal. Returns the new state's index, or -1 when it was already present.
   */
  add(state: unknown, parent: number, actionIndex: number, paramOrdinal: number): number;
  /**
   * Like {@link SeenSet.add} for a state given as the bytes `bytes[from..to)` of a canonical
   * codec (`StateCodec.canonical`): equal bytes, same state.
   */
  addBytes(
    bytes: Uint8Array,
    from: number,
    to: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number;
  /** Parent index of the state at `index` ({@link NO_PARENT} for initial states). */
  parentOf(index: number): number;
  /** Action index of the step that first reached `index` (initial states: the init ordinal). */
  actionOf(index: number): number;
  /** Parameter ordinal of the step that first reached `index`. */
  ordinalOf(index: number): number;
}

/** Growable per-state records shared by both implementations. */
class StepRecords {
  parents: Uint32Array = new Uint32Array(1 << 16);
  actions: Uint16Array = new Uint16Array(1 << 16);
  ordinals: Uint32Array = new Uint32Array(1 << 16);

  push(index: number, parent: number, actionIndex: number, paramOrdinal: number): void {
    if (index === this.parents.length) this.grow();
    this.parents[index] = parent;
    this.actions[index] = actionIndex;
    this.ordinals[index] = paramOrdinal;
  }

  private grow(): void {
    const n = this.parents.length * 2;
    const parents = new Uint32Array(n);
    parents.set(this.parents);
    const actions = new Uint16Array(n);
    actions.set(this.actions);
    const ordinals = new Uint32Array(n);
    ordinals.set(this.ordinals);
    this.parents = parents;
    this.actions = actions;
    this.ordinals = ordinals;
  }

  get bytes(): number {
    return this.parents.byteLength + this.actions.byteLength + this.ordinals.byteLength;
  }
}

/**
 * Seen set of 64-bit fingerprints: linear probing over an interleaved `[hi, lo]` table that
 * doubles at 3/4 load. `(0, 0)` marks an empty slot (fingerprints never take that value).
 *
 * @example Usage
 * ```ts
 * import { FingerprintSeenSet, NO_PARENT } from "./seen_set.ts";
 * import assert from "node:assert/strict";
 * const seen = new FingerprintSeenSet();
 * assert.equal(seen.add({ x: 1 }, NO_PARENT, 0, 0), 0);
 * assert.equal(seen.add({ x: 1 }, 0, 0, 0), -1);
 * ```
 */
export class FingerprintSeenSet implements SeenSet {
  /** Always false: distinct states may collide (see the collision estimate). */
  readonly exact: boolean = false;
  #table: Uint32Array;
  #mask: number;
  #size = 0;
  #limit: number;
  #records = new StepRecords();
  #recent = new Uint32Array(2 << RECENT_BITS);

  /** Creates an empty set with room for `2^log2Capacity` slots before the first resize. */
  constructor(log2Capacity = 16) {
    const slots = 1 << log2Capacity;
    this.#table = new Uint32Array(slots * 2);
    this.#mask = slots - 1;
    this.#limit = (slots * 3) >>> 2;
  }

  /** Number of distinct fingerprints stored. */
  get size(): number {
    return this.#size;
  }

  /** Bytes held by the table and the per-state records. */
  get bytesUsed(): number {
    return this.#table.byteLength + this.#records.bytes + this.#recent.byteLength;
  }

  /** Adds the fingerprint of `state`; see {@link SeenSet.add}. */
  add(state: unknown, parent: number, actionIndex: number, paramOrdinal: number): number {
    fingerprintShared(state);
    return this.addFingerprint(lastHi, lastLo, parent, actionIndex, paramOrdinal);
  }

  /** Adds the fingerprint of a canonical encoding; see {@link SeenSet.addBytes}. */
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

  /** Adds a precomputed fingerprint; returns the new index or -1 if present. */
  addFingerprint(
    hi: number,
    lo: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number {
    // A state met again soon (interleavings that commute reach it from several parents of one
    // level) is found in a small cache that stays in the processor's cache, without touching
    // the big table. The cache only ever holds fingerprints the table holds.
    const recent = this.#recent;
    const r = ((lo ^ (hi >>> 7)) & RECENT_MASK) << 1;
    if (recent[r] === hi && recent[r + 1] === lo) return -1;
    const table = this.#table;
    const mask = this.#mask;
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot << 1;
      const h = table[at];
      const l = table[at + 1];
      if (h === 0 && l === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        recent[r] = hi;
        recent[r + 1] = lo;
        const index = this.#size++;
        this.#records.push(index, parent, actionIndex, paramOrdinal);
        if (this.#size > this.#limit) this.#resize();
        return index;
      }
      if (h === hi && l === lo) {
        recent[r] = hi;
        recent[r + 1] = lo;
        return -1;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Parent index of the state at `index`. */
  parentOf(index: number): number {
    return this.#records.parents[index];
  }

  /** Action index that first reached `index`. */
  actionOf(index: number): number {
    return this.#records.actions[index];
  }

  /** Parameter ordinal that first reached `index`. */
  ordinalOf(index: number): number {
    return this.#records.ordinals[index];
  }

  #resize(): void {
    const old = this.#table;
    const slots = (this.#mask + 1) * 2;
    const table = new Uint32Array(slots * 2);
    const mask = slots - 1;
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at];
      const lo = old[at + 1];
      if (hi === 0 && lo === 0) continue;
      let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
      while (table[slot << 1] !== 0 || table[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
      table[slot << 1] = hi;
      table[(slot << 1) + 1] = lo;
    }
    this.#table = table;
    this.#mask = mask;
    this.#limit = (slots * 3) >>> 2;
  }
}

/**
 * Exact seen set keyed by canonical strings ({@link canonicalKey}): no collisions are possible,
 * at the cost of storing a string per state.
 *
 * @example Usage
 * ```ts
 * import { ExactSeenSet, NO_PARENT } from "./seen_set.ts";
 * import assert from "node:assert/strict";
 * const seen = new ExactSeenSet();
 * assert.equal(seen.add({ x: [1] }, NO_PARENT, 0, 0), 0);
 * assert.equal(seen.add({ x: [1] }, 0, 0, 0), -1);
 * ```
 */
export class ExactSeenSet implements SeenSet {
  /** Always true. */
  readonly exact: boolean = true;
  #keys = new Set<string>();
  #keyBytes = 0;
  #records = new StepRecords();

  /** Number of distinct states stored. */
  get size(): number {
    return this.#keys.size;
  }

  /** Approximate bytes: key characters (2 bytes each) plus per-entry overhead and records. */
  get bytesUsed(): number {
    return this.#keyBytes + this.#keys.size * 40 + this.#records.bytes;
  }

  /** Adds the canonical key of `state`; see {@link SeenSet.add}. */
  add(state: unknown, parent: number, actionIndex: number, paramOrdinal: number): number {
    return this.#addKey(canonicalKey(state), parent, actionIndex, paramOrdinal);
  }

  /** Adds a canonical encoding as the key (its bytes as characters); see {@link SeenSet.addBytes}. */
  addBytes(
    bytes: Uint8Array,
    from: number,
    to: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number {
    let key = "";
    for (let i = from; i < to; i += 4096) {
      key += String.fromCharCode(...bytes.subarray(i, Math.min(i + 4096, to)));
    }
    return this.#addKey(key, parent, actionIndex, paramOrdinal);
  }

  #addKey(key: string, parent: number, actionIndex: number, paramOrdinal: number): number {
    if (this.#keys.has(key)) return -1;
    const index = this.#keys.size;
    this.#keys.add(key);
    this.#keyBytes += key.length * 2;
    this.#records.push(index, parent, actionIndex, paramOrdinal);
    return index;
  }

  /** Parent index of the state at `index`. */
  parentOf(index: number): number {
    return this.#records.parents[index];
  }

  /** Action index that first reached `index`. */
  actionOf(index: number): number {
    return this.#records.actions[index];
  }

  /** Parameter ordinal that first reached `index`. */
  ordinalOf(index: number): number {
    return this.#records.ordinals[index];
  }
}
