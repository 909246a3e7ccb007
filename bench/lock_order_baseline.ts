/**
 * A hand-written, single-purpose breadth-first search of LockOrder (the model of
 * `examples/lock_order.ts`), the reference the generic engine is measured against. It checks
 * what the engine's LockOrder run checks — both invariants (MutualExclusion, CounterCorrect) on
 * every new state, deadlocks (no successor and not every process done), the lock-order edges
 * (the second lock taken while holding the first) — and counts distinct states and transitions,
 * but it stores no parent pointers, so it could not print a counterexample.
 *
 * A state is a vector of small integers `[lock A, lock B, counter, pc × N, r × N, t × N]`; its
 * key is the string of those char codes, kept in a `Set<string>`, and the queue holds the keys.
 * This is the plain way to write such a search in JavaScript; no custom hash table.
 *
 * Usage: `deno run bench/lock_order_baseline.ts [n=5] [k=10]`; prints one JSON line.
 *
 * @module
 */

import process from "node:process";

const HEAD = 0;
const GOT1 = 1;
const CS = 2;
const WR = 3;
const REL2 = 4;
const REL1 = 5;
const DONE = 6;

/** What one search found. */
export interface BaselineResult {
  /** Distinct states. */
  readonly distinct: number;
  /** Transitions (successors produced, initial state not counted). */
  readonly transitions: number;
  /** Deadlocked states. */
  readonly deadlocks: number;
  /** States violating an invariant. */
  readonly violations: number;
  /** Lock-order edges seen (`A->B`). */
  readonly edges: readonly string[];
  /** Wall time in milliseconds. */
  readonly elapsedMs: number;
}

/**
 * Explores LockOrder with `n` processes and `k` rounds, ordered (every process takes A then B).
 *
 * @example Usage
 * ```ts
 * import { lockOrderBaseline } from "./lock_order_baseline.ts";
 * import assert from "node:assert/strict";
 * const r = lockOrderBaseline(3, 1);
 * assert.equal(r.distinct, 162);
 * assert.equal(r.transitions, 279);
 * ```
 */
export function lockOrderBaseline(n: number, k: number): BaselineResult {
  const start = performance.now();
  const PC = 3;
  const R = 3 + n;
  const T = 3 + 2 * n;
  const size = 3 + 3 * n;
  const seen = new Set<string>();
  const queue: string[] = [];
  let head = 0;
  let transitions = 0;
  let deadlocks = 0;
  let violations = 0;
  const edges = new Set<string>();
  const v = new Array<number>(size).fill(0);
  const w = new Array<number>(size).fill(0);

  const key = (x: number[]): string => String.fromCharCode.apply(null, x);
  const check = (x: number[]): boolean => {
    let inCs = 0;
    let done = 0;
    for (let p = 0; p < n; p++) {
      const pc = x[PC + p];
      if (pc === CS || pc === WR) inCs++;
      if (pc === DONE) done++;
    }
    return inCs <= 1 && (done < n || x[2] === n * k);
  };
  const emit = (): void => {
    transitions++;
    const s = key(w);
    if (seen.has(s)) return;
    seen.add(s);
    if (check(w)) queue.push(s);
    else violations++;
  };

  const init = key(v);
  seen.add(init);
  queue.push(init);
  while (head < queue.length) {
    const s = queue[head];
    queue[head++] = ""; // let the string go
    for (let i = 0; i < size; i++) v[i] = s.charCodeAt(i);
    let enabled = 0;
    for (let p = 0; p < n; p++) {
      const pc = v[PC + p];
      for (let i = 0; i < size; i++) w[i] = v[i];
      switch (pc) {
        case HEAD:
          if (v[R + p] < k && v[0] === 0) {
            w[0] = p + 1;
            w[PC + p] = GOT1;
            enabled++;
            emit();
          } else if (v[R + p] === k) {
            w[PC + p] = DONE;
            enabled++;
            emit();
          }
          break;
        case GOT1:
          if (v[1] === 0) {
            w[1] = p + 1;
            w[PC + p] = CS;
            edges.add("A->B"); // holds A, takes B
            enabled++;
            emit();
          }
          break;
        case CS:
          w[T + p] = v[2];
          w[PC + p] = WR;
          enabled++;
          emit();
          break;
        case WR:
          w[2] = v[T + p] + 1;
          w[T + p] = 0;
          w[PC + p] = REL2;
          enabled++;
          emit();
          break;
        case REL2:
          w[1] = 0;
          w[PC + p] = REL1;
          enabled++;
          emit();
          break;
        case REL1:
          w[0] = 0;
          w[R + p] = v[R + p] + 1;
          w[PC + p] = HEAD;
          enabled++;
          emit();
          break;
      }
    }
    if (enabled === 0) {
      let done = true;
      for (let p = 0; p < n; p++) if (v[PC + p] !== DONE) done = false;
      if (!done) deadlocks++;
    }
    if ((head & 0xfffff) === 0) queue.splice(0, head), head = 0;
  }
  return {
    distinct: seen.size,
    transitions,
    deadlocks,
    violations,
    edges: [...edges],
    elapsedMs: performance.now() - start,
  };
}

if (import.meta.main) {
  const args = Object.fromEntries(Deno.args.map((a) => a.split("=")));
  const n = Number(args.n ?? 5);
  const k = Number(args.k ?? 10);
  const cpu0 = process.cpuUsage();
  const r = lockOrderBaseline(n, k);
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({
    engine: "baseline",
    spec: `LockOrder(N=${n}, K=${k})`,
    distinct: r.distinct,
    transitions: r.transitions,
    wallSeconds: Number((r.elapsedMs / 1000).toFixed(2)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    distinctPerSecond: Math.round(r.distinct / (r.elapsedMs / 1000)),
    transitionsPerSecond: Math.round(r.transitions / (r.elapsedMs / 1000)),
    peakRssMB: Math.round(Deno.memoryUsage().rss / 2 ** 20),
    deadlocks: r.deadlocks,
    violations: r.violations,
    edges: r.edges,
  }));
}
