/**
 * IdleDeadlock: two processes start on request, take locks A and B (in opposite orders unless
 * `ordered`), then release both and finish. A status query answered with a reply that changes
 * nothing is enabled in every state. When p0 holds A and waits for B while p1 holds B and waits
 * for A, the status query is still enabled, so the classic deadlock rule ("no enabled action")
 * never fires; the process rule does: both processes are in flight and no progress step
 * (`Lock`, `Unlock`) is enabled. The spec marks `Lock` and `Unlock` as progress and defines
 * `inFlight`; with `progress: false` it leaves both out, which is the spec the classic rule sees.
 *
 * @module
 */

import { action, type ProcessLocks, type Spec } from "../checker/spec.ts";

/** An IdleDeadlock state. */
export interface IdleDeadlockState {
  /** Owner (process + 1) of A and B; 0 when free. */
  readonly owner: { readonly A: number; readonly B: number };
  /** Per process: 0 idle, 1 started (wants its first lock), 2 holds it, 3 holds both. */
  readonly pc: readonly number[];
}

/** Parameters of {@link idleDeadlockSpec}. */
export interface IdleDeadlockParams {
  /** Both processes take A before B (no deadlock). Default false. */
  readonly ordered?: boolean;
  /** Mark the progress actions and define `inFlight` (default true). */
  readonly progress?: boolean;
}

type LockName = "A" | "B";

/**
 * The IdleDeadlock spec.
 *
 * @example Usage
 * ```ts
 * import { explore } from "../checker/explore.ts";
 * import { idleDeadlockSpec } from "./idle_deadlock.ts";
 * import assert from "node:assert/strict";
 * const found = explore(idleDeadlockSpec(), { checkLockOrder: false });
 * assert.equal(found.violations[0].kind, "deadlock");
 * const missed = explore(idleDeadlockSpec({ progress: false }), { checkLockOrder: false });
 * assert.equal(missed.verdict, "ok");
 * ```
 */
export function idleDeadlockSpec(
  { ordered = false, progress = true }: IdleDeadlockParams = {},
): Spec<IdleDeadlockState> {
  const order: readonly (readonly LockName[])[] = ordered
    ? [["A", "B"], ["A", "B"]]
    : [["A", "B"], ["B", "A"]];
  const procs = [0, 1];
  const lockStep = (s: IdleDeadlockState, p: number): IdleDeadlockState | undefined => {
    const pc = s.pc[p];
    if (pc !== 1 && pc !== 2) return undefined;
    const lock = order[p][pc - 1];
    if (s.owner[lock] !== 0) return undefined;
    return { owner: { ...s.owner, [lock]: p + 1 }, pc: s.pc.with(p, pc + 1) };
  };
  return {
    name: `IdleDeadlock(${ordered ? "ordered" : "opposite"}${progress ? "" : ", no progress"})`,
    init: [{ owner: { A: 0, B: 0 }, pc: [0, 0] }],
    actions: [
      // A new request: not progress of a process in flight.
      action<IdleDeadlockState, number>({
        name: "Start",
        params: procs,
        formatParam: (p) => `p${p}`,
        next: (s, p) => (s.pc[p] === 0 ? { ...s, pc: s.pc.with(p, 1) } : undefined),
      }),
      action<IdleDeadlockState, number>({
        name: "Lock",
        params: procs,
        formatParam: (p) => `p${p}`,
        next: lockStep,
        progress,
      }),
      action<IdleDeadlockState, number>({
        name: "Unlock",
        params: procs,
        formatParam: (p) => `p${p}`,
        next: (s, p) =>
          s.pc[p] === 3
            ? { owner: { ...s.owner, [order[p][0]]: 0, [order[p][1]]: 0 }, pc: s.pc.with(p, 0) }
            : undefined,
        progress,
      }),
      // A status query: answered with a reply that changes nothing, enabled in every state.
      { name: "Status", next: (s) => s },
    ],
    invariants: [{
      name: "Exclusion",
      description: "a lock's owner is a process that has taken it",
      holds: (s) =>
        (["A", "B"] as const).every((l) =>
          s.owner[l] === 0 || s.pc[s.owner[l] - 1] > order[s.owner[l] - 1].indexOf(l) + 1
        ),
    }],
    ...(progress ? { inFlight: (s: IdleDeadlockState) => s.pc.some((pc) => pc !== 0) } : {}),
    locks: (s): ProcessLocks[] =>
      procs.map((p) => {
        const pc = s.pc[p];
        const held = order[p].filter((l) => s.owner[l] === p + 1);
        return pc === 1 || pc === 2 ? { held, waiting: order[p][pc - 1] } : { held };
      }),
    processNames: ["p0", "p1"],
    scope: { sections: [] }, // a finite graph, explored whole
  };
}
