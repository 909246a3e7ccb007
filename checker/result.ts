/**
 * Result values of a run: the verdict, statistics and violations with their traces. A violation
 * is a value, never an exception; reporters render these objects.
 *
 * @module
 */

import type { DeadlockRule } from "./deadlock.ts";
import type { Scope } from "./scope.ts";
import type { ProcessLocks } from "./spec.ts";

/** One step of a trace: the action taken (or `"Init"`), its parameter and the state reached. */
export interface TraceStep<S> {
  /** The action's name, `"Init"` for the first step. */
  readonly action: string;
  /** The action's parameter (the init ordinal for the first step). */
  readonly param: unknown;
  /** Human-readable label, e.g. `Acq1(2)`. */
  readonly label: string;
  /** The state after the step. */
  readonly state: S;
}

/** A counterexample or witness trace, with the token that replays it. */
export interface Trace<S> {
  /** The steps, the first one being the initial state. */
  readonly steps: readonly TraceStep<S>[];
  /** A short token that replays this trace exactly (see `replayToken`). */
  readonly token: string;
}

/** An edge of the lock-order graph: a process held `from` while acquiring `to`. */
export interface LockEdge<S> {
  /** The lock held. */
  readonly from: string;
  /** The lock acquired. */
  readonly to: string;
  /** The process that did it. */
  readonly process: string;
  /** The first trace found that produces the edge (its last step is the acquisition). */
  readonly trace: Trace<S>;
}

/** A property the run found broken. */
export type Violation<S> =
  | {
    /** A state invariant failed in the last state of the trace. */
    readonly kind: "invariant";
    /** The invariant's name. */
    readonly name: string;
    /** The invariant's description, if it has one. */
    readonly description?: string;
    /** Shortest trace to the violating state (breadth-first search). */
    readonly trace: Trace<S>;
  }
  | {
    /** An action property failed on the last transition of the trace. */
    readonly kind: "property";
    /** The property's name. */
    readonly name: string;
    /** The property's description, if it has one. */
    readonly description?: string;
    /** Trace whose last step is the violating transition. */
    readonly trace: Trace<S>;
  }
  | {
    /**
     * A reachable state is stuck: no action is enabled and it is not a valid end state, or
     * processes are in flight and none can take a step (see `rule`).
     */
    readonly kind: "deadlock";
    /** Always `"deadlock"`. */
    readonly name: string;
    /**
     * `no-enabled-action`: nothing is enabled and the state is not a valid end state;
     * `no-progress`: processes are in flight and no progress transition is enabled (idle
     * requests may be). Absent in documents written before the rule had two parts.
     */
    readonly rule?: DeadlockRule;
    /** Shortest trace to the deadlocked state. */
    readonly trace: Trace<S>;
    /** Who holds and who waits for which lock in that state, when the spec says. */
    readonly locks?: readonly ProcessLocks[];
  }
  | {
    /** The lock-order graph has a cycle: a potential deadlock (lockdep's report). */
    readonly kind: "lock-order";
    /** The cycle as `A -> B -> A`. */
    readonly name: string;
    /** The edges of the cycle, each with the trace that first produced it. */
    readonly cycle: readonly LockEdge<S>[];
  }
  | {
    /** The spec threw while evaluating an action, invariant or hook: a bug in the spec. */
    readonly kind: "error";
    /** Where it threw (action, invariant or hook name). */
    readonly name: string;
    /** The error's message. */
    readonly message: string;
    /** Trace to the state being evaluated when it threw. */
    readonly trace: Trace<S>;
  };

/** Per-action counts. */
export interface ActionStats {
  /** Transitions this action produced. */
  generated: number;
  /** New distinct states this action discovered first. */
  distinct: number;
}

/** State-space statistics. */
export interface Stats {
  /** Initial states (distinct). */
  initial: number;
  /** Transitions: successor states produced by actions (initial states not counted). */
  generated: number;
  /** Distinct states found (after symmetry reduction, if any). */
  distinct: number;
  /** Depth of the deepest level reached (initial states are depth 0). */
  depth: number;
  /** States found but not yet expanded when the run ended. */
  queued: number;
  /** Wall time in milliseconds. */
  elapsedMs: number;
  /** Distinct states per second. */
  statesPerSecond: number;
  /** Counts per action name. */
  perAction: Record<string, ActionStats>;
  /** Approximate bytes held by the seen set. */
  seenSetBytes: number;
  /** Deadlocked states found (deadlock check on; see the deadlock violation's `rule`). */
  deadlocked: number;
  /** How queued states were kept (exhaustive runs). */
  frontier?: {
    /** The frontier mode (`auto`, `encoded`, `live`; see `frontier.ts`). */
    readonly mode: "auto" | "encoded" | "live";
    /** The longest the queue was. */
    readonly peakQueued: number;
    /** Encoded bytes per queued state, averaged over every encoded chunk (0: none encoded). */
    readonly bytesPerEncodedState: number;
    /** The most encoded bytes held in memory at once. */
    readonly peakEncodedBytes: number;
    /** Bytes of queued states written to disk under memory pressure. */
    readonly spilledBytes: number;
  };
  /** Parallel runs: where the time went. */
  parallel?: {
    /** Workers. */
    readonly workers: number;
    /** Level rounds (levels, plus rounds repeated when the table grew mid-level). */
    readonly levels: number;
    /** Milliseconds workers waited, summed, for the slowest one at each level's end. */
    readonly barrierWaitMs: number;
    /** Milliseconds spent moving states between workers between levels. */
    readonly rebalanceMs: number;
    /** States moved between workers between levels (encoded, transferred). */
    readonly movedStates: number;
    /** States handed by busy workers to idle ones within levels (work stealing). */
    readonly stolenStates: number;
    /** Milliseconds each worker spent expanding states. */
    readonly busyMs: readonly number[];
  };
  /** Memory readings of the run (exhaustive runs; per worker thread heap for parallel runs). */
  memory?: {
    /** Highest resident set size seen (the whole process). */
    readonly peakRss: number;
    /** Most V8 heap in use seen (this thread). */
    readonly peakHeap: number;
    /** The budget, when one was set. */
    readonly budget?: number;
  };
}

/** The final verdict of a run. */
export type Verdict = "ok" | "violation" | "incomplete" | "error";

/** Everything a run found out. */
export interface CheckResult<S> {
  /** Result schema version. */
  readonly version: 1;
  /** The spec's name. */
  readonly spec: string;
  /** How the state space was searched. */
  readonly mode: "exhaustive" | "simulation";
  /** ok: searched everything, nothing broken; incomplete: stopped early, nothing broken so far. */
  readonly verdict: Verdict;
  /** True when the whole reachable state space (or every requested walk) was covered. */
  readonly complete: boolean;
  /** Why the run stopped early, when it did. */
  readonly stoppedBecause?: string;
  /** Violations found (the first one only unless asked to continue). */
  readonly violations: readonly Violation<S>[];
  /** Statistics. */
  readonly stats: Stats;
  /** How states were identified, and the odds that a hash collision hid a state. */
  readonly fingerprints: {
    /** `hash64` (fingerprints) or `exact` (canonical keys). */
    readonly mode: "hash64" | "exact";
    /** TLC's optimistic estimate n·(g−n)/2^64; absent in exact mode. */
    readonly collisionProbability?: number;
  };
  /** Lock-order edges seen (from → to), when the spec has lock information. */
  readonly lockOrder?: readonly { readonly from: string; readonly to: string }[];
  /** Simulation only: the seed that reproduces the run. */
  readonly seed?: number;
  /** Transitions per coverage label (the spec's `labels`), when coverage was asked for. */
  readonly coverage?: Readonly<Record<string, number>>;
  /**
   * What was explored: the engine's search mode, bounds, fingerprints, reductions and checks,
   * and the spec's declared scope. Set by every engine; absent only in documents written
   * before scopes existed.
   */
  readonly scope?: Scope;
}

/** Process exit codes, documented in the README. */
export const EXIT_CODES: {
  readonly ok: 0;
  readonly error: 1;
  readonly usage: 2;
  readonly invariant: 10;
  readonly property: 11;
  readonly deadlock: 12;
  readonly lockOrder: 13;
  readonly incomplete: 14;
} = {
  ok: 0,
  error: 1,
  usage: 2,
  invariant: 10,
  property: 11,
  deadlock: 12,
  lockOrder: 13,
  incomplete: 14,
};

/**
 * The exit code for a result: the kind of the first violation, else incomplete or ok. A
 * simulation that ran all its walks without a violation exits 0 (it proved nothing, and its
 * verdict says so, but it did what was asked).
 *
 * @example Usage
 * ```ts
 * import { exitCodeOf } from "./result.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exitCodeOf({ verdict: "incomplete", violations: [] }), 14);
 * ```
 */
export function exitCodeOf(
  result: Pick<CheckResult<unknown>, "verdict" | "violations"> & {
    mode?: "exhaustive" | "simulation";
  },
): number {
  const first = result.violations[0];
  if (first) {
    switch (first.kind) {
      case "invariant":
        return EXIT_CODES.invariant;
      case "property":
        return EXIT_CODES.property;
      case "deadlock":
        return EXIT_CODES.deadlock;
      case "lock-order":
        return EXIT_CODES.lockOrder;
      case "error":
        return EXIT_CODES.error;
    }
  }
  // A simulation can never be complete; finishing its walks without a violation is its success.
  if (result.verdict === "incomplete" && result.mode !== "simulation") return EXIT_CODES.incomplete;
  if (result.verdict === "error") return EXIT_CODES.error;
  return EXIT_CODES.ok;
}
