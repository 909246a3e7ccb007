/**
 * The breadth-first frontier: a FIFO queue of states stored in fixed-size chunks, so it never
 * copies on growth and releases memory as it drains. A slot may hold `undefined` for a state that
 * was counted but is not to be expanded (it violated an invariant); positions stay aligned with
 * the seen set's state indices.
 *
 * @module
 */

const CHUNK = 1 << 15;

/**
 * FIFO queue of states.
 *
 * @example Usage
 * ```ts
 * import { Frontier } from "./frontier.ts";
 * import assert from "node:assert/strict";
 * const q = new Frontier<number>();
 * q.push(1);
 * q.push(2);
 * assert.equal(q.shift(), 1);
 * assert.equal(q.nextIndex, 1);
 * ```
 */
export class Frontier<S> {
  #chunks: (S | undefined)[][] = [];
  #head = 0; // position in the first chunk
  #tail = CHUNK; // position in the last chunk
  #shifted = 0;
  #length = 0;

  /** Number of queued entries. */
  get length(): number {
    return this.#length;
  }

  /** Index (counting every entry ever pushed) of the entry `shift` returns next. */
  get nextIndex(): number {
    return this.#shifted;
  }

  /** Appends an entry. */
  push(state: S | undefined): void {
    if (this.#tail === CHUNK) {
      this.#chunks.push(new Array<S | undefined>(CHUNK));
      this.#tail = 0;
    }
    this.#chunks[this.#chunks.length - 1][this.#tail++] = state;
    this.#length++;
  }

  /** Removes and returns the oldest entry (`undefined` when empty or for a skipped slot). */
  shift(): S | undefined {
    if (this.#length === 0) return undefined;
    const chunk = this.#chunks[0];
    const state = chunk[this.#head];
    chunk[this.#head] = undefined;
    this.#head++;
    this.#length--;
    this.#shifted++;
    if (this.#head === CHUNK || this.#length === 0) {
      if (this.#length === 0) {
        this.#chunks = [];
        this.#tail = CHUNK;
      } else {
        this.#chunks.shift();
      }
      this.#head = 0;
    }
    return state;
  }
}
