/**
 * GateLock: two processes take locks A and B in opposite orders, but always inside a gate lock
 * G, so they never deadlock: no reachable state is stuck (11 distinct states, all live). The
 * lock-order check still reports the cycle A→B→A, as lockdep does — this spec proves that the
 * lock-order check finds what the deadlock check cannot.
 *
 * @module
 */

import { action, type ProcessLocks, type Spec } from "../checker/spec.ts";

/** A GateLock state. */
export interface GateLockState {
  /** Owner (process + 1) of G, A and B; 0 when free. */
  readonly owner: { readonly G: number; readonly A: number; readonly B: number };
  /** Per process: how far through its sequence it is (0 = idle). */
  readonly pc: readonly number[];
}

type LockName = "G" | "A" | "B";

/** Each process's sequence: lock G, its first lock, its second lock, then unlock in reverse. */
const ORDER: readonly (readonly LockName[])[] = [["G", "A", "B"], ["G", "B", "A"]];

/**
 * The GateLock spec. With `gate: false` the gate is not taken and the same two processes
 * really can deadlock.
 *
 * @example Usage
 * ```ts
 * import { explore } from "../checker/explore.ts";
 * import { gateLockSpec } from "./gate_lock.ts";
 * import assert from "node:assert/strict";
 * const result = explore(gateLockSpec(), { continueAfterViolation: true });
 * assert.deepEqual(result.violations.map((v) => v.kind), ["lock-order"]);
 * ```
 */
export function gateLockSpec(
  { gate = true }: { readonly gate?: boolean } = {},
): Spec<GateLockState> {
  const sequence = ORDER.map((locks) => (gate ? locks : locks.slice(1)));
  const steps = sequence[0].length * 2; // lock each, then unlock each
  return {
    name: `GateLock(${gate ? "gated" : "ungated"})`,
    init: [{ owner: { G: 0, A: 0, B: 0 }, pc: [0, 0] }],
    actions: [
      action<GateLockState, number>({
        name: "Lock",
        params: [0, 1],
        formatParam: (p) => `p${p}`,
        next: (s, p) => {
          const pc = s.pc[p];
          if (pc >= sequence[p].length) return undefined;
          const lock = sequence[p][pc];
          if (s.owner[lock] !== 0) return undefined;
          return { owner: { ...s.owner, [lock]: p + 1 }, pc: s.pc.with(p, pc + 1) };
        },
      }),
      action<GateLockState, number>({
        name: "Unlock",
        params: [0, 1],
        formatParam: (p) => `p${p}`,
        next: (s, p) => {
          const pc = s.pc[p];
          if (pc < sequence[p].length) return undefined;
          const lock = sequence[p][steps - 1 - pc];
          return { owner: { ...s.owner, [lock]: 0 }, pc: s.pc.with(p, (pc + 1) % steps) };
        },
      }),
    ],
    invariants: [{
      name: "Exclusion",
      description: "no lock is owned by a process that has not reached it",
      holds: (s) =>
        (["G", "A", "B"] as const).every((l) =>
          s.owner[l] === 0 || s.pc[s.owner[l] - 1] > sequence[s.owner[l] - 1].indexOf(l)
        ),
    }],
    locks: (s): ProcessLocks[] =>
      [0, 1].map((p) => ({
        held: sequence[p].filter((l) => s.owner[l] === p + 1),
        waiting: s.pc[p] < sequence[p].length ? sequence[p][s.pc[p]] : undefined,
      })),
    processNames: ["p0", "p1"],
    scope: { sections: [] }, // two processes looping forever: a finite graph, explored whole
  };
}
