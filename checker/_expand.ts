/**
 * Expansion of one state: the inner loop shared by the single-threaded explorer and the parallel
 * workers. Enumerates every enabled (action, parameter) pair, counts transitions, checks action
 * properties and lock order on each, stores successors in the seen set, checks invariants on new
 * ones, and reports deadlocks.
 *
 * @module
 */

import { ByteSink, type StateCodec } from "./codec.ts";
import { deadlockOf, type DeadlockRule, progressFlags } from "./deadlock.ts";
import { deepFreeze } from "./immutable.ts";
import type { Violation } from "./result.ts";
import type { LockAcquisition, ProcessLocks, Spec } from "./spec.ts";
import { domainOf, type PathStep } from "./trace.ts";

/** Where a violation happened, before its trace is rebuilt. */
export type Site =
  | { readonly state: number }
  | { readonly state: number; readonly step: PathStep };

/** A violation found during the search, before its trace is rebuilt. */
export interface Pending {
  /** The violation kind. */
  readonly kind: Violation<unknown>["kind"];
  /** Invariant, property or cycle name. */
  readonly name: string;
  /** Where (absent for lock-order cycles, which carry their edges' sites). */
  readonly site?: Site;
  /** Lock-order cycles: the edges, each with the transition that first produced it. */
  readonly cycle?: readonly PendingEdge[];
  /** Deadlocks: the lock view of the stuck state. */
  readonly locks?: readonly ProcessLocks[];
  /** Deadlocks: which part of the rule the state breaks. */
  readonly rule?: DeadlockRule;
  /** Errors: the message. */
  readonly message?: string;
}

/** A lock-order edge with the transition that first produced it. */
export interface PendingEdge {
  /** Lock held. */
  readonly from: string;
  /** Lock acquired. */
  readonly to: string;
  /** Acquiring process index. */
  readonly process: number;
  /** The transition: source state index and step. */
  readonly site: { readonly state: number; readonly step: PathStep };
}

/** Where new states go: a seen set and a frontier, local or shared. */
export interface ExpansionTarget<S> {
  /** Stores `key` (the canonical successor) if new; returns its index or -1. */
  add(key: unknown, parent: number, actionIndex: number, paramOrdinal: number): number;
  /** Queues a new state for expansion (`undefined`: counted, not to be expanded). */
  push(state: S | undefined, index: number): void;
  /**
   * With a canonical codec: stores the key given as its bytes `bytes[from..to)` if new; returns
   * its index or -1.
   */
  addBytes?(
    bytes: Uint8Array,
    from: number,
    to: number,
    parent: number,
    actionIndex: number,
    paramOrdinal: number,
  ): number;
  /** With a canonical codec: queues a new state given as its self-contained encoding. */
  pushBytes?(bytes: Uint8Array, from: number, to: number, index: number): void;
  /**
   * Lock order: records the acquisitions of one transition; returns true when the search should
   * stop (a cycle closed and the run stops at the first violation). `site` is a scratch object
   * reused for every call: copy it to keep it ({@link keepSite}).
   */
  observeLocks?(
    before: readonly ProcessLocks[],
    after: readonly ProcessLocks[],
    site: { readonly state: number; readonly step: PathStep },
  ): boolean;
  /** Stops the current expansion early when true after an insertion (e.g. --max-states). */
  full?(): boolean;
}

/**
 * Cheap pre-check for the lock-order graph: true when some process's held-lock list differs
 * between the two views (an acquisition is possible). Specs that reuse their lock-view arrays
 * make this an identity comparison per process.
 */
function mayAcquire(before: readonly ProcessLocks[], after: readonly ProcessLocks[]): boolean {
  for (let p = 0; p < after.length; p++) {
    const held = after[p].held;
    if (held.length === 0) continue;
    const was = p < before.length ? before[p].held : undefined;
    if (was === held) continue;
    if (was === undefined || was.length !== held.length) return true;
    for (let i = 0; i < held.length; i++) if (held[i] !== was[i]) return true;
  }
  return false;
}

/** A copy of a scratch transition site, for a lock-order edge to keep. */
export function keepSite(
  site: { readonly state: number; readonly step: PathStep },
): { readonly state: number; readonly step: PathStep } {
  return { state: site.state, step: { action: site.step.action, ordinal: site.step.ordinal } };
}

/**
 * The two lock views an acquisition inside a transition stands for: process `e.process` holding
 * `e.held`, then holding `e.held` and `e.acquired` (the other processes hold nothing).
 */
export function acquisitionViews(
  e: LockAcquisition,
): readonly [readonly ProcessLocks[], readonly ProcessLocks[]] {
  const before: ProcessLocks[] = [];
  const after: ProcessLocks[] = [];
  for (let p = 0; p < e.process; p++) {
    before.push(NOTHING_HELD);
    after.push(NOTHING_HELD);
  }
  before.push({ held: e.held });
  after.push({ held: [...e.held, e.acquired] });
  return [before, after];
}

const NOTHING_HELD: ProcessLocks = Object.freeze({ held: Object.freeze([]) as readonly string[] });

/** The counters and violations of a search (one set per worker). */
export interface ExpansionCounters {
  /** Transitions produced. */
  readonly generated: number;
  /** Deadlocked states (see `deadlock.ts` for the rule). */
  readonly deadlocked: number;
  /** Transitions per action index. */
  readonly generatedBy: ArrayLike<number>;
  /** New states per action index. */
  readonly distinctBy: ArrayLike<number>;
  /** Violations found. */
  readonly pending: readonly Pending[];
  /** Transitions per coverage label (when coverage is on). */
  readonly coverage: ReadonlyMap<string, number>;
}

/** Expands states of one spec; keeps the counters and the violations found. */
export class Expander<S> implements ExpansionCounters {
  /** Transitions produced. */
  generated = 0;
  /** Deadlocked states (see `deadlock.ts` for the rule). */
  deadlocked = 0;
  /** Transitions per action index. */
  readonly generatedBy: Float64Array;
  /** New states per action index. */
  readonly distinctBy: Float64Array;
  /** Violations, in the order found (one per kind and name). */
  readonly pending: Pending[] = [];
  /** Transitions per coverage label (when coverage is on). */
  readonly coverage: Map<string, number> = new Map();
  readonly #reported = new Set<string>();
  readonly #spec: Spec<S>;
  readonly #checkDeadlock: boolean;
  readonly #stopAtFirst: boolean;
  #invariant = "";
  readonly #labels: Spec<S>["labels"];
  readonly #progress: Uint8Array;
  readonly #freeze: boolean;
  readonly #lockSite = { state: 0, step: { action: 0, ordinal: 0 } };
  readonly #keyCodec: StateCodec<S> | undefined;
  readonly #scratch: ByteSink | undefined;

  /** Creates an expander for `spec`. */
  constructor(
    spec: Spec<S>,
    options: { checkDeadlock: boolean; stopAtFirst: boolean; coverage?: boolean; freeze?: boolean },
  ) {
    this.#freeze = options.freeze === true;
    this.#keyCodec = spec.codec?.canonical ? spec.codec : undefined;
    this.#scratch = this.#keyCodec === undefined ? undefined : new ByteSink(256);
    this.#spec = spec;
    this.#labels = options.coverage ? spec.labels?.bind(spec) : undefined;
    this.#checkDeadlock = options.checkDeadlock;
    this.#progress = progressFlags(spec);
    this.#stopAtFirst = options.stopAtFirst;
    this.generatedBy = new Float64Array(spec.actions.length);
    this.distinctBy = new Float64Array(spec.actions.length);
  }

  /** Records a violation unless one of the same kind and name is already recorded. */
  report(pending: Pending): void {
    const key = `${pending.kind}:${pending.name}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    this.pending.push(pending);
  }

  /** The canonical codec states are identified by, when the spec has one. */
  get keyCodec(): StateCodec<S> | undefined {
    return this.#keyCodec;
  }

  /** The name of the first invariant `state` violates, if any. */
  failedInvariant(state: S): string | undefined {
    const invariants = this.#spec.invariants;
    if (invariants === undefined) return undefined;
    for (let i = 0; i < invariants.length; i++) {
      this.#invariant = invariants[i].name;
      if (!invariants[i].holds(state)) return invariants[i].name;
    }
    return undefined;
  }

  /**
   * Expands `state` (stored at `index`) into `target`. Returns false when the search must stop:
   * a violation with stop-at-first, the target is full, or the spec threw (recorded as an error).
   */
  expand(state: S, index: number, target: ExpansionTarget<S>): boolean {
    const spec = this.#spec;
    const actions = spec.actions;
    const properties = spec.properties;
    const canonicalize = spec.canonicalize;
    const freeze = this.#freeze;
    const keyCodec = this.#keyCodec;
    const scratch = this.#scratch;
    if (freeze) deepFreeze(state);
    const locksBefore = spec.locks ? spec.locks(state) : undefined;
    const observeLocks = target.observeLocks;
    const acquisitions = spec.acquisitions?.bind(spec);
    const stopAtFirst = this.#stopAtFirst;
    let context = "locks";
    // Where an exception would be reported: the expanded state, or the step out of it
    // (siteAction >= 0), or a new state (siteState !== index). Kept as numbers: no allocation.
    let siteState = index;
    let siteAction = -1;
    let siteOrdinal = 0;
    const lockSite = this.#lockSite;
    let enabled = 0;
    let progressEnabled = 0;
    const progress = this.#progress;
    try {
      for (let a = 0; a < actions.length; a++) {
        const action = actions[a];
        // An indexed loop over the domain (a copy only for a domain that is not an array).
        const domain = domainOf(action, state);
        const params = Array.isArray(domain) ? domain as readonly unknown[] : [...domain];
        for (let ordinal = 0; ordinal < params.length; ordinal++) {
          const param = params[ordinal];
          context = action.name;
          const next = action.next(state, param);
          if (next === undefined) continue;
          if (freeze) deepFreeze(next);
          enabled++;
          progressEnabled += progress[a];
          this.generated++;
          this.generatedBy[a]++;
          if (properties !== undefined) {
            for (let k = 0; k < properties.length; k++) {
              context = properties[k].name;
              if (!properties[k].holds(state, next, { action: action.name, param })) {
                this.report({
                  kind: "property",
                  name: properties[k].name,
                  site: { state: index, step: { action: a, ordinal } },
                });
                if (stopAtFirst) return false;
              }
            }
          }
          if (this.#labels !== undefined) {
            context = "labels";
            for (const label of this.#labels(state, next, { action: action.name, param })) {
              this.coverage.set(label, (this.coverage.get(label) ?? 0) + 1);
            }
          }
          if (acquisitions !== undefined && observeLocks !== undefined) {
            context = "locks";
            const events = acquisitions(state, next, { action: action.name, param });
            if (events !== undefined) {
              for (const e of events) {
                lockSite.state = index;
                lockSite.step.action = a;
                lockSite.step.ordinal = ordinal;
                const [before, after] = acquisitionViews(e);
                if (observeLocks(before, after, lockSite)) return false;
              }
            }
          }
          // A self-loop (the action returned its input: e.g. an error reply that changes
          // nothing) reaches a state already stored, and no lock changed hands: skip the rest.
          if (next === state) continue;
          if (observeLocks !== undefined) {
            context = "locks";
            const locksAfter = spec.locks!(next);
            if (locksAfter !== locksBefore && mayAcquire(locksBefore!, locksAfter)) {
              // One scratch site for every observation: the lock graph copies it for new edges.
              lockSite.state = index;
              lockSite.step.action = a;
              lockSite.step.ordinal = ordinal;
              if (observeLocks(locksBefore!, locksAfter, lockSite)) return false;
            }
          }
          context = canonicalize ? "canonicalize" : "fingerprint";
          siteAction = a;
          siteOrdinal = ordinal;
          const key = canonicalize ? canonicalize(next) : next;
          let added: number;
          if (keyCodec !== undefined) {
            // The state's identity is its canonical encoding: hash the bytes, and queue them.
            context = "codec";
            scratch!.reset();
            keyCodec.encode(key, scratch!);
            added = target.addBytes!(scratch!.buffer, 0, scratch!.length, index, a, ordinal);
          } else {
            added = target.add(key, index, a, ordinal);
          }
          siteAction = -1;
          if (added < 0) continue;
          this.distinctBy[a]++;
          context = "invariants";
          siteState = added;
          const bad = this.failedInvariant(next);
          siteState = index;
          if (bad !== undefined) {
            this.report({ kind: "invariant", name: bad, site: { state: added } });
            target.push(undefined, added);
            if (stopAtFirst) return false;
          } else if (keyCodec !== undefined && key === next) {
            target.pushBytes!(scratch!.buffer, 0, scratch!.length, added);
          } else {
            target.push(next, added);
          }
          if (target.full?.()) return false;
        }
      }
      if (this.#checkDeadlock && (enabled === 0 || progressEnabled === 0)) {
        context = enabled === 0 ? "isEnd" : "inFlight";
        const rule = deadlockOf(spec, state, enabled, progressEnabled);
        if (rule !== undefined) {
          this.deadlocked++;
          this.report({
            kind: "deadlock",
            name: "deadlock",
            site: { state: index },
            locks: locksBefore,
            rule,
          });
          if (stopAtFirst) return false;
        }
      }
      return true;
    } catch (error) {
      this.pending.push({
        kind: "error",
        name: context === "invariants" ? this.#invariant : context,
        message: error instanceof Error ? error.message : String(error),
        site: siteAction >= 0
          ? { state: siteState, step: { action: siteAction, ordinal: siteOrdinal } }
          : { state: siteState },
      });
      return false;
    }
  }
}
