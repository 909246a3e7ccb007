/**
 * The example specs shipped with leasecheck, as registry entries: they prove the engine against
 * answers known from TLC, Spin and Rumur, and show how to write a spec.
 *
 * @module
 */

import { type SpecEntry, specEntry } from "../checker/registry.ts";
import { dieHardSpec } from "./die_hard.ts";
import { gateLockSpec } from "./gate_lock.ts";
import { idleDeadlockSpec } from "./idle_deadlock.ts";
import { lockOrderSpec } from "./lock_order.ts";

export { dieHardSpec, type DieHardState } from "./die_hard.ts";
export { gateLockSpec, type GateLockState } from "./gate_lock.ts";
export {
  type IdleDeadlockParams,
  idleDeadlockSpec,
  type IdleDeadlockState,
} from "./idle_deadlock.ts";
export { type LockOrderParams, lockOrderSpec, type LockOrderState, type Pc } from "./lock_order.ts";

/** The example specs by name. */
export const EXAMPLE_SPECS: readonly SpecEntry[] = [
  specEntry({
    name: "lock-order",
    description: "N processes, two locks, K rounds of a non-atomic increment (MIXED: deadlocks)",
    params: {
      n: { type: "int", default: 3, min: 1, max: 12, description: "number of processes" },
      k: { type: "int", default: 2, min: 0, max: 1000, description: "rounds per process" },
      mixed: { type: "bool", default: false, description: "odd processes take B before A" },
    },
    build: (p) => lockOrderSpec({ n: p.n as number, k: p.k as number, mixed: p.mixed as boolean }),
  }),
  specEntry({
    name: "die-hard",
    description: "the water-jug puzzle: the invariant big /= 4 fails after 6 steps",
    params: {
      goal: {
        type: "int",
        default: 4,
        min: -1,
        max: 5,
        description: "amount that solves it (-1: none)",
      },
    },
    build: (p) => dieHardSpec({ goal: p.goal === -1 ? undefined : (p.goal as number) }),
  }),
  specEntry({
    name: "gate-lock",
    description: "A/B taken in opposite orders inside a gate lock: a lock-order cycle, no deadlock",
    params: {
      gate: { type: "bool", default: true, description: "take the gate lock G around A and B" },
    },
    build: (p) => gateLockSpec({ gate: p.gate as boolean }),
  }),
  specEntry({
    name: "idle-deadlock",
    description:
      "two processes deadlock on A/B while a no-op status query stays enabled: only the process rule sees it",
    params: {
      ordered: { type: "bool", default: false, description: "both processes take A before B" },
      progress: {
        type: "bool",
        default: true,
        description: "declare progress actions and inFlight (false: the classic rule only)",
      },
    },
    build: (p) =>
      idleDeadlockSpec({ ordered: p.ordered as boolean, progress: p.progress as boolean }),
  }),
];
