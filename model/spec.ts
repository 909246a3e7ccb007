/**
 * The leasing model as a {@linkcode Spec} for the engine: initial state from the config, one
 * action per enabled operation whose parameter domain enumerates bounded requests (valid ones
 * and a few invalid ones so error paths are explored), the invariants of invariants.ts, and the
 * transition properties INV-L7 (monotonic), INV-N3, INV-V4 and INV-M3.
 *
 * With config `concurrency` 1 every operation is atomic: one transition per request. With
 * `concurrency` >= 2 the state has that many process slots: the operations of
 * {@linkcode PROGRAMS} (queue-create, netkit DELLINK, physical unregister, netns move, mp bind and
 * unbind) start as processes and advance one segment per `step` transition, blocking on locks
 * other processes hold; the others run atomically when the locks they take are free. Bound: a
 * request whose atomic run from the current state changes nothing (an error reply) is explored
 * as that self-loop and does not start a process — its interleavings can only move the moment
 * it looks at the state, which every reachable state already covers. The `locks` hook reports
 * each slot's locks by lockdep class (`rtnl`, `netdev:virtual`, `netdev:physical`).
 *
 * The active mutant may add environment actions (hooks.ts `EnvironmentAction`, after the
 * operations' actions): each runs atomically, with processes in flight only when the locks it
 * names are free.
 *
 * @module
 */

import type { Action, LockAcquisition, ProcessLocks, Spec } from "../checker/spec.ts";
import { type ModelConfig, validateConfig } from "./config.ts";
import { factsOf } from "./facts_of.ts";
import { initialState } from "./init.ts";
import { invariants } from "./invariants.ts";
import type { EnvironmentAction } from "./hooks.ts";
import { type ModelOptions, mutantById } from "./mutants.ts";
import { completionOf, holderOf, lockClass, startProc, transitionAcquisitions } from "./process.ts";
import { modelScope } from "./scope.ts";
import { PROGRAMS, stepSlot } from "./programs.ts";
import { properties } from "./properties.ts";
import { stepsOf } from "./requests.ts";
import { applyStep, formatRequest, type ModelStep } from "./step.ts";
import type { LockId, ModelState, Proc } from "./state.ts";

const NO_LOCKS: ProcessLocks = Object.freeze({ held: Object.freeze([]) });
const lockViews = new WeakMap<Proc, ProcessLocks>();

/**
 * The lockdep view of the process slots (one entry per slot, fixed order), then one entry for
 * the locks operations left locked when they returned ({@linkcode ModelState.leaked}).
 */
function locksOf(s: ModelState): readonly ProcessLocks[] {
  const views = (s.procs ?? []).map((p) => {
    if (p === null) return NO_LOCKS;
    const waiting = p.want !== null && holderOf(s, p.want) !== -1
      ? lockClass(s, p.want)
      : undefined;
    const cached = lockViews.get(p);
    if (cached !== undefined && cached.waiting === waiting) return cached;
    const held = cached?.held ?? p.held.map((l) => lockClass(s, l));
    const view: ProcessLocks = waiting === undefined ? { held } : { held, waiting };
    lockViews.set(p, view);
    return view;
  });
  views.push(s.leaked === undefined ? NO_LOCKS : leakedView(s));
  return views;
}

const leakedViews = new WeakMap<readonly LockId[], ProcessLocks>();

function leakedView(s: ModelState): ProcessLocks {
  const leaked = s.leaked!;
  let view = leakedViews.get(leaked);
  if (view === undefined) {
    view = { held: leaked.map((l) => lockClass(s, l)) };
    leakedViews.set(leaked, view);
  }
  return view;
}

/** The lock acquisitions inside the transition that produced `after` (for lockdep). */
function acquisitionsOf(before: ModelState, after: ModelState): LockAcquisition[] | undefined {
  if (after === before) return undefined;
  const events = transitionAcquisitions(after);
  if (events === undefined) return undefined;
  return events.map((e) => ({
    process: e.slot,
    held: e.held.map((l) => lockClass(after, l)),
    acquired: lockClass(after, e.lock),
  }));
}

const procKeys = new WeakMap<Proc, string>();

function procKey(p: Proc): string {
  let k = procKeys.get(p);
  if (k === undefined) {
    k = JSON.stringify([p.op, p.pc, p.step, p.want, p.held, p.holds, p.ctx]);
    procKeys.set(p, k);
  }
  return k;
}

/**
 * Slot symmetry: processes are interchangeable, so the representative of a state has its
 * processes sorted (free slots last). Lock views are taken on actual states, so the lock-order
 * graph is unaffected.
 */
export function canonicalizeSlots(s: ModelState): ModelState {
  const procs = s.procs;
  if (procs === undefined || procs.length < 2) return s;
  let sorted = true;
  for (let i = 1; i < procs.length && sorted; i++) {
    const a = procs[i - 1];
    const b = procs[i];
    if (b === null) continue;
    if (a === null || procKey(a) > procKey(b)) sorted = false;
  }
  if (sorted) return s;
  const live = procs.filter((p): p is Proc => p !== null).sort((a, b) =>
    procKey(a) < procKey(b) ? -1 : procKey(a) > procKey(b) ? 1 : 0
  );
  return { ...s, procs: [...live, ...procs.map(() => null)].slice(0, procs.length) };
}

/** The first free process slot, or -1. */
function freeSlot(s: ModelState): number {
  const procs = s.procs;
  if (procs === undefined) return -1;
  for (let i = 0; i < procs.length; i++) if (procs[i] === null) return i;
  return -1;
}

/**
 * The successor of `s` when `step` is requested in a stepped exploration: the request starts as
 * a process in a free slot (process.ts `startProc`), or undefined when it cannot start now (every
 * slot busy, or its first lock taken while it holds nothing yet).
 */
export function requestStep(
  s: ModelState,
  step: ModelStep,
  options: ModelOptions,
): ModelState | undefined {
  const slot = freeSlot(s);
  if (slot < 0) return undefined;
  return startProc(s, slot, step, PROGRAMS[step.op], options);
}

/**
 * `s` with the request budget `step` uses taken off (`ModelConfig.netnsMoves`): a bounded
 * netns-move uses one whatever its reply.
 */
function usesBudget(s: ModelState, step: ModelStep): ModelState {
  return step.op === "netns-move" && s.movesLeft !== undefined
    ? { ...s, movesLeft: s.movesLeft - 1 }
    : s;
}

/** A request of an environment action, shaped like a {@linkcode ModelStep} for traces. */
interface EnvironmentStep {
  readonly op: string;
  readonly request: unknown;
}

/**
 * The engine action of an environment action: atomic; with processes in flight, enabled only
 * when the locks it takes are free (a request that changes nothing is a self-loop).
 */
function environmentActionOf(
  env: EnvironmentAction,
  concurrent: boolean,
): Action<ModelState, unknown> {
  const action: Action<ModelState, EnvironmentStep> = {
    name: env.name,
    params: (s) => env.requests(s).map((request) => ({ op: env.name, request })),
    next: (s, step) => {
      const after = env.apply(s, step.request).state;
      if (!concurrent || after === s) return after;
      return env.locks(s, step.request).every((l) => holderOf(s, l) === -1) ? after : undefined;
    },
    formatParam: (step) => JSON.stringify(step.request),
  };
  return action as Action<ModelState, unknown>;
}

/**
 * Builds the engine spec for `config` (defaults filled in, validated).
 *
 * @example Usage
 * ```ts
 * import { leasingSpec } from "./spec.ts";
 * import assert from "node:assert/strict";
 * const spec = leasingSpec({ operations: ["queue-create"] });
 * // The operation's requests, and (two operations in flight) the processes' steps.
 * assert.deepEqual(spec.actions.map((a) => a.name), ["queue-create", "step"]);
 * ```
 */
export function leasingSpec(config: Partial<ModelConfig> = {}): Spec<ModelState> {
  const c = validateConfig(config);
  const options: ModelOptions = {
    mutant: c.mutant,
    kernel: c.kernel,
    ...(c.lateStart === false ? { lateStart: false } : {}),
  };
  const concurrent = c.concurrency >= 2;
  const actions: Action<ModelState, unknown>[] = c.operations.map((op) => {
    const action: Action<ModelState, ModelStep> = {
      name: op,
      params: (s) => stepsOf(s, op, c),
      // An atomic run records its completion itself (labels and INV-M3 read the reply).
      next: concurrent
        ? (s, step) => requestStep(usesBudget(s, step), step, options)
        : (s, step) => applyStep(usesBudget(s, step), step, options).state,
      formatParam: formatRequest,
    };
    return action as Action<ModelState, unknown>;
  });
  const environment = c.mutant === null ? [] : mutantById(c.mutant)?.actions ?? [];
  for (const env of environment) actions.push(environmentActionOf(env, concurrent));
  if (concurrent) {
    const slots = Array.from({ length: c.concurrency }, (_, i) => i);
    const step: Action<ModelState, number> = {
      name: "step",
      // The in-flight processes' own steps: the progress of the deadlock rule.
      progress: true,
      params: (s) => slots.filter((i) => (s.procs?.[i] ?? null) !== null),
      next: (s, slot) => stepSlot(s, slot, options),
      formatParam: (slot) => `proc${slot}`,
    };
    actions.push(step as Action<ModelState, unknown>);
  }
  const name = c.mutant === null ? "netkit-queue-leasing" : `netkit-queue-leasing[${c.mutant}]`;
  return {
    name,
    init: [initialState(c)],
    actions,
    invariants: invariants(options),
    properties: properties(options, concurrent),
    isEnd: concurrent ? (s) => (s.procs ?? []).every((p) => p === null) : () => true,
    // Coverage: the spec facts of each completed request, read off the reply of the very run
    // (process.ts `completionOf`): the transition that answered it carries its labels.
    labels: (before, after) => {
      const done = completionOf(after);
      if (done === undefined) return [];
      return factsOf(done.step as ModelStep, done.reply, before);
    },
    scope: () => modelScope(c),
    ...(concurrent
      ? {
        canonicalize: canonicalizeSlots,
        locks: locksOf,
        acquisitions: acquisitionsOf,
        inFlight: (s: ModelState) => (s.procs ?? []).some((p) => p !== null),
        processNames: [...Array.from({ length: c.concurrency }, (_, i) => `proc${i}`), "(leaked)"],
      }
      : {}),
  };
}
