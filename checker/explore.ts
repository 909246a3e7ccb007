/**
 * Exhaustive breadth-first exploration (TLC's model-checking mode): a frontier of states to
 * expand, a seen set of fingerprints with parent pointers, invariants checked on new states,
 * action properties and lock order checked on every transition, deadlocks on states without
 * successors, and shortest counterexamples rebuilt by replaying steps.
 *
 * @module
 */

import { Frontier } from "./frontier.ts";
import { LockGraph, type WitnessedEdge } from "./lock_graph.ts";
import type { CheckResult, LockEdge, Stats, Trace, Violation } from "./result.ts";
import { ExactSeenSet, FingerprintSeenSet, NO_PARENT, type SeenSet } from "./seen_set.ts";
import type { ProcessLocks, Spec } from "./spec.ts";
import { encodeToken, initialStates, type Path, type PathStep, replayPath } from "./trace.ts";

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
  /** Keep exploring after a violation, collecting one per property (default false). */
  readonly continueAfterViolation?: boolean;
  /** Called about every `progressIntervalMs` milliseconds with the figures so far. */
  readonly onProgress?: (progress: Progress) => void;
  /** Interval for `onProgress` (default 1000 ms). */
  readonly progressIntervalMs?: number;
}

/** Where a violation happened, before its trace is rebuilt. */
type Site =
  | { readonly state: number }
  | { readonly state: number; readonly step: PathStep };

/** A transition identified by its source state and step, kept for lock-order edges. */
interface TransitionRef {
  readonly state: number;
  readonly step: PathStep;
}

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
  const actions = spec.actions;
  if (actions.length > 0xffff) throw new RangeError("A spec may have at most 65535 actions");
  const invariants = spec.invariants ?? [];
  const properties = spec.properties ?? [];
  const canonicalize = spec.canonicalize?.bind(spec);
  const locksOf = spec.locks?.bind(spec);
  const isEnd = spec.isEnd?.bind(spec);
  const checkDeadlock = options.checkDeadlock ?? true;
  const stopAtFirst = !options.continueAfterViolation;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeBudgetMs === undefined ? Infinity : start + options.timeBudgetMs;
  const progressEvery = options.progressIntervalMs ?? 1000;
  const onProgress = options.onProgress;

  const seen: SeenSet = options.exact ? new ExactSeenSet() : new FingerprintSeenSet();
  const frontier = new Frontier<S>();
  const lockGraph = locksOf ? new LockGraph<TransitionRef>() : undefined;
  const generatedBy = new Float64Array(actions.length);
  const distinctBy = new Float64Array(actions.length);
  const found: Pending[] = [];
  const violatedNames = new Set<string>();
  let generated = 0;
  let deadlocked = 0;
  let depth = 0; // depth of the state being expanded
  let deepest = 0; // depth of the deepest state found
  let levelEnd = 0;
  let stoppedBecause: string | undefined;
  let nextProgress = start + progressEvery;

  const report = (pending: Pending): void => {
    const key = `${pending.kind}:${pending.name}`;
    if (violatedNames.has(key)) return;
    violatedNames.add(key);
    found.push(pending);
  };
  const failedInvariant = (state: S): string | undefined => {
    for (let i = 0; i < invariants.length; i++) {
      if (!invariants[i].holds(state)) return invariants[i].name;
    }
    return undefined;
  };

  // Initial states.
  const inits = initialStates(spec);
  for (let i = 0; i < inits.length && found.length === 0; i++) {
    const state = inits[i];
    let index: number;
    try {
      index = seen.add(canonicalize ? canonicalize(state) : state, NO_PARENT, 0, i);
    } catch (error) {
      throw new TypeError(`Cannot store initial state #${i} of ${spec.name}`, { cause: error });
    }
    if (index < 0) continue;
    const bad = failedInvariant(state);
    if (bad !== undefined) {
      report({ kind: "invariant", name: bad, site: { state: index } });
      frontier.push(undefined);
    } else {
      frontier.push(state);
    }
  }
  levelEnd = seen.size;

  // The current evaluation context, for error reports.
  let context = "";
  let expanding = -1;
  let expandingStep: PathStep | undefined;

  try {
    search: while (frontier.length > 0) {
      if (stopAtFirst && found.length > 0) break;
      const index = frontier.nextIndex;
      if (index === levelEnd) {
        depth++;
        levelEnd = seen.size;
      }
      if (depth >= maxDepth) {
        // Breadth-first: every remaining state is at depth >= maxDepth.
        stoppedBecause = `reached --max-depth ${maxDepth}`;
        break;
      }
      const state = frontier.shift();
      if (state === undefined) continue; // violated an invariant: not expanded
      expanding = index;
      expandingStep = undefined;
      const locksBefore = locksOf ? locksOf(state) : undefined;
      let enabled = 0;
      for (let a = 0; a < actions.length; a++) {
        const action = actions[a];
        const params = action.params;
        const domain: Iterable<unknown> = params === undefined
          ? SINGLE_UNDEFINED
          : typeof params === "function"
          ? params(state)
          : params;
        let ordinal = -1;
        for (const param of domain) {
          ordinal++;
          context = action.name;
          const next = action.next(state, param);
          if (next === undefined) continue;
          enabled++;
          generated++;
          generatedBy[a]++;
          if (properties.length > 0) {
            for (let k = 0; k < properties.length; k++) {
              context = properties[k].name;
              if (!properties[k].holds(state, next, { action: action.name, param })) {
                report({
                  kind: "property",
                  name: properties[k].name,
                  site: { state: index, step: { action: a, ordinal } },
                });
                if (stopAtFirst) break search;
              }
            }
          }
          if (lockGraph) {
            context = "locks";
            const cycle = lockGraph.observe(locksBefore!, locksOf!(next), {
              state: index,
              step: { action: a, ordinal },
            });
            if (cycle) {
              const name = [...cycle.map((e) => e.from), cycle[0].from].join(" -> ");
              report({ kind: "lock-order", name, cycle });
              if (stopAtFirst) break search;
            }
          }
          expandingStep = { action: a, ordinal };
          context = canonicalize ? "canonicalize" : "fingerprint";
          const added = seen.add(canonicalize ? canonicalize(next) : next, index, a, ordinal);
          expandingStep = undefined;
          if (added < 0) continue;
          distinctBy[a]++;
          deepest = depth + 1;
          let bad: string | undefined;
          if (invariants.length > 0) {
            for (let k = 0; k < invariants.length; k++) {
              context = invariants[k].name;
              if (!invariants[k].holds(next)) {
                bad = invariants[k].name;
                break;
              }
            }
          }
          if (bad !== undefined) {
            report({ kind: "invariant", name: bad, site: { state: added } });
            frontier.push(undefined);
            if (stopAtFirst) break search;
          } else {
            frontier.push(next);
          }
          if (seen.size >= maxStates) {
            stoppedBecause = `reached --max-states ${maxStates}`;
            break search;
          }
        }
      }
      if (enabled === 0 && checkDeadlock) {
        context = "isEnd";
        if (!isEnd || !isEnd(state)) {
          deadlocked++;
          report({
            kind: "deadlock",
            name: "deadlock",
            site: { state: index },
            locks: locksBefore,
          });
          if (stopAtFirst) break;
        }
      }
      if ((index & 1023) === 0) {
        const now = performance.now();
        if (now >= deadline) {
          stoppedBecause = `ran out of the time budget (${options.timeBudgetMs} ms)`;
          break;
        }
        if (onProgress && now >= nextProgress) {
          nextProgress = now + progressEvery;
          onProgress(progressOf(now));
        }
      }
    }
  } catch (error) {
    const site: Site = expandingStep
      ? { state: expanding, step: expandingStep }
      : { state: Math.max(expanding, 0) };
    found.push({
      kind: "error",
      name: context,
      message: error instanceof Error ? error.message : String(error),
      site: expanding < 0 ? undefined : site,
    });
  }

  function progressOf(now: number): Progress {
    const elapsedMs = now - start;
    return {
      elapsedMs,
      generated,
      distinct: seen.size,
      queued: frontier.length,
      depth: deepest,
      statesPerSecond: elapsedMs > 0 ? (seen.size * 1000) / elapsedMs : 0,
    };
  }

  // Rebuild traces only now: the search itself stores no states.
  const pathTo = (index: number, last?: PathStep): Path => {
    const steps: PathStep[] = [];
    let i = index;
    while (seen.parentOf(i) !== NO_PARENT) {
      steps.push({ action: seen.actionOf(i), ordinal: seen.ordinalOf(i) });
      i = seen.parentOf(i);
    }
    steps.reverse();
    if (last) steps.push(last);
    return { init: seen.ordinalOf(i), steps };
  };
  const traceOf = (path: Path): Trace<S> => ({
    steps: replayPath(spec, path),
    token: encodeToken(path),
  });
  const described = new Map<string, string | undefined>([
    ...invariants.map((x) => [`invariant:${x.name}`, x.description] as const),
    ...properties.map((x) => [`property:${x.name}`, x.description] as const),
  ]);
  const violations: Violation<S>[] = found.map((p): Violation<S> => {
    const trace = (site: Site | undefined): Trace<S> =>
      site ? traceOf(pathTo(site.state, "step" in site ? site.step : undefined)) : NO_TRACE;
    switch (p.kind) {
      case "lock-order":
        return {
          kind: p.kind,
          name: p.name,
          cycle: p.cycle!.map((e): LockEdge<S> => ({
            from: e.from,
            to: e.to,
            process: spec.processNames?.[e.process] ?? `p${e.process}`,
            trace: traceOf(pathTo(e.witness.state, e.witness.step)),
          })),
        };
      case "deadlock":
        return { kind: p.kind, name: p.name, trace: trace(p.site), locks: p.locks };
      case "error":
        return { kind: p.kind, name: p.name, message: p.message ?? "", trace: trace(p.site) };
      default:
        return {
          kind: p.kind,
          name: p.name,
          description: described.get(`${p.kind}:${p.name}`),
          trace: trace(p.site),
        };
    }
  });

  const now = performance.now();
  const elapsedMs = now - start;
  const perAction: Stats["perAction"] = {};
  actions.forEach((a, i) => {
    const entry = perAction[a.name] ?? (perAction[a.name] = { generated: 0, distinct: 0 });
    entry.generated += generatedBy[i];
    entry.distinct += distinctBy[i];
  });
  const distinct = seen.size;
  const complete = stoppedBecause === undefined && frontier.length === 0 &&
    !violations.some((v) => v.kind === "error");
  const verdict = violations.some((v) => v.kind !== "error")
    ? "violation"
    : violations.length > 0
    ? "error"
    : complete
    ? "ok"
    : "incomplete";
  return {
    version: 1,
    spec: spec.name,
    mode: "exhaustive",
    verdict,
    complete,
    stoppedBecause: stoppedBecause ??
      (complete ? undefined : violations.length > 0 ? "found a violation" : undefined),
    violations,
    stats: {
      initial: inits.length,
      generated,
      distinct,
      depth: deepest,
      queued: frontier.length,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? (distinct * 1000) / elapsedMs : 0,
      perAction,
      seenSetBytes: seen.bytesUsed,
      deadlocked,
    },
    fingerprints: seen.exact
      ? { mode: "exact" }
      : { mode: "hash64", collisionProbability: collisionProbability(distinct, generated) },
    lockOrder: lockGraph?.edges().map((e) => ({ from: e.from, to: e.to })),
  };
}

const SINGLE_UNDEFINED: readonly undefined[] = [undefined];
const NO_TRACE: Trace<never> = { steps: [], token: "" };

/** A violation found during the search, before its trace is rebuilt. */
interface Pending {
  readonly kind: Violation<unknown>["kind"];
  readonly name: string;
  readonly site?: Site;
  readonly cycle?: WitnessedEdge<TransitionRef>[];
  readonly locks?: readonly ProcessLocks[];
  readonly message?: string;
}

/**
 * TLC's optimistic estimate of the probability that a fingerprint collision made the search miss
 * a state: n·(g−n)/2^64 for n distinct states out of g generated ones.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(generated - distinct, 0)) / 2 ** 64;
}
