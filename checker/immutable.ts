/**
 * Checks of the `Spec` contract that states are immutable. The engine relies on it: successors
 * share sub-objects with their parent, and fingerprints reuse the hash of a sub-object met again.
 * {@link deepFreeze} makes any later write throw (the `--check-immutable` mode, which is slow:
 * V8 copies frozen arrays on a slow path); the cheap, always-on check re-fingerprints sampled
 * states from scratch when they leave the frontier and compares ({@link VerifyQueue}).
 *
 * @module
 */

function refuse(): never {
  throw new TypeError("Cannot modify a state: states are immutable (see Spec)");
}

const FROZEN_COLLECTION = { value: refuse, enumerable: false, writable: false };

/**
 * Freezes `value` and everything it holds, so that any write throws a TypeError (in strict
 * code, which modules are). `Map`s and `Set`s get throwing `set`/`add`/`delete`/`clear`.
 * Returns `value`.
 *
 * @example Usage
 * ```ts
 * import { deepFreeze } from "./immutable.ts";
 * import assert from "node:assert/strict";
 * const s = deepFreeze({ pc: [0, 1], m: new Map([[1, 2]]) });
 * assert.throws(() => { (s.pc as number[])[0] = 5; }, TypeError);
 * assert.throws(() => s.m.set(3, 4), TypeError);
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
    for (const name of ["set", "delete", "clear"]) {
      Object.defineProperty(value, name, FROZEN_COLLECTION);
    }
  } else if (value instanceof Set) {
    for (const v of value) deepFreeze(v);
    for (const name of ["add", "delete", "clear"]) {
      Object.defineProperty(value, name, FROZEN_COLLECTION);
    }
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return Object.freeze(value);
}

/** One state in 2^SAMPLE_SHIFT is re-checked against a fresh fingerprint. */
export const SAMPLE_SHIFT = 4;
const SAMPLE_MASK = (1 << SAMPLE_SHIFT) - 1;

/**
 * The fingerprints of sampled queued states (indices that are multiples of 16, and so the first
 * initial state), in the order they were stored, to compare with a fresh fingerprint when the
 * state is expanded.
 *
 * @example Usage
 * ```ts
 * import { VerifyQueue } from "./immutable.ts";
 * import assert from "node:assert/strict";
 * const q = new VerifyQueue();
 * q.record(0, 7, 9);
 * q.record(1, 1, 1); // not sampled: ignored
 * assert.deepEqual(q.take(0), [7, 9]);
 * assert.equal(q.take(1), undefined);
 * ```
 */
export class VerifyQueue {
  #words = new Uint32Array(2 * 1024);
  #indices = new Float64Array(1024);
  #head = 0;
  #tail = 0;

  /** True when state `index` is one of the sampled ones. */
  static sampled(index: number): boolean {
    return (index & SAMPLE_MASK) === 0;
  }

  /** Records the fingerprint a sampled state was stored with (other indices are ignored). */
  record(index: number, hi: number, lo: number): void {
    if ((index & SAMPLE_MASK) !== 0) return;
    const capacity = this.#indices.length;
    if (this.#tail - this.#head === capacity) this.#grow();
    const at = this.#tail++ % this.#indices.length;
    this.#indices[at] = index;
    this.#words[2 * at] = hi;
    this.#words[2 * at + 1] = lo;
  }

  /** The fingerprint recorded for `index`, removed, or undefined when none was. */
  take(index: number): [number, number] | undefined {
    if ((index & SAMPLE_MASK) !== 0) return undefined;
    while (this.#head < this.#tail) {
      const at = this.#head % this.#indices.length;
      const stored = this.#indices[at];
      if (stored > index) return undefined;
      this.#head++;
      if (stored === index) return [this.#words[2 * at], this.#words[2 * at + 1]];
    }
    return undefined;
  }

  #grow(): void {
    const n = this.#indices.length;
    const indices = new Float64Array(n * 2);
    const words = new Uint32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const from = (this.#head + i) % n;
      indices[i] = this.#indices[from];
      words[2 * i] = this.#words[2 * from];
      words[2 * i + 1] = this.#words[2 * from + 1];
    }
    this.#indices = indices;
    this.#words = words;
    this.#tail -= this.#head;
    this.#head = 0;
  }
}
