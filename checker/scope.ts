/**
 * The scope of a run: what was explored, so a reader can tell "ok under these bounds" from "ok".
 * Two parts: what the spec declares about itself ({@link Spec.scope}: its bounded domains, how it
 * models each operation, reductions it makes), and what the engine did (search mode and the bound
 * that stopped it, fingerprints, symmetry and other reductions, which checks ran, workers).
 *
 * @module
 */

import { describeDeadlockRule } from "./deadlock.ts";
import type { Spec } from "./spec.ts";

/** One line of a scope section: a name, its value, and an optional note. */
export interface ScopeEntry {
  /** What is bounded or described (`queue-create`, `namespaces`, `concurrency`). */
  readonly name: string;
  /** Its value (`stepped`, `2`, `true`). */
  readonly value: string | number | boolean;
  /** Why, or what it leaves out. */
  readonly note?: string;
}

/** A titled group of scope entries (`operations`, `bounded domains`, `reductions`). */
export interface ScopeSection {
  /** The section's title. */
  readonly title: string;
  /** Its entries, in the order to show them. */
  readonly entries: readonly ScopeEntry[];
}

/** What a spec declares about its own scope ({@link Spec.scope}). */
export interface SpecScope {
  /**
   * One line naming the bounds the verdict holds under (`2 namespaces, 6 devices, 2 operations
   * in flight`), printed on the verdict line. Absent: the spec claims its whole state space.
   */
  readonly bounds?: string;
  /** The details, rendered in full by reports. */
  readonly sections: readonly ScopeSection[];
  /**
   * Every coverage label the spec's `labels` hook can give in this configuration. A run with
   * coverage can list those no explored transition carried.
   */
  readonly labels?: readonly string[];
}

/** Why a search stopped before it had expanded every reachable state. */
export type StopReason =
  | "max-states"
  | "max-depth"
  | "time-budget"
  | "memory-budget"
  | "violation"
  | "error";

/** What the engine did in a run. */
export interface EngineScope {
  /**
   * `exhaustive`: every reachable state was expanded; `partial`: the search stopped early (see
   * `stoppedBy`); `simulation`: random walks, which never cover everything.
   */
  readonly search: "exhaustive" | "partial" | "simulation";
  /** Why a partial search stopped. */
  readonly stoppedBy?: StopReason;
  /** The bounds the run was given, reached or not. */
  readonly bounds: {
    /** `--max-states`. */
    readonly maxStates?: number;
    /** `--max-depth`. */
    readonly maxDepth?: number;
    /** `--time-budget`, in milliseconds. */
    readonly timeBudgetMs?: number;
    /** `--memory-budget`, in bytes. */
    readonly memoryBudgetBytes?: number;
  };
  /** Simulation only: how many walks of how many steps, and the seed. */
  readonly walks?: {
    /** Walks asked for. */
    readonly requested: number;
    /** Walks run. */
    readonly run: number;
    /** Maximum steps per walk. */
    readonly depth: number;
    /** The seed that reproduces them. */
    readonly seed: number;
  };
  /** How states were identified. */
  readonly fingerprints: {
    /** `hash64`: 64-bit fingerprints; `exact`: canonical keys, no collision possible. */
    readonly mode: "hash64" | "exact";
    /** TLC's optimistic estimate n·(g−n)/2^64 (hash64 only). */
    readonly collisionProbability?: number;
  };
  /** True when the spec's `canonicalize` folded symmetric states together. */
  readonly symmetry: boolean;
  /** Every reduction of the state space in force, one phrase each (symmetry included). */
  readonly reductions: readonly string[];
  /** The checks that ran. */
  readonly checks: {
    /** Number of state invariants checked. */
    readonly invariants: number;
    /** Number of action properties checked. */
    readonly properties: number;
    /** The deadlock rule applied, or null when the deadlock check was off. */
    readonly deadlock: string | null;
    /**
     * `checked`: lock-order graph built; `off`: the spec has lock information but the check was
     * turned off; `unavailable`: the spec has no lock information.
     */
    readonly lockOrder: "checked" | "off" | "unavailable";
    /** True when coverage labels were counted. */
    readonly coverage: boolean;
  };
  /** Threads that explored (1: the in-thread engine). */
  readonly workers: number;
  /** Where queued states were kept (`memory`, `memory (encoded)`, `memory + disk`). */
  readonly frontier?: string;
}

/** The scope of a result: the engine's part and the spec's part. */
export interface Scope {
  /** What the engine did. */
  readonly engine: EngineScope;
  /** What the spec declares (empty sections when it declares nothing). */
  readonly spec: SpecScope;
  /** False when the spec has no `scope` hook: its bounds are not stated. */
  readonly declared: boolean;
}

/** The run settings {@link buildScope} needs besides the spec. */
export interface ScopeSettings {
  /** How the search went. */
  readonly search: EngineScope["search"];
  /** Why it stopped early. */
  readonly stoppedBy?: StopReason;
  /** The bounds given. */
  readonly bounds: EngineScope["bounds"];
  /** Simulation walks. */
  readonly walks?: EngineScope["walks"];
  /** Fingerprints. */
  readonly fingerprints: EngineScope["fingerprints"];
  /** Deadlock check on. */
  readonly checkDeadlock: boolean;
  /** Lock-order check asked for. */
  readonly checkLockOrder: boolean;
  /** Coverage counted. */
  readonly coverage: boolean;
  /** Workers. */
  readonly workers: number;
  /** Frontier storage. */
  readonly frontier?: string;
}

/**
 * The spec's declared scope (calling the hook if it is a function), or an empty one.
 *
 * @example Usage
 * ```ts
 * import { specScopeOf } from "./scope.ts";
 * import assert from "node:assert/strict";
 * const scope = { bounds: "N=2", sections: [] };
 * assert.equal(specScopeOf({ name: "s", init: [], actions: [], scope: () => scope }), scope);
 * ```
 */
export function specScopeOf<S>(spec: Spec<S>): SpecScope {
  const declared = spec.scope;
  if (declared === undefined) return { sections: [] };
  return typeof declared === "function" ? declared() : declared;
}

/**
 * Builds a result's scope from the spec and the run settings.
 *
 * @example Usage
 * ```ts
 * import { buildScope } from "./scope.ts";
 * import assert from "node:assert/strict";
 * const scope = buildScope({ name: "s", init: [0], actions: [] }, {
 *   search: "exhaustive",
 *   bounds: {},
 *   fingerprints: { mode: "exact" },
 *   checkDeadlock: true,
 *   checkLockOrder: true,
 *   coverage: false,
 *   workers: 1,
 * });
 * assert.equal(scope.engine.checks.lockOrder, "unavailable");
 * assert.equal(scope.declared, false);
 * ```
 */
export function buildScope<S>(spec: Spec<S>, settings: ScopeSettings): Scope {
  const symmetry = spec.canonicalize !== undefined;
  const engine: EngineScope = {
    search: settings.search,
    ...(settings.stoppedBy !== undefined ? { stoppedBy: settings.stoppedBy } : {}),
    bounds: settings.bounds,
    ...(settings.walks !== undefined ? { walks: settings.walks } : {}),
    fingerprints: settings.fingerprints,
    symmetry,
    reductions: symmetry
      ? ["symmetry: states equal up to the spec's canonicalize counted once"]
      : [],
    checks: {
      invariants: spec.invariants?.length ?? 0,
      properties: spec.properties?.length ?? 0,
      deadlock: settings.checkDeadlock ? describeDeadlockRule(spec) : null,
      lockOrder: spec.locks === undefined
        ? "unavailable"
        : settings.checkLockOrder
        ? "checked"
        : "off",
      coverage: settings.coverage && spec.labels !== undefined,
    },
    workers: settings.workers,
    ...(settings.frontier !== undefined ? { frontier: settings.frontier } : {}),
  };
  return { engine, spec: specScopeOf(spec), declared: spec.scope !== undefined };
}
