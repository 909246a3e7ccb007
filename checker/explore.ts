/**
 * Exhaustive breadth-first exploration (TLC's model-checking mode): a frontier of states to
 * expand, a seen set of fingerprints with parent pointers, invariants checked on new states,
 * action properties and lock order checked on every transition, deadlocks on states without
 * successors, and shortest counterexamples rebuilt by replaying steps.
 *
 * @module
 */

import {
  Expander,
  type ExpansionCounters,
  type ExpansionTarget,
  keepSite,
  type Pending,
  type Site,
} from "./_expand.ts";
import { buildViolations, cycleName, type StepRecordsView } from "./_violations.ts";
import { ByteSink, type StateCodec } from "./codec.ts";
import { fingerprintInto, lastHi, lastLo } from "./fingerprint.ts";
import { Frontier, type FrontierMode } from "./frontier.ts";
import { VerifyQueue } from "./immutable.ts";
import { collectGarbage, MemoryWatch } from "./memory.ts";
import { LockGraph } from "./lock_graph.ts";
import type { CheckResult, Stats } from "./result.ts";
import { buildScope, type StopReason } from "./scope.ts";
import { ExactSeenSet, FingerprintSeenSet, NO_PARENT, type SeenSet } from "./seen_set.ts";
import type { Spec } from "./spec.ts";
import { initialStates, type PathStep } from "./trace.ts";

/** Progress figures handed to {@link ExploreOptions.onProgress}. */
export interface Progress {
  /** Milliseconds since the start. */
  readonly elapsedMs: number;
  /** Transitions so far. */
  readonly generated: number;
  /** Distinct states so far. */
  readonly distinct: number;
  /** States waiting to be expanded. */
  readonly queued: number;
  /** Current breadth-first depth. */
  readonly depth: number;
  /** Distinct states per second since the start. */
  readonly statesPerSecond: number;
}

/** Options of {@link explore}. */
export interface ExploreOptions {
  /** Stop (incomplete) once this many distinct states are stored. */
  readonly maxStates?: number;
  /** Do not expand states at this depth or deeper (incomplete if any exist). */
  readonly maxDepth?: number;
  /** Stop (incomplete) after this many milliseconds. */
  readonly timeBudgetMs?: number;
  /** Use exact canonical keys instead of 64-bit fingerprints. */
  readonly exact?: boolean;
  /** Report states without successors that are not valid end states (default true). */
  readonly checkDeadlock?: boolean;
  /** Build the lock-order graph from the spec's lock information (default true). */
  readonly checkLockOrder?: boolean;
  /** Count the spec's coverage labels per transition (default false; costs the hook's time). */
  readonly coverage?: boolean;
  /** Keep exploring after a violation, collecting one per property (default false). */
  readonly continueAfterViolation?: boolean;
  /** Called about every `progressIntervalMs` milliseconds with the figures so far. */
  readonly onProgress?: (progress: Progress) => void;
  /** Interval for `onProgress` (default 1000 ms). */
  readonly progressIntervalMs?: number;
  /**
   * Resident memory the run may use, in bytes (default: no budget beyond V8's heap limit, which
   * is always watched). When reached, the frontier is spilled to disk; when nothing is left to
   * spill, the run stops as incomplete (`memory-budget`).
   */
  readonly memoryBudgetBytes?: number;
  /**
   * The memory watch to consult (default: one for `memoryBudgetBytes`, read every 100 ms); a
   * subclass can decide differently when memory is short.
   */
  readonly memoryWatch?: MemoryWatch;
  /** Directory for frontier spill files (default: a new temporary directory). */
  readonly spillDir?: string;
  /**
   * How queued states are kept (default `auto`: live objects while the queue is short, encoded
   * chunks beyond; `encoded`: always encoded; `live`: objects until memory pressure).
   */
  readonly frontier?: FrontierMode;
  /**
   * Deep-freeze every state before the spec sees it, so an action or hook that modifies a state
   * in place throws (reported as an error at that step). Slow; for testing a spec.
   */
  readonly checkImmutable?: boolean;
}

/** How often (in expansions, a power of two minus one) the explorer looks at clocks and memory. */
const CHECK_MASK = 1023;
/** Consecutive readings over budget that spilling did not cure before a run stops. */
const MEMORY_STRIKES = 3;

/**
 * Explores every reachable state of `spec` breadth-first and checks its properties.
 *
 * @example Usage
 * ```ts
 * import { explore } from "./explore.ts";
 * import assert from "node:assert/strict";
 * const result = explore({
 *   name: "counter",
 *   init: [{ n: 0 }],
 *   actions: [{ name: "Inc", next: (s: { n: number }) => (s.n < 3 ? { n: s.n + 1 } : undefined) }],
 *   isEnd: (s) => s.n === 3,
 * });
 * assert.equal(result.verdict, "ok");
 * assert.equal(result.stats.distinct, 4);
 * ```
 */
export function explore<S>(spec: Spec<S>, options: ExploreOptions = {}): CheckResult<S> {
  const start = performance.now();
  if (spec.actions.length > 0xffff) throw new RangeError("A spec may have at most 65535 actions");
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeBudgetMs === undefined ? Infinity : start + options.timeBudgetMs;
  const progressEvery = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;
  const stopAtFirst = !options.continueAfterViolation;

  const seen: SeenSet = options.exact ? new ExactSeenSet() : new FingerprintSeenSet();
  const expander = new Expander(spec, {
    checkDeadlock: options.checkDeadlock ?? true,
    stopAtFirst,
    coverage: options.coverage,
    freeze: options.checkImmutable,
  });
  // A canonical codec makes states bytes from the moment they are found: their identity and
  // their place in the queue.
  const keyCodec = expander.keyCodec;
  const frontier = new Frontier<S>({
    mode: options.frontier,
    codec: spec.codec,
    spillDir: options.spillDir,
    bytes: keyCodec !== undefined,
  });
  const verify = new VerifyQueue();
  const memory = options.memoryWatch ?? new MemoryWatch(options.memoryBudgetBytes);
  let nextMemoryCheck = start + memory.intervalMs;
  let strikes = 0;
  /** Records the fingerprint sampled states are stored with (fresh in exact mode). */
  const recordSample = (index: number, key: unknown): void => {
    // Queued as bytes, a state cannot change after it was stored: nothing to check then.
    if (keyCodec !== undefined || !VerifyQueue.sampled(index)) return;
    if (seen.exact) fingerprintInto(key);
    verify.record(index, lastHi, lastLo);
  };
  const lockGraph = spec.locks && options.checkLockOrder !== false
    ? new LockGraph<Site & { step: PathStep }>(undefined, keepSite)
    : undefined;
  let depth = 0; // depth of the state being expanded
  let deepest = 0; // depth of the deepest state found
  let stop: SearchStop | undefined;
  let nextProgress = start + progressEvery;

  const target: ExpansionTarget<S> = {
    add: (key, parent, a, ordinal) => {
      const index = seen.add(key, parent, a, ordinal);
      if (index >= 0) {
        deepest = depth + 1;
        recordSample(index, key);
      }
      return index;
    },
    push: (state) => frontier.push(state),
    addBytes: (bytes, from, to, parent, a, ordinal) => {
      const index = seen.addBytes(bytes, from, to, parent, a, ordinal);
      if (index >= 0) deepest = depth + 1;
      return index;
    },
    pushBytes: (bytes, from, to) => frontier.pushBytes(bytes, from, to),
    observeLocks: lockGraph &&
      ((before, after, site) => {
        const cycle = lockGraph.observe(before, after, site);
        if (!cycle) return false;
        expander.report({
          kind: "lock-order",
          name: cycleName(cycle),
          cycle: cycle.map((e) => ({
            from: e.from,
            to: e.to,
            process: e.process,
            site: e.witness,
          })),
        });
        return stopAtFirst;
      }),
    full: maxStates === Infinity ? undefined : () => {
      if (seen.size < maxStates) return false;
      stop = { reason: "max-states", text: `reached --max-states ${maxStates}` };
      return true;
    },
  };

  // Initial states: stored and checked like any new state, expanded first.
  const inits = initialStates(spec);
  for (let i = 0; i < inits.length; i++) {
    const state = inits[i];
    let index: number;
    try {
      const key = spec.canonicalize ? spec.canonicalize(state) : state;
      index = addInitial(seen, keyCodec, key, i);
      if (index >= 0) recordSample(index, key);
    } catch (error) {
      throw new TypeError(`Cannot store initial state #${i} of ${spec.name}`, { cause: error });
    }
    if (index < 0) continue;
    const bad = expander.failedInvariant(state);
    if (bad !== undefined) {
      expander.report({ kind: "invariant", name: bad, site: { state: index } });
    }
    frontier.push(bad === undefined ? state : undefined);
  }
  let levelEnd = seen.size;

  while (frontier.length > 0 && !(stopAtFirst && expander.pending.length > 0)) {
    const index = frontier.nextIndex;
    if (index === levelEnd) {
      depth++;
      levelEnd = seen.size;
    }
    if (depth >= maxDepth) {
      // Breadth-first: every remaining state is at depth >= maxDepth.
      stop = { reason: "max-depth", text: `reached --max-depth ${maxDepth}` };
      break;
    }
    const state = frontier.shift();
    if (state === undefined) continue; // violated an invariant: not expanded
    const expected = keyCodec === undefined ? verify.take(index) : undefined;
    if (expected !== undefined && !sameFingerprint(spec, state, expected, index, expander)) break;
    if (!expander.expand(state, index, target)) break;
    if ((index & CHECK_MASK) === 0) {
      const now = performance.now();
      if (now >= deadline) {
        stop = {
          reason: "time-budget",
          text: `ran out of the time budget (${options.timeBudgetMs} ms)`,
        };
        break;
      }
      if (now >= nextMemoryCheck) {
        nextMemoryCheck = now + memory.intervalMs;
        if (memory.check() === "pressure") {
          // Spill the frontier to disk; stop only when memory stays short though it was spilled
          // (what fills it is not the frontier), several readings in a row.
          if (frontier.spill() > 0) collectGarbage();
          strikes = memory.check() === "pressure" ? strikes + 1 : 0;
          if (strikes >= MEMORY_STRIKES) {
            stop = {
              reason: "memory-budget",
              text: `reached the memory budget (${memory.describe()})`,
            };
            break;
          }
        } else {
          strikes = 0;
        }
      }
      if (onProgress && now >= nextProgress) {
        nextProgress = now + progressEvery;
        const elapsedMs = now - start;
        onProgress({
          elapsedMs,
          generated: expander.generated,
          distinct: seen.size,
          queued: frontier.length,
          depth,
          statesPerSecond: elapsedMs > 0 ? (seen.size * 1000) / elapsedMs : 0,
        });
      }
    }
  }
  memory.check();
  frontier.close();

  return finishResult(spec, {
    mode: "exhaustive",
    start,
    expanders: [expander],
    records: seen,
    distinct: seen.size,
    depth: deepest,
    queued: frontier.length,
    stop,
    seenSetBytes: seen.bytesUsed,
    exact: seen.exact,
    lockOrder: lockGraph?.edges(),
    settings: {
      ...settingsOf(options, 1),
      frontier: frontier.storage,
    },
    frontier: {
      mode: options.frontier ?? "auto",
      peakQueued: frontier.peakLength,
      bytesPerEncodedState: frontier.bytesPerEncodedState,
      peakEncodedBytes: frontier.peak.bytes,
      spilledBytes: frontier.spilledTotal,
    },
    memory: { peakRss: memory.peakRss, peakHeap: memory.peakHeap, budget: memory.budget },
  });
}

/**
 * Compares a state leaving the frontier with the fingerprint it was stored with, hashed afresh:
 * a difference means a state changed after it was stored (the spec modified a state in place),
 * which is reported as an error at that state.
 */
function sameFingerprint<S>(
  spec: Spec<S>,
  state: S,
  expected: readonly [number, number],
  index: number,
  expander: Expander<S>,
): boolean {
  try {
    fingerprintInto(spec.canonicalize ? spec.canonicalize(state) : state);
  } catch (error) {
    expander.pending.push({
      kind: "error",
      name: "fingerprint",
      message: error instanceof Error ? error.message : String(error),
      site: { state: index },
    });
    return false;
  }
  if (lastHi === expected[0] && lastLo === expected[1]) return true;
  expander.pending.push({
    kind: "error",
    name: "immutability",
    message:
      "a state changed after it was stored: an action or hook modified a state in place (states " +
      "must be immutable; --check-immutable finds the step that does it)",
    site: { state: index },
  });
  return false;
}

/**
 * Stores an initial state (its canonical key) as the engine stores successors: by its codec's
 * bytes when the spec has a canonical codec, else by fingerprint or exact key.
 */
export function addInitial<S>(
  seen: Pick<SeenSet, "add" | "addBytes">,
  keyCodec: StateCodec<S> | undefined,
  key: S,
  ordinal: number,
): number {
  if (keyCodec === undefined) return seen.add(key, NO_PARENT, 0, ordinal);
  const sink = new ByteSink(256);
  keyCodec.encode(key, sink);
  return seen.addBytes(sink.buffer, 0, sink.length, NO_PARENT, 0, ordinal);
}

/** Why a search stopped early: the reason and the sentence results print. */
export interface SearchStop {
  /** The reason. */
  readonly reason: StopReason;
  /** What results print (`reached --max-states 100`). */
  readonly text: string;
}

/** The run settings a scope records, from the options of a search. */
export function settingsOf(
  options: Omit<ExploreOptions, "exact">,
  workers: number,
): SearchOutcome<unknown>["settings"] {
  return {
    bounds: {
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
      ...(options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {}),
      ...(options.memoryBudgetBytes !== undefined
        ? { memoryBudgetBytes: options.memoryBudgetBytes }
        : {}),
    },
    checkDeadlock: options.checkDeadlock ?? true,
    checkLockOrder: options.checkLockOrder !== false,
    coverage: options.coverage === true,
    workers,
  };
}

/** What {@link finishResult} needs from a finished search. */
export interface SearchOutcome<S> {
  /** How the search ran. */
  readonly mode: "exhaustive" | "simulation";
  /** `performance.now()` at the start. */
  readonly start: number;
  /** Counters and violations (one expander per worker). */
  readonly expanders: readonly ExpansionCounters[];
  /** How each state was reached, to rebuild traces. */
  readonly records: StepRecordsView;
  /** Distinct states stored. */
  readonly distinct: number;
  /** Depth of the deepest state. */
  readonly depth: number;
  /** States left unexpanded. */
  readonly queued: number;
  /** Why the search stopped early (a bound), if it did. */
  readonly stop?: SearchStop;
  /** Seen-set bytes. */
  readonly seenSetBytes: number;
  /** Exact keys rather than fingerprints. */
  readonly exact: boolean;
  /** Lock-order edges found. */
  readonly lockOrder?: readonly { readonly from: string; readonly to: string }[];
  /** Violations found outside the expanders (e.g. lock cycles merged across workers). */
  readonly extra?: readonly Pending[];
  /** The frontier's figures. */
  readonly frontier?: Stats["frontier"];
  /** Memory peaks. */
  readonly memory?: Stats["memory"];
  /** Parallel runs: where the time went. */
  readonly parallel?: Stats["parallel"];
  /** The run's settings, for the result's scope. */
  readonly settings: {
    /** The bounds given. */
    readonly bounds: {
      readonly maxStates?: number;
      readonly maxDepth?: number;
      readonly timeBudgetMs?: number;
      readonly memoryBudgetBytes?: number;
    };
    /** Deadlock check on. */
    readonly checkDeadlock: boolean;
    /** Lock-order check asked for. */
    readonly checkLockOrder: boolean;
    /** Coverage counted. */
    readonly coverage: boolean;
    /** Threads that explored. */
    readonly workers: number;
    /** Where queued states were kept. */
    readonly frontier?: string;
  };
}

/** Assembles a {@link CheckResult} (shared by the single-threaded and parallel explorers). */
export function finishResult<S>(spec: Spec<S>, outcome: SearchOutcome<S>): CheckResult<S> {
  const expanders = outcome.expanders;
  const pending = [...expanders.flatMap((e) => e.pending), ...(outcome.extra ?? [])];
  const violations = buildViolations(spec, pending, outcome.records);
  const elapsedMs = performance.now() - outcome.start;
  const perAction: Stats["perAction"] = {};
  spec.actions.forEach((a, i) => {
    const entry = perAction[a.name] ?? (perAction[a.name] = { generated: 0, distinct: 0 });
    for (const e of expanders) {
      entry.generated += e.generatedBy[i];
      entry.distinct += e.distinctBy[i];
    }
  });
  const generated = expanders.reduce((n, e) => n + e.generated, 0);
  const hasError = violations.some((v) => v.kind === "error");
  const fingerprints: CheckResult<S>["fingerprints"] = outcome.exact
    ? { mode: "exact" }
    : { mode: "hash64", collisionProbability: collisionProbability(outcome.distinct, generated) };
  const searchedAll = outcome.stop === undefined && outcome.queued === 0 && !hasError;
  const verdict = violations.some((v) => v.kind !== "error")
    ? "violation"
    : hasError
    ? "error"
    : searchedAll
    ? "ok"
    : "incomplete";
  return {
    version: 1,
    spec: spec.name,
    mode: outcome.mode,
    verdict,
    complete: searchedAll,
    stoppedBecause: outcome.stop?.text ??
      (!searchedAll && violations.length > 0 ? "found a violation" : undefined),
    violations,
    stats: {
      initial: initialStates(spec).length,
      generated,
      distinct: outcome.distinct,
      depth: outcome.depth,
      queued: outcome.queued,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? (outcome.distinct * 1000) / elapsedMs : 0,
      perAction,
      seenSetBytes: outcome.seenSetBytes,
      deadlocked: expanders.reduce((n, e) => n + e.deadlocked, 0),
      ...(outcome.frontier !== undefined ? { frontier: outcome.frontier } : {}),
      ...(outcome.memory !== undefined ? { memory: outcome.memory } : {}),
      ...(outcome.parallel !== undefined ? { parallel: outcome.parallel } : {}),
    },
    fingerprints,
    lockOrder: outcome.lockOrder?.map((e) => ({ from: e.from, to: e.to })),
    coverage: mergeCoverage(expanders),
    scope: buildScope(spec, {
      ...outcome.settings,
      search: searchedAll ? "exhaustive" : "partial",
      stoppedBy: searchedAll
        ? undefined
        : outcome.stop?.reason ?? (hasError ? "error" : "violation"),
      fingerprints,
    }),
  };
}

/** Sums the coverage counts of several expanders; undefined when none counted anything. */
function mergeCoverage(
  expanders: readonly ExpansionCounters[],
): Record<string, number> | undefined {
  if (expanders.every((e) => e.coverage.size === 0)) return undefined;
  const out: Record<string, number> = {};
  for (const e of expanders) for (const [k, n] of e.coverage) out[k] = (out[k] ?? 0) + n;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * TLC's optimistic estimate of the probability that a fingerprint collision made the search miss
 * a state: n·(g−n)/2^64 for n distinct states out of g generated ones.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(generated - distinct, 0)) / 2 ** 64;
}
