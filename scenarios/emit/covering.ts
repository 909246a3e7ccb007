/**
 * A covering set of scenarios: a breadth-first search over the correct model (atomic steps)
 * that records, for every distinct outcome of an operation (success, or errno with its extack
 * fields: each reachable error path) and for every fact id the transitions exercise, the first
 * transition that produces it. BFS makes the path to it shortest. Each such path is written as
 * a passing scenario (the expectations are the model's own replies).
 *
 * The search is our own loop rather than `explore`, because it needs each transition's reply,
 * which the engine does not see: states are keyed by the engine's 64-bit fingerprints, parent
 * pointers hold (action, parameter ordinal) pairs, and paths are encoded as the engine's replay
 * tokens, so `deno task check --replay TOKEN` replays any covering trace.
 *
 * @module
 */

import { fingerprint, fingerprintHex } from "../../checker/fingerprint.ts";
import type { Trace } from "../../checker/result.ts";
import { encodeToken, type PathStep, replayPath } from "../../checker/trace.ts";
import { type ModelConfig, validateConfig } from "../../model/config.ts";
import { leasingSpec } from "../../model/spec.ts";
import { applyStep, type ModelStep } from "../../model/step.ts";
import type { ModelState } from "../../model/state.ts";
import { factsOf } from "../../model/facts_of.ts";
import { outcomeClass } from "./corpus.ts";
import { type EmittedScenario, scenarioOfTrace } from "./scenario_of_trace.ts";

/** Options of {@linkcode coveringTraces} and {@linkcode emitCovering}. */
export interface CoveringOptions {
  /** Stop the search after this many distinct states (default 200 000). */
  readonly maxStates?: number;
  /** Do not expand states at this depth or deeper (default: no bound). */
  readonly maxDepth?: number;
  /** Renders the command that replays a token (default: `deno task check ... --replay`). */
  readonly reproduce?: (token: string) => string;
}

/** One covering trace and what it was the first to reach. */
export interface CoveringTrace {
  /** Scenario name, e.g. `cover_queue-create_EBUSY_2`. */
  readonly name: string;
  /** Outcome of the last step, e.g. `queue-create EBUSY "Device queue in use..."`. */
  readonly outcome: string;
  /** Whether the last step fails (an error path). */
  readonly error: boolean;
  /** Fact ids the trace was the first (shortest) to reach. */
  readonly facts: readonly string[];
  /** The trace (rebuilt with `replayPath`, token included). */
  readonly trace: Trace<ModelState>;
}

/** The result of {@linkcode coveringTraces}. */
export interface CoveringSet {
  /** One trace per distinct outcome, plus one per fact id no outcome trace reached first. */
  readonly traces: readonly CoveringTrace[];
  /** Every distinct outcome seen, sorted. */
  readonly outcomes: readonly string[];
  /** How many of them are errors (distinct error paths). */
  readonly errorPaths: number;
  /** Distinct states searched. */
  readonly states: number;
  /** True when the search covered every reachable state (no bound hit). */
  readonly complete: boolean;
}

/** The atomic version of a configuration (covering scenarios are atomic). */
function atomic(config: Partial<ModelConfig>): ModelConfig {
  return validateConfig({ ...config, mutant: null, concurrency: 1 });
}

/**
 * Searches the correct model of `config` (atomic, mutant ignored) breadth-first and returns a
 * shortest trace for each distinct outcome and each attributed fact id.
 *
 * @example Usage
 * ```ts
 * import { coveringTraces } from "./covering.ts";
 * import assert from "node:assert/strict";
 * const set = coveringTraces({ operations: ["queue-create"] });
 * assert.ok(set.errorPaths > 0);
 * ```
 */
export function coveringTraces(
  config: Partial<ModelConfig>,
  options: CoveringOptions = {},
): CoveringSet {
  const c = atomic(config);
  const spec = leasingSpec(c);
  const maxStates = options.maxStates ?? 200_000;
  const maxDepth = options.maxDepth ?? Infinity;
  const init = (spec.init as readonly ModelState[])[0];
  // Parent pointers: state id -> (parent id, action, ordinal); -1 for the initial state.
  const parent: number[] = [-1];
  const via: PathStep[] = [{ action: 0, ordinal: 0 }];
  const depthOf: number[] = [0];
  const seen = new Map<string, number>([[fingerprintHex(fingerprint(init)), 0]]);
  const queue: ModelState[] = [init];
  const firstOutcome = new Map<string, { from: number; step: PathStep; error: boolean }>();
  const firstFact = new Map<string, { from: number; step: PathStep }>();
  let complete = true;
  for (let id = 0; id < queue.length; id++) {
    const s = queue[id];
    if (depthOf[id] >= maxDepth) {
      complete = false;
      continue;
    }
    spec.actions.forEach((action, a) => {
      const params = typeof action.params === "function" ? action.params(s) : action.params ?? [];
      let ordinal = 0;
      for (const p of params) {
        const step = p as ModelStep;
        const here: PathStep = { action: a, ordinal: ordinal++ };
        const r = applyStep(s, step, { mutant: null });
        const key = outcomeClass(step, r.reply);
        if (!firstOutcome.has(key)) {
          firstOutcome.set(key, { from: id, step: here, error: !r.reply.ok });
        }
        for (const f of factsOf(step, r.reply, s)) {
          if (!firstFact.has(f)) firstFact.set(f, { from: id, step: here });
        }
        if (r.state === s) continue;
        const fp = fingerprintHex(fingerprint(r.state));
        if (seen.has(fp)) continue;
        if (queue.length >= maxStates) {
          complete = false;
          continue;
        }
        seen.set(fp, queue.length);
        parent.push(id);
        via.push(here);
        depthOf.push(depthOf[id] + 1);
        queue.push(r.state);
      }
    });
  }
  const pathTo = (id: number): PathStep[] => {
    const steps: PathStep[] = [];
    for (let i = id; parent[i] >= 0; i = parent[i]) steps.push(via[i]);
    return steps.reverse();
  };
  // Group by path: an outcome's trace also carries the facts it reaches first.
  const byToken = new Map<
    string,
    { outcome: string; error: boolean; facts: string[]; steps: PathStep[] }
  >();
  const tokenOf = (from: number, step: PathStep) => {
    const steps = [...pathTo(from), step];
    return { token: encodeToken({ init: 0, steps }), steps };
  };
  for (const [key, o] of [...firstOutcome].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const { token, steps } = tokenOf(o.from, o.step);
    if (!byToken.has(token)) byToken.set(token, { outcome: key, error: o.error, facts: [], steps });
  }
  for (const [fact, f] of [...firstFact].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const { token, steps } = tokenOf(f.from, f.step);
    const entry = byToken.get(token);
    if (entry !== undefined) entry.facts.push(fact);
    else byToken.set(token, { outcome: `fact ${fact}`, error: false, facts: [fact], steps });
  }
  const names = new Map<string, number>();
  const traces = [...byToken].map(([token, e]): CoveringTrace => {
    const words = e.outcome.replace(" (change)", "-change").replace(" dump", "-dump").split(" ");
    const base = `cover_${words.slice(0, 2).join("_")}`.replace(/[^A-Za-z0-9_.-]/g, "_");
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    return {
      name: n === 1 ? base : `${base}_${n}`,
      outcome: e.outcome,
      error: e.error,
      facts: e.facts,
      trace: { steps: replayPath(spec, { init: 0, steps: e.steps }), token },
    };
  });
  const outcomes = [...firstOutcome.keys()].sort();
  return {
    traces,
    outcomes,
    errorPaths: [...firstOutcome.values()].filter((o) => o.error).length,
    states: queue.length,
    complete,
  };
}

/** A covering scenario written out. */
export interface CoveringScenario extends CoveringTrace {
  /** The scenario. */
  readonly scenario: EmittedScenario;
}

/**
 * Writes every trace of {@linkcode coveringTraces} as a scenario (in memory). Pass `set` when
 * the search already ran.
 *
 * @example Usage
 * ```ts
 * import { coveringScenarios } from "./covering.ts";
 * import assert from "node:assert/strict";
 * const all = coveringScenarios({ operations: ["queue-create"] });
 * assert.ok(all.every((s) => s.scenario.yaml.startsWith(`name: ${s.name}`)));
 * ```
 */
export function coveringScenarios(
  config: Partial<ModelConfig>,
  options: CoveringOptions = {},
  set?: CoveringSet,
): CoveringScenario[] {
  const c = atomic(config);
  const traces = (set ?? coveringTraces(c, options)).traces;
  const reproduce = options.reproduce ??
    ((token: string) => `deno task check --spec leasing --replay ${token}`);
  return traces.map((t) => {
    const description = `Covering scenario: the shortest path in the correct model to ` +
      `${t.outcome}` + (t.facts.length > 0 ? ` (first to reach ${t.facts.join(", ")})` : "") +
      `. Expectations are the model's replies.`;
    const scenario = scenarioOfTrace(c, t.trace, {
      name: t.name,
      description,
      facts: t.facts,
      source: reproduce(t.trace.token),
    });
    return { ...t, scenario };
  });
}
