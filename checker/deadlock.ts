/**
 * The deadlock rule, shared by exhaustive exploration (one worker or several), simulation and
 * replay. A reachable state is a deadlock when
 *
 * - no action is enabled in it and the spec does not call it a valid end state
 *   ({@link Spec.isEnd}): the classic rule (`no-enabled-action`); or
 * - the spec says processes are in flight in it ({@link Spec.inFlight}) and no transition of a
 *   progress action ({@link Action.progress}) is enabled: every in-flight process is blocked,
 *   whatever idle requests or environment steps could still run (`no-progress`).
 *
 * The second rule is what makes a deadlock visible in specs where some request is enabled in
 * every state (an error reply, a read-only query): by the first rule alone such a spec never
 * deadlocks.
 *
 * @module
 */

import type { Spec } from "./spec.ts";
import { domainOf } from "./trace.ts";

/** Which part of the rule a deadlocked state breaks. */
export type DeadlockRule = "no-enabled-action" | "no-progress";

/**
 * The per-action progress flags of a spec (1: progress action), after checking that a spec
 * with {@link Spec.inFlight} marks at least one action as progress.
 *
 * @throws {TypeError} when the spec defines `inFlight` but no action is a progress action.
 *
 * @example Usage
 * ```ts
 * import { progressFlags } from "./deadlock.ts";
 * import assert from "node:assert/strict";
 * const flags = progressFlags({
 *   name: "s",
 *   init: [0],
 *   actions: [{ name: "Idle", next: (s) => s }, { name: "Step", progress: true, next: () => 1 }],
 *   inFlight: (s) => s === 0,
 * });
 * assert.deepEqual([...flags], [0, 1]);
 * ```
 */
export function progressFlags<S>(spec: Spec<S>): Uint8Array {
  const flags = Uint8Array.from(spec.actions, (a) => (a.progress === true ? 1 : 0));
  if (spec.inFlight !== undefined && !flags.includes(1)) {
    throw new TypeError(
      `Cannot check deadlocks of ${spec.name}: it defines inFlight but marks no action as progress`,
    );
  }
  return flags;
}

/**
 * Applies the deadlock rule to a state whose transitions were counted: `enabled` enabled
 * transitions in all, `progressEnabled` of them by progress actions. Returns the rule the state
 * breaks, or undefined when it is not a deadlock. Calls the spec's `isEnd` and `inFlight` only
 * when they can change the answer.
 *
 * @example Usage
 * ```ts
 * import { deadlockOf } from "./deadlock.ts";
 * import assert from "node:assert/strict";
 * const spec = { name: "s", init: [1], actions: [], inFlight: (s: number) => s > 0 };
 * assert.equal(deadlockOf(spec, 1, 3, 0), "no-progress");
 * assert.equal(deadlockOf(spec, 0, 3, 0), undefined);
 * assert.equal(deadlockOf(spec, 0, 0, 0), "no-enabled-action");
 * ```
 */
export function deadlockOf<S>(
  spec: Spec<S>,
  state: S,
  enabled: number,
  progressEnabled: number,
): DeadlockRule | undefined {
  if (enabled === 0 && !(spec.isEnd?.(state) ?? false)) return "no-enabled-action";
  if (progressEnabled === 0 && spec.inFlight !== undefined && spec.inFlight(state)) {
    return "no-progress";
  }
  return undefined;
}

/**
 * Applies the deadlock rule to one state by enumerating its transitions (for replayed traces;
 * a search counts transitions as it goes and calls {@link deadlockOf}).
 *
 * @example Usage
 * ```ts
 * import { findDeadlock } from "./deadlock.ts";
 * import assert from "node:assert/strict";
 * const spec = {
 *   name: "s",
 *   init: [0],
 *   actions: [{ name: "Idle", next: (s: number) => s }],
 *   inFlight: () => true,
 * };
 * assert.throws(() => findDeadlock(spec, 0), /marks no action as progress/);
 * assert.equal(findDeadlock({ ...spec, inFlight: undefined }, 0), undefined);
 * ```
 */
export function findDeadlock<S>(spec: Spec<S>, state: S): DeadlockRule | undefined {
  const flags = progressFlags(spec);
  let enabled = 0;
  let progressEnabled = 0;
  spec.actions.forEach((action, a) => {
    for (const param of domainOf(action, state)) {
      if (action.next(state, param) === undefined) continue;
      enabled++;
      progressEnabled += flags[a];
    }
  });
  return deadlockOf(spec, state, enabled, progressEnabled);
}

/**
 * One line saying what the deadlock check of `spec` looks for (for scopes and messages).
 *
 * @example Usage
 * ```ts
 * import { describeDeadlockRule } from "./deadlock.ts";
 * import assert from "node:assert/strict";
 * assert.match(describeDeadlockRule({ name: "s", init: [], actions: [] }), /no enabled action/);
 * ```
 */
export function describeDeadlockRule<S>(spec: Spec<S>): string {
  const classic = "no enabled action and not a valid end state";
  return spec.inFlight === undefined
    ? classic
    : `${classic}, or processes in flight and no progress step enabled`;
}
