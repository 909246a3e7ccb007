/**
 * LockOrder: N processes each run K rounds of "take two locks, increment a shared counter
 * non-atomically (read, then write), release both". With the ordered variant every process takes
 * lock A then B; with MIXED, odd processes take B first, which deadlocks. The distinct-state
 * counts are known from TLC, Spin and Rumur and are reproduced in `lock_order_test.ts`.
 *
 * @module
 */

import type { ByteSink, ByteSource, StateCodec } from "../checker/codec.ts";
import { action, type ProcessLocks, type Spec } from "../checker/spec.ts";

/** Program counter of one process. */
export type Pc = "head" | "got1" | "cs" | "wr" | "rel2" | "rel1" | "done";

/** A LockOrder state. */
export interface LockOrderState {
  /** Lock 0 is A, lock 1 is B: 0 when free, else the owner's process number + 1. */
  readonly lock: readonly number[];
  /** The shared counter. */
  readonly counter: number;
  /** Per process: program counter. */
  readonly pc: readonly Pc[];
  /** Per process: completed rounds. */
  readonly r: readonly number[];
  /** Per process: the value read from the counter. */
  readonly t: readonly number[];
}

/** Parameters of {@link lockOrderSpec}. */
export interface LockOrderParams {
  /** Number of processes. */
  readonly n: number;
  /** Rounds per process. */
  readonly k: number;
  /** Odd processes take B before A (a lock-order inversion). */
  readonly mixed?: boolean;
}

const LOCK_NAMES = ["A", "B"] as const;
const PCS: readonly Pc[] = ["head", "got1", "cs", "wr", "rel2", "rel1", "done"];

/** Writes `n` (0 <= n < 2^21: counters of any registered size) as a LEB128 varint at `at`. */
function putVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

/**
 * A dense, canonical codec for LockOrder states (the `Spec.codec` hook): one byte per lock and
 * program counter, a varint per number. Canonical (equal states, equal bytes), so the engine
 * identifies states by these bytes and queues them as bytes. Decoded states have the same fields
 * in the same order as the spec's own.
 *
 * @example Usage
 * ```ts
 * import { lockOrderCodec } from "./lock_order.ts";
 * import { ByteSink, ByteSource } from "../checker/codec.ts";
 * import assert from "node:assert/strict";
 * const codec = lockOrderCodec(2);
 * const s = { lock: [1, 0], counter: 3, pc: ["got1", "head"], r: [1, 0], t: [0, 0] } as const;
 * const sink = new ByteSink();
 * codec.encode(s, sink);
 * assert.equal(sink.length, 9); // 2 locks, the counter, 2 program counters, 2 rounds, 2 reads
 * assert.deepEqual(codec.decode(new ByteSource(sink.bytes())), s);
 * ```
 */
export function lockOrderCodec(n: number): StateCodec<LockOrderState> {
  return {
    // Equal states have equal fields, written in a fixed order: equal bytes.
    canonical: true,
    // Written straight into the sink's buffer: a byte per lock and program counter, numbers as
    // LEB128 varints (one byte below 128).
    encode(s: LockOrderState, sink: ByteSink): void {
      const buf = sink.reserve(2 + n + 3 * (1 + 2 * n));
      let at = sink.length;
      buf[at++] = s.lock[0];
      buf[at++] = s.lock[1];
      at = putVarint(buf, at, s.counter);
      for (let p = 0; p < n; p++) buf[at++] = PCS.indexOf(s.pc[p]);
      for (let p = 0; p < n; p++) at = putVarint(buf, at, s.r[p]);
      for (let p = 0; p < n; p++) at = putVarint(buf, at, s.t[p]);
      sink.commit(at);
    },
    decode(source: ByteSource): LockOrderState {
      const lock = [source.u8(), source.u8()];
      const counter = source.varint();
      const pc: Pc[] = [];
      for (let p = 0; p < n; p++) pc.push(PCS[source.u8()]);
      const r: number[] = [];
      for (let p = 0; p < n; p++) r.push(source.varint());
      const t: number[] = [];
      for (let p = 0; p < n; p++) t.push(source.varint());
      return { lock, counter, pc, r, t };
    },
  };
}

/**
 * The LockOrder spec.
 *
 * @example Usage
 * ```ts
 * import { explore } from "../checker/explore.ts";
 * import { lockOrderSpec } from "./lock_order.ts";
 * import assert from "node:assert/strict";
 * assert.equal(explore(lockOrderSpec({ n: 3, k: 1 })).stats.distinct, 162);
 * ```
 */
export function lockOrderSpec({ n, k, mixed = false }: LockOrderParams): Spec<LockOrderState> {
  const procs = Array.from({ length: n }, (_, p) => p);
  const first = (p: number): number => (mixed && p % 2 === 1 ? 1 : 0);
  const second = (p: number): number => 1 - first(p);
  const step = (
    name: string,
    next: (s: LockOrderState, p: number) => LockOrderState | undefined,
  ) => action<LockOrderState, number>({ name, params: procs, next, formatParam: (p) => `p${p}` });
  const setPc = (s: LockOrderState, p: number, pc: Pc): readonly Pc[] => s.pc.with(p, pc);
  // heldCode: bit 0 = holds its first lock, bit 1 = holds its second lock.
  const heldCode = (s: LockOrderState, p: number): number =>
    (s.lock[first(p)] === p + 1 ? 1 : 0) | (s.lock[second(p)] === p + 1 ? 2 : 0);
  const lockViews: ProcessLocks[][] = procs.map((p) =>
    [0, 1, 2, 3].map((code) => ({
      held: [first(p), second(p)].filter((_, i) => code & (1 << i)).map((l) => LOCK_NAMES[l]),
    }))
  );
  // The lock view of a whole state depends only on the two owners: one array per pair, so a
  // state whose locks did not change hands gets the very same array (the engine then skips the
  // comparison).
  const stateViews: (readonly ProcessLocks[] | undefined)[] = [];
  const locksOf = (s: LockOrderState): readonly ProcessLocks[] => {
    const code = s.lock[0] * (n + 1) + s.lock[1];
    let views = stateViews[code];
    if (views === undefined) {
      views = procs.map((p) => lockViews[p][heldCode(s, p)]);
      stateViews[code] = views;
    }
    return views;
  };

  return {
    name: `LockOrder(N=${n}, K=${k}${mixed ? ", MIXED" : ""})`,
    init: [{
      lock: [0, 0],
      counter: 0,
      pc: procs.map((): Pc => "head"),
      r: procs.map(() => 0),
      t: procs.map(() => 0),
    }],
    actions: [
      step(
        "Acq1",
        (s, p) =>
          s.pc[p] === "head" && s.r[p] < k && s.lock[first(p)] === 0
            ? { ...s, lock: s.lock.with(first(p), p + 1), pc: setPc(s, p, "got1") }
            : undefined,
      ),
      step(
        "Acq2",
        (s, p) =>
          s.pc[p] === "got1" && s.lock[second(p)] === 0
            ? { ...s, lock: s.lock.with(second(p), p + 1), pc: setPc(s, p, "cs") }
            : undefined,
      ),
      step(
        "Read",
        (s, p) =>
          s.pc[p] === "cs" ? { ...s, t: s.t.with(p, s.counter), pc: setPc(s, p, "wr") } : undefined,
      ),
      step(
        "Write",
        (s, p) =>
          s.pc[p] === "wr"
            ? { ...s, counter: s.t[p] + 1, t: s.t.with(p, 0), pc: setPc(s, p, "rel2") }
            : undefined,
      ),
      step(
        "Rel2",
        (s, p) =>
          s.pc[p] === "rel2"
            ? { ...s, lock: s.lock.with(second(p), 0), pc: setPc(s, p, "rel1") }
            : undefined,
      ),
      step("Rel1", (s, p) =>
        s.pc[p] === "rel1"
          ? {
            ...s,
            lock: s.lock.with(first(p), 0),
            r: s.r.with(p, s.r[p] + 1),
            pc: setPc(s, p, "head"),
          }
          : undefined),
      step(
        "Finish",
        (s, p) =>
          s.pc[p] === "head" && s.r[p] === k ? { ...s, pc: setPc(s, p, "done") } : undefined,
      ),
    ],
    invariants: [
      {
        name: "MutualExclusion",
        description: "at most one process is between Read and Write",
        holds: (s) => {
          let inside = 0;
          for (const pc of s.pc) if (pc === "cs" || pc === "wr") inside++;
          return inside <= 1;
        },
      },
      {
        name: "CounterCorrect",
        description: "when every process is done, counter = N*K",
        holds: (s) => !s.pc.every((pc) => pc === "done") || s.counter === n * k,
      },
    ],
    isEnd: (s) => s.pc.every((pc) => pc === "done"),
    codec: lockOrderCodec(n),
    scope: {
      bounds: `N=${n} processes, K=${k} rounds each`,
      sections: [{
        title: "bounded domains",
        entries: [
          { name: "processes", value: n },
          {
            name: "rounds",
            value: k,
            note: "each process finishes after K rounds; the counter is bounded by N*K",
          },
        ],
      }],
    },
    // Lock views built once per combination: the engine compares views by identity first, so
    // unchanged processes cost nothing.
    locks: locksOf,
    processNames: procs.map((p) => `p${p}`),
  };
}
