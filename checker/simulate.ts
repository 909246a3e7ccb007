/**
 * Random simulation for specs too large to exhaust: seeded random walks from the initial states,
 * checking invariants, action properties, deadlocks and lock order along the way. fast-check
 * generates the walks (a walk is a list of choices among the enabled transitions) and shrinks a
 * failing walk to a short one; the seed reproduces the whole run and the replay token the
 * counterexample.
 *
 * @module
 */

import { acquisitionViews } from "./_expand.ts";
import fc from "fast-check";
import { deadlockOf, type DeadlockRule, progressFlags } from "./deadlock.ts";
import { LockGraph } from "./lock_graph.ts";
import type { CheckResult, LockEdge, Trace, Violation } from "./result.ts";
import { buildScope } from "./scope.ts";
import { FingerprintSeenSet, NO_PARENT } from "./seen_set.ts";
import type { Spec } from "./spec.ts";
import {
  domainOf,
  encodeToken,
  initialStates,
  type Path,
  type PathStep,
  replayPath,
} from "./trace.ts";

/** Options of {@link simulate}. */
export interface SimulateOptions {
  /** Seed of the pseudo-random generator (default: drawn at random and reported). */
  readonly seed?: number;
  /** Number of walks (default 1000). */
  readonly walks?: number;
  /** Maximum steps per walk (default 100). */
  readonly depth?: number;
  /** Stop after this many milliseconds (the result says how many walks ran). */
  readonly timeBudgetMs?: number;
  /** Report states without successors that are not valid end states (default true). */
  readonly checkDeadlock?: boolean;
  /** Build the lock-order graph from the spec's lock information (default true). */
  readonly checkLockOrder?: boolean;
  /** Count the spec's coverage labels per step (default false). */
  readonly coverage?: boolean;
}

/** What one walk found. */
interface WalkOutcome {
  /** The steps actually taken. */
  readonly path: Path;
  /** The violation that ended the walk, if any (without its trace). */
  readonly failure?: {
    kind: "invariant" | "property" | "deadlock" | "error";
    name: string;
    message?: string;
    rule?: DeadlockRule;
  };
}

/** Successor of `state` for one enabled transition. */
interface Enabled<S> {
  readonly step: PathStep;
  readonly param: unknown;
  readonly next: S;
}

/**
 * Runs seeded random walks over `spec`.
 *
 * @example Usage
 * ```ts
 * import { simulate } from "./simulate.ts";
 * import assert from "node:assert/strict";
 * const result = simulate({
 *   name: "walk",
 *   init: [{ n: 0 }],
 *   actions: [{ name: "Inc", next: (s: { n: number }) => ({ n: (s.n + 1) % 5 }) }],
 *   invariants: [{ name: "Small", holds: (s) => s.n < 4 }],
 * }, { seed: 1, walks: 10, depth: 10 });
 * assert.equal(result.violations[0].kind, "invariant");
 * ```
 */
export function simulate<S>(spec: Spec<S>, options: SimulateOptions = {}): CheckResult<S> {
  const start = performance.now();
  const seed = options.seed ?? (Math.random() * 0x7fffffff) | 0;
  const walks = options.walks ?? 1000;
  const depth = options.depth ?? 100;
  const checkDeadlock = options.checkDeadlock ?? true;
  const inits = initialStates(spec);
  const invariants = spec.invariants ?? [];
  const properties = spec.properties ?? [];
  const locksOf = spec.locks?.bind(spec);
  const lockGraph = locksOf && options.checkLockOrder !== false ? new LockGraph<Path>() : undefined;
  let lockCycle: ReturnType<LockGraph<Path>["observe"]>;
  const seen = new FingerprintSeenSet();
  const labels = options.coverage ? spec.labels?.bind(spec) : undefined;
  const coverage = new Map<string, number>();
  const generatedBy = new Float64Array(spec.actions.length);
  const progress = progressFlags(spec);
  let generated = 0;
  let walksRun = 0;
  let deepest = 0;

  const enabledIn = (state: S): Enabled<S>[] => {
    const out: Enabled<S>[] = [];
    spec.actions.forEach((action, a) => {
      let ordinal = 0;
      for (const param of domainOf(action, state)) {
        const next = action.next(state, param);
        if (next !== undefined) out.push({ step: { action: a, ordinal }, param, next });
        ordinal++;
      }
    });
    return out;
  };

  const walk = (initChoice: number, choices: readonly number[], record: boolean): WalkOutcome => {
    const init = initChoice % inits.length;
    const steps: PathStep[] = [];
    const path = (): Path => ({ init, steps: [...steps] });
    let state = inits[init];
    let where = "Init";
    try {
      const bad = invariants.find((inv) => !inv.holds(state));
      if (bad) return { path: path(), failure: { kind: "invariant", name: bad.name } };
      for (const choice of choices) {
        where = "successors";
        const enabled = enabledIn(state);
        if (checkDeadlock) {
          where = enabled.length === 0 ? "isEnd" : "inFlight";
          let progressEnabled = 0;
          for (const e of enabled) progressEnabled += progress[e.step.action];
          const rule = deadlockOf(spec, state, enabled.length, progressEnabled);
          if (rule !== undefined) {
            return { path: path(), failure: { kind: "deadlock", name: "deadlock", rule } };
          }
        }
        if (enabled.length === 0) break;
        const pick = enabled[choice % enabled.length];
        const action = spec.actions[pick.step.action];
        steps.push(pick.step);
        if (record) {
          generated++;
          generatedBy[pick.step.action]++;
          deepest = Math.max(deepest, steps.length);
          seen.add(spec.canonicalize ? spec.canonicalize(pick.next) : pick.next, NO_PARENT, 0, 0);
        }
        if (record && labels !== undefined) {
          where = "labels";
          for (
            const label of labels(state, pick.next, { action: action.name, param: pick.param })
          ) {
            coverage.set(label, (coverage.get(label) ?? 0) + 1);
          }
        }
        for (const prop of properties) {
          where = prop.name;
          if (!prop.holds(state, pick.next, { action: action.name, param: pick.param })) {
            return { path: path(), failure: { kind: "property", name: prop.name } };
          }
        }
        if (lockGraph && record) {
          where = "locks";
          const cycle = lockGraph.observe(locksOf!(state), locksOf!(pick.next), path());
          if (cycle && !lockCycle) lockCycle = cycle;
          const events = spec.acquisitions?.(state, pick.next, {
            action: action.name,
            param: pick.param,
          });
          for (const e of events ?? []) {
            const [before, after] = acquisitionViews(e);
            const c = lockGraph.observe(before, after, path());
            if (c && !lockCycle) lockCycle = c;
          }
        }
        state = pick.next;
        for (const inv of invariants) {
          where = inv.name;
          if (!inv.holds(state)) {
            return { path: path(), failure: { kind: "invariant", name: inv.name } };
          }
        }
      }
      return { path: path() };
    } catch (error) {
      return {
        path: path(),
        failure: {
          kind: "error",
          name: where,
          message: error instanceof Error ? error.message : String(error),
        },
      };
    }
  };

  const deadline = options.timeBudgetMs === undefined ? undefined : options.timeBudgetMs;
  let recording = true;
  const details = fc.check(
    fc.property(
      fc.nat(),
      fc.array(fc.nat({ max: 0xffff }), { maxLength: depth, size: "max" }),
      (initChoice, choices) => {
        const outcome = walk(initChoice, choices, recording);
        if (recording) walksRun++;
        if (outcome.failure) recording = false; // shrinking runs are not new walks
        return outcome.failure === undefined;
      },
    ),
    { seed, numRuns: walks, interruptAfterTimeLimit: deadline, endOnFailure: false },
  );

  const violations: Violation<S>[] = [];
  const traceOf = (path: Path): Trace<S> => ({
    steps: replayPath(spec, path),
    token: encodeToken(path),
  });
  if (details.failed && details.counterexample) {
    const [initChoice, choices] = details.counterexample;
    const outcome = walk(initChoice, choices, false);
    const failure = outcome.failure;
    if (failure) {
      const trace = failure.kind === "error"
        ? traceOf({ init: outcome.path.init, steps: outcome.path.steps })
        : traceOf(outcome.path);
      violations.push(
        failure.kind === "error"
          ? { kind: "error", name: failure.name, message: failure.message ?? "", trace }
          : failure.kind === "deadlock"
          ? {
            kind: "deadlock",
            name: "deadlock",
            rule: failure.rule,
            trace,
            locks: spec.locks?.(trace.steps.at(-1)!.state),
          }
          : {
            kind: failure.kind,
            name: failure.name,
            description: (failure.kind === "invariant" ? invariants : properties)
              .find((x) => x.name === failure.name)?.description,
            trace,
          },
      );
    }
  }
  if (lockCycle) {
    violations.push({
      kind: "lock-order",
      name: [...lockCycle.map((e) => e.from), lockCycle[0].from].join(" -> "),
      cycle: lockCycle.map((e): LockEdge<S> => ({
        from: e.from,
        to: e.to,
        process: spec.processNames?.[e.process] ?? `p${e.process}`,
        trace: traceOf(e.witness),
      })),
    });
  }

  const elapsedMs = performance.now() - start;
  const perAction: CheckResult<S>["stats"]["perAction"] = {};
  spec.actions.forEach((a, i) => {
    const entry = perAction[a.name] ?? (perAction[a.name] = { generated: 0, distinct: 0 });
    entry.generated += generatedBy[i];
  });
  const interrupted = details.interrupted || walksRun < walks && violations.length === 0;
  return {
    version: 1,
    spec: spec.name,
    mode: "simulation",
    verdict: violations.some((v) => v.kind !== "error")
      ? "violation"
      : violations.length > 0
      ? "error"
      : "incomplete",
    complete: false,
    stoppedBecause: violations.length > 0
      ? "found a violation"
      : interrupted
      ? `ran out of the time budget after ${walksRun} of ${walks} walks`
      : `random simulation: ${walksRun} walks of up to ${depth} steps cannot prove the absence of violations`,
    violations,
    stats: {
      initial: inits.length,
      generated,
      distinct: seen.size,
      depth: deepest,
      queued: 0,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? (generated * 1000) / elapsedMs : 0,
      perAction,
      seenSetBytes: seen.bytesUsed,
      deadlocked: violations.filter((v) => v.kind === "deadlock").length,
    },
    fingerprints: { mode: "hash64" },
    lockOrder: lockGraph?.edges().map((e) => ({ from: e.from, to: e.to })),
    seed,
    coverage: coverage.size
      ? Object.fromEntries([...coverage].sort(([a], [b]) => a.localeCompare(b)))
      : undefined,
    scope: buildScope(spec, {
      search: "simulation",
      stoppedBy: violations.some((v) => v.kind !== "error")
        ? "violation"
        : violations.length > 0
        ? "error"
        : interrupted
        ? "time-budget"
        : undefined,
      bounds: options.timeBudgetMs !== undefined ? { timeBudgetMs: options.timeBudgetMs } : {},
      walks: { requested: walks, run: walksRun, depth, seed },
      fingerprints: { mode: "hash64" },
      checkDeadlock,
      checkLockOrder: options.checkLockOrder !== false,
      coverage: options.coverage === true,
      workers: 1,
    }),
  };
}
