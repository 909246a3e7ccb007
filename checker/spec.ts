/**
 * The contract between a specification and the engine, in the manner of TLA+: initial states,
 * named actions that map a state to a successor, state invariants, action properties, valid end
 * states, and optional hooks for symmetry and lock information.
 *
 * States are plain data: numbers, strings, booleans, `null`, `undefined`, bigints, arrays, plain
 * objects, `Map`s and `Set`s, nested freely. The engine never mutates a state; actions must not
 * mutate their input either (return a copy with the change, sharing the unchanged parts: the
 * engine relies on that to skip re-hashing shared sub-objects). An action that changes nothing
 * (an error reply, say) may return its input object itself: the engine then counts the
 * transition as a self-loop without storing anything. Two states are the same state when they
 * are structurally equal; object key order and `Map`/`Set` insertion order do not matter.
 *
 * @module
 */

import type { StateCodec } from "./codec.ts";
import type { SpecScope } from "./scope.ts";

/**
 * A named action. `next(state, param)` returns the successor for one parameter value, or
 * `undefined` when the action is not enabled for it. Nondeterminism inside an action is expressed
 * through the parameter domain (TLA+'s `\E p \in params(s): Next(s, p)`), so every transition is
 * identified by its action name and parameter, which is what traces print.
 *
 * @typeParam S The state type.
 * @typeParam P The parameter type (for example a process id).
 *
 * @example Usage
 * ```ts
 * import type { Action } from "./spec.ts";
 * type S = { x: number };
 * const inc: Action<S, number> = {
 *   name: "Inc",
 *   params: [1, 2],
 *   next: (s, by) => (s.x + by <= 3 ? { x: s.x + by } : undefined),
 * };
 * ```
 */
export interface Action<S, P = undefined> {
  /** The action's name, as printed in traces and statistics. */
  readonly name: string;
  /**
   * The parameter domain: a fixed list (fastest), or a function of the state for choices that
   * depend on it. Omitted: the action has the single parameter `undefined`.
   */
  readonly params?: readonly P[] | ((state: S) => Iterable<P>);
  /** The successor of `state` under this action with `param`, or `undefined` if disabled. */
  next(state: S, param: P): S | undefined;
  /** Renders a parameter for traces (default: a compact JSON-like rendering). */
  formatParam?(param: P): string;
  /**
   * True when this action's transitions advance an in-flight process (a step of a started
   * operation), as opposed to idle requests or environment steps that may run at any time (a
   * request answered with an error, a new operation arriving). Read only with
   * {@link Spec.inFlight}: a state with processes in flight in which no progress transition is
   * enabled is a deadlock, however many other actions are enabled. An enabled progress
   * transition counts even when it returns its input unchanged.
   */
  readonly progress?: boolean;
}

/** A state invariant: a predicate every reachable state must satisfy. */
export interface Invariant<S> {
  /** Stable name, printed when violated (for example a fact id such as `INV-L1`). */
  readonly name: string;
  /** One line saying what the invariant means. */
  readonly description?: string;
  /** True when `state` satisfies the invariant. */
  holds(state: S): boolean;
}

/** Identifies one transition: the action taken and its parameter. */
export interface StepLabel {
  /** The action's name. */
  readonly action: string;
  /** The parameter value the action was taken with. */
  readonly param: unknown;
}

/** An action property: a predicate every transition must satisfy (TLA+'s `[][P]_vars`). */
export interface ActionProperty<S> {
  /** Stable name, printed when violated. */
  readonly name: string;
  /** One line saying what the property means. */
  readonly description?: string;
  /** True when the transition `before` → `after` taken by `step` satisfies the property. */
  holds(before: S, after: S, step: StepLabel): boolean;
}

/**
 * The locks one process holds and the lock it waits for, in one state. Lock names are whatever
 * granularity the spec wants the lock-order check to work at: instances (`"lock:eth0"`) or
 * classes (`"instance-lock:physical"`), as lockdep does.
 */
export interface ProcessLocks {
  /** Locks held, in acquisition order. */
  readonly held: readonly string[];
  /** The lock this process is blocked on, if any. */
  readonly waiting?: string;
}

/**
 * One lock acquisition inside a transition ({@link Spec.acquisitions}): which process took
 * which lock while holding which others.
 *
 * @example Usage
 * ```ts
 * import type { LockAcquisition } from "./spec.ts";
 * import assert from "node:assert/strict";
 * const a: LockAcquisition = { process: 0, held: ["rtnl"], acquired: "netdev:virtual" };
 * assert.equal(a.held.length, 1);
 * ```
 */
export interface LockAcquisition {
  /** The process (its index in the spec's `locks` views). */
  readonly process: number;
  /** The locks it held, in acquisition order. */
  readonly held: readonly string[];
  /** The lock it took. */
  readonly acquired: string;
}

/**
 * A specification the engine can explore.
 *
 * @typeParam S The state type: plain data (see the module documentation).
 */
export interface Spec<S> {
  /** The spec's name, printed in results. */
  readonly name: string;
  /** The initial states. */
  readonly init: readonly S[] | (() => Iterable<S>);
  /** The actions; a transition is one enabled (action, parameter) pair. */
  readonly actions: readonly Action<S, unknown>[];
  /** State invariants, checked on every newly discovered state (initial states included). */
  readonly invariants?: readonly Invariant<S>[];
  /** Action properties, checked on every transition. */
  readonly properties?: readonly ActionProperty<S>[];
  /**
   * Valid end states: a reachable state with no enabled action is a deadlock unless this returns
   * true for it. Omitted: every state without a successor is a deadlock.
   */
  isEnd?(state: S): boolean;
  /**
   * True when some process is in flight in `state` (an operation was started and has not
   * finished). With it the deadlock check also reports a state with processes in flight in which
   * no transition of a {@link Action.progress} action is enabled, whatever idle requests could
   * still run there. A spec that defines it must mark at least one action as progress.
   */
  inFlight?(state: S): boolean;
  /**
   * What the spec's exploration covers, carried into every result's scope: a one-line summary of
   * the bounds the verdict holds under (printed on the verdict line), and sections such as
   * `operations` (stepped or atomic, and why), `bounded domains`, `reductions` (what the spec
   * leaves out on purpose). Static data, or a function of nothing called once per run. Omitted:
   * results say the spec declares no bounds.
   */
  readonly scope?: SpecScope | (() => SpecScope);
  /**
   * How a state is encoded while it waits in the frontier (or on disk). Default: the structural
   * codec, which handles any plain data (see `codec.ts`). A spec that knows its state can write
   * a denser or faster one from the sink's primitives; `decode(encode(s))` must be structurally
   * equal to `s`.
   */
  readonly codec?: StateCodec<S>;
  /**
   * Symmetry reduction: maps a state to the representative of its equivalence class. States
   * with equal representatives are counted once. Must be idempotent.
   */
  canonicalize?(state: S): S;
  /**
   * Lock information, one entry per process in a fixed order. With it the engine builds a
   * lockdep-style lock-order graph (an edge A→B when a process holding A acquires B) and reports
   * any cycle as a potential deadlock.
   */
  locks?(state: S): readonly ProcessLocks[];
  /** Names of the processes `locks` reports, for messages (default `p0`, `p1`, ...). */
  readonly processNames?: readonly string[];
  /**
   * Coverage labels of a transition (for instance the spec facts the step exercises). When a
   * run asks for coverage, the engine counts how many transitions carry each label.
   */
  labels?(before: S, after: S, step: StepLabel): Iterable<string>;
  /**
   * Lock acquisitions made inside the transition `before` → `after` that the lock views of the
   * two states cannot show: a lock taken while others were held and released again within the
   * same step (a short nested critical section). Each adds the lock-order edges from every held
   * lock to the acquired one, as lockdep does at acquisition time. Omitted: only the views count.
   */
  acquisitions?(before: S, after: S, step: StepLabel): Iterable<LockAcquisition> | undefined;
}

/**
 * Builds an `Action<S, unknown>` from a typed action, so a spec can list actions with different
 * parameter types in one array without casts.
 *
 * @example Usage
 * ```ts
 * import { action } from "./spec.ts";
 * const acq = action<{ pc: number[] }, number>({
 *   name: "Acq",
 *   params: [0, 1],
 *   next: (s, p) => (s.pc[p] === 0 ? { pc: s.pc.with(p, 1) } : undefined),
 * });
 * ```
 */
export function action<S, P>(definition: Action<S, P>): Action<S, unknown> {
  return definition as Action<S, unknown>;
}
