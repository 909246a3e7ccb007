/**
 * Lockdep-style lock-order graph. Every transition in which a process that holds lock A acquires
 * lock B adds the edge A→B; a cycle means two paths can take the same locks in opposite orders,
 * a potential deadlock even when no explored state deadlocks.
 *
 * @module
 */

import type { ProcessLocks } from "./spec.ts";

/** An edge with the witness (whatever identifies the transition) that first produced it. */
export interface WitnessedEdge<W> {
  /** Lock held. */
  readonly from: string;
  /** Lock acquired. */
  readonly to: string;
  /** Index of the acquiring process. */
  readonly process: number;
  /** How to find the transition again (a path, or a state index and step). */
  readonly witness: W;
}

const NO_LOCKS: readonly string[] = [];

/**
 * The graph. `observe` compares the locks of a transition's two states and records new edges;
 * it returns a cycle the first time one closes.
 *
 * @example Usage
 * ```ts
 * import { LockGraph } from "./lock_graph.ts";
 * import assert from "node:assert/strict";
 * const g = new LockGraph<string>();
 * assert.equal(g.observe([{ held: ["A"] }], [{ held: ["A", "B"] }], "t1"), undefined);
 * const cycle = g.observe([{ held: ["B"] }], [{ held: ["B", "A"] }], "t2");
 * assert.deepEqual(cycle?.map((e) => `${e.from}->${e.to}`), ["B->A", "A->B"]);
 * ```
 */
export class LockGraph<W> {
  #edges = new Map<string, WitnessedEdge<W>>();
  #known = new Map<string, Set<string>>(); // from -> to: the edges, for allocation-free lookups
  #out = new Map<string, string[]>();
  #reported = new Set<string>();
  #onEdge?: (edge: WitnessedEdge<W>) => void;
  #keep: (witness: W) => W;

  /**
   * Creates an empty graph; `onEdge` is called for every new edge. `keep` copies a witness when
   * an edge keeps it (default: the witness itself), so a caller may pass one scratch object to
   * every `observe`.
   */
  constructor(onEdge?: (edge: WitnessedEdge<W>) => void, keep?: (witness: W) => W) {
    this.#onEdge = onEdge;
    this.#keep = keep ?? ((w) => w);
  }

  /** Number of distinct edges. */
  get size(): number {
    return this.#edges.size;
  }

  /** All edges, in the order they were found. */
  edges(): WitnessedEdge<W>[] {
    return [...this.#edges.values()];
  }

  /**
   * Records the edges of one transition. `before` and `after` are the spec's lock views of the
   * two states (one entry per process). Returns a newly closed cycle, if any, as its edges in
   * order starting with the new edge.
   */
  observe(
    before: readonly ProcessLocks[],
    after: readonly ProcessLocks[],
    witness: W,
  ): WitnessedEdge<W>[] | undefined {
    let cycle: WitnessedEdge<W>[] | undefined;
    for (let p = 0; p < after.length; p++) {
      const heldAfter = after[p].held;
      const heldBefore = p < before.length ? before[p].held : NO_LOCKS;
      if (heldAfter === heldBefore || heldAfter.length === 0) continue;
      for (const acquired of heldAfter) {
        if (heldBefore.includes(acquired)) continue;
        for (const held of heldBefore) {
          if (held === acquired || !heldAfter.includes(held)) continue;
          const found = this.add(held, acquired, p, witness);
          if (found && !cycle) cycle = found;
        }
      }
    }
    return cycle;
  }

  /**
   * Adds one edge (if new) and returns the cycle it closes, if any: used directly to merge edges
   * found elsewhere (e.g. by parallel workers).
   */
  add(from: string, to: string, process: number, witness: W): WitnessedEdge<W>[] | undefined {
    let targets = this.#known.get(from);
    if (targets !== undefined && targets.has(to)) return undefined;
    if (targets === undefined) this.#known.set(from, targets = new Set());
    targets.add(to);
    const key = `${from}\u0000${to}`;
    const edge: WitnessedEdge<W> = { from, to, process, witness: this.#keep(witness) };
    this.#edges.set(key, edge);
    this.#onEdge?.(edge);
    const out = this.#out.get(from);
    if (out) out.push(to);
    else this.#out.set(from, [to]);
    const back = this.#pathBetween(to, from);
    if (!back) return undefined;
    const cycle = [edge, ...back];
    const id = cycle.map((e) => e.from).sort().join("\u0000");
    if (this.#reported.has(id)) return undefined;
    this.#reported.add(id);
    return cycle;
  }

  /** A path of edges from `start` to `goal` (breadth-first, so shortest), if one exists. */
  #pathBetween(start: string, goal: string): WitnessedEdge<W>[] | undefined {
    const via = new Map<string, WitnessedEdge<W> | null>([[start, null]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      const node = queue[i];
      if (node === goal) {
        const path: WitnessedEdge<W>[] = [];
        for (let e = via.get(node); e; e = via.get(e.from)) path.unshift(e);
        return path;
      }
      for (const next of this.#out.get(node) ?? []) {
        if (via.has(next)) continue;
        via.set(next, this.#edges.get(`${node}\u0000${next}`)!);
        queue.push(next);
      }
    }
    return undefined;
  }
}
