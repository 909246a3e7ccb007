/**
 * Races checked by outcome sets: {@linkcode runRace} runs a race scenario (`race:` in the file)
 * on an implementation many times and checks that every repetition's outcome is one the model
 * allows (`emit/race_outcomes.ts` computes the set by exploring every interleaving).
 *
 * One repetition: set up the topology, run the setup steps (each must meet its expectation),
 * run the threads, then the observation (queue-get dumps, GETLINK of every named device), tear
 * down. Its outcome is every thread's outcome of every step plus the observation; it is allowed
 * when it meets every expectation of one allowed outcome. An implementation with
 * {@linkcode ReplayAdapter.race} runs the threads at once (the kernel: one process and netlink
 * socket per thread, released together after random jitter); any other runs each sequential
 * order of whole operations once, and the report says `sequential`: such a run shows only
 * that every order's result is allowed, never how the implementation behaves when operations
 * overlap.
 *
 * @module
 */

import type { Expectation, JsonObject, Scenario, Step } from "./format.ts";
import { diffOutcome, type Outcome } from "./match.ts";
import {
  AdapterUnsupportedError,
  type RaceReport,
  type RaceRun,
  type RaceThreadSteps,
  type ReplayAdapter,
  type ResolvedStep,
  resolveExpectation,
  resolveSymbols,
  safeTeardown,
  type ScenarioResult,
  type StepResult,
  type SymbolTable,
} from "./replay.ts";
import type { AllowedOutcome, RaceModel } from "./emit/race_outcomes.ts";

/** At most this many sequential orders are run for an implementation that cannot race. */
export const MAX_SEQUENTIAL_ORDERS = 200;

/** Options of {@linkcode runRace}. */
export interface RunRaceOptions {
  /** Repetitions (default: the scenario's `race.repetitions`). */
  readonly repetitions?: number;
  /** Called after each repetition (progress). */
  readonly onRepetition?: (done: number, total: number) => void;
}

/**
 * Every order of whole operations of `threads` (each thread's steps stay in order), at most
 * `limit` of them, as lists of thread indexes.
 *
 * @example Usage
 * ```ts
 * import { sequentialOrders } from "./race.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sequentialOrders([1, 1], 10), [[0, 1], [1, 0]]);
 * assert.equal(sequentialOrders([2, 2], 10).length, 6);
 * ```
 */
export function sequentialOrders(lengths: readonly number[], limit: number): number[][] {
  const out: number[][] = [];
  const left = [...lengths];
  const order: number[] = [];
  const walk = () => {
    if (out.length >= limit) return;
    if (left.every((n) => n === 0)) {
      out.push([...order]);
      return;
    }
    left.forEach((n, i) => {
      if (n === 0) return;
      left[i]--;
      order.push(i);
      walk();
      order.pop();
      left[i]++;
    });
  };
  walk();
  return out;
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** The outcome of one repetition: each thread's outcomes and the observation's. */
interface Observed {
  readonly threads: Readonly<Record<string, readonly Outcome[]>>;
  readonly observation: readonly Outcome[];
  readonly symbols: SymbolTable;
}

/** The differences between `seen` and allowed outcome `o` (empty: it is `o`). */
function differences(model: RaceModel, o: AllowedOutcome, seen: Observed): string[] {
  const out: string[] = [];
  for (const t of model.threads) {
    t.steps.forEach((step, k) => {
      const want = resolveExpectation(o.threads[t.name][k], seen.symbols);
      const got = seen.threads[t.name]?.[k];
      if (got === undefined) out.push(`${t.name} steps[${step.index}]: no outcome`);
      else {
        for (const d of diffOutcome(want, got)) {
          out.push(`${t.name} steps[${step.index}] (${step.op}): ${d}`);
        }
      }
    });
  }
  model.observation.forEach((step, k) => {
    // An observation the implementation cannot make is left out (the report names it).
    if (seen.observation[k].kind === "unsupported") return;
    const want = resolveExpectation(o.observation[k], seen.symbols);
    for (const d of diffOutcome(want, seen.observation[k])) {
      out.push(`${step.note ?? step.op}: ${d}`);
    }
  });
  return out;
}

function summaryOf(model: RaceModel, seen: Observed): string {
  return model.threads.map((t) =>
    `${t.name}: ${
      (seen.threads[t.name] ?? []).map((o) =>
        o.kind === "error" ? o.errno : o.kind === "reply" ? "ok" : "unsupported"
      ).join(" ")
    }`
  ).join(", ");
}

/** The symbols of `after` over those of `before` (a device that went keeps its last value). */
function merged(before: SymbolTable, after: SymbolTable): SymbolTable {
  return new Map([...before, ...after]);
}

/**
 * Runs `scenario`'s race on `adapter` and checks each repetition against `model`'s allowed
 * outcomes (see the module documentation). Never throws for what the implementation does: a
 * setup that fails, an outcome outside the set, a problem the implementation reports (a kernel
 * splat) fail the scenario; an adapter that breaks makes it an error; an operation it cannot run
 * skips it.
 *
 * @example Usage
 * ```ts
 * import { runRace } from "./race.ts";
 * import { allowedOutcomes } from "./emit/race_outcomes.ts";
 * import { ModelAdapter } from "./model_adapter.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: r\ndescription: d\nfacts: [QG-03]\nkernel: '>=7.1'\ntopology: {}\n" +
 *     "race: {repetitions: 3}\nsteps:\n  - {op: queue-get, dump: true, thread: a}\n" +
 *     "  - {op: queue-get, dump: true, thread: b}\n",
 *   "r.yaml",
 * );
 * const r = await runRace(s, new ModelAdapter(), allowedOutcomes(s, { mutant: null }));
 * assert.equal(r.verdict, "pass");
 * assert.equal(r.race?.outcomes[0].observed, 3);
 * ```
 */
export async function runRace(
  scenario: Scenario,
  adapter: ReplayAdapter,
  model: RaceModel,
  options: RunRaceOptions = {},
): Promise<ScenarioResult> {
  const base = { name: scenario.name, file: scenario.file, adapter: adapter.name };
  const spec = scenario.race ?? { repetitions: 1, jitterUs: 0 };
  const concurrent = adapter.race !== undefined;
  const orders = concurrent ? [] : sequentialOrders(
    model.threads.map((t) => t.steps.length),
    MAX_SEQUENTIAL_ORDERS,
  );
  const total = concurrent ? options.repetitions ?? spec.repetitions : orders.length;
  const observed = model.outcomes.map(() => 0);
  const outside: RaceReport["outside"][number][] = [];
  let outsideCount = 0;
  const problemRepetitions: number[] = [];
  const problems: string[] = [];
  const unobserved: string[] = [];
  let steps: StepResult[] = [];
  const report = (repetitions: number): RaceReport => ({
    mode: concurrent ? "concurrent" : "sequential",
    repetitions,
    jitterUs: concurrent ? spec.jitterUs : 0,
    explored: model.explored,
    outcomes: model.outcomes.map((o, i) => ({
      summary: o.summary,
      interleavings: o.interleavings,
      observed: observed[i],
    })),
    outside,
    outsideCount,
    problemRepetitions,
    ...(unobserved.length === 0 ? {} : { unobserved }),
  });
  const end = (
    verdict: ScenarioResult["verdict"],
    repetitions: number,
    reason?: string,
  ): ScenarioResult => ({
    ...base,
    verdict,
    steps,
    ...(reason === undefined ? {} : { reason }),
    ...(problems.length > 0 ? { problems } : {}),
    race: report(repetitions),
  });

  for (let rep = 0; rep < total; rep++) {
    const one = await repetition(scenario, adapter, model, rep, spec.jitterUs, orders[rep]);
    if (one.kind === "skip") return end("skip", rep, one.reason);
    if (one.kind === "error") return end("error", rep, `repetition ${rep + 1}: ${one.reason}`);
    if (one.kind === "setup-failed" && steps.every((s) => s.pass)) steps = one.steps;
    if (one.problems.length > 0) {
      problemRepetitions.push(rep + 1);
      for (const p of one.problems) if (problems.length < 40) problems.push(p);
    }
    if (one.kind === "setup-failed") {
      return end("fail", rep + 1, `repetition ${rep + 1}: ${one.reason}`);
    }
    const seen = one.seen;
    seen.observation.forEach((o, k) => {
      const op = model.observation[k].op;
      if (o.kind === "unsupported" && !unobserved.includes(op)) unobserved.push(op);
    });
    let matched = -1;
    let closest: { i: number; diff: string[] } | undefined;
    for (let i = 0; i < model.outcomes.length && matched < 0; i++) {
      const diff = differences(model, model.outcomes[i], seen);
      if (diff.length === 0) matched = i;
      else if (closest === undefined || diff.length < closest.diff.length) closest = { i, diff };
    }
    if (rep === 0 && matched >= 0) {
      steps = against(model, model.outcomes[matched], one.steps, seen.symbols);
    }
    if (matched >= 0) observed[matched]++;
    else {
      outsideCount++;
      if (outside.length < 5) {
        outside.push({
          repetition: rep + 1,
          summary: summaryOf(model, seen),
          closest: closest === undefined ? "" : model.outcomes[closest.i].summary,
          diff: closest?.diff ?? [],
        });
        if (outside.length === 1 && closest !== undefined) {
          steps = against(model, model.outcomes[closest.i], one.steps, seen.symbols);
        }
      }
    }
    options.onRepetition?.(rep + 1, total);
  }
  const reasons: string[] = [];
  if (outsideCount > 0) {
    const first = outside[0];
    reasons.push(
      `${outsideCount} of ${total} repetitions had an outcome the model does not allow ` +
        `(repetition ${first.repetition}: ${first.summary}; nearest allowed: ${first.closest}: ` +
        `${first.diff[0] ?? ""})`,
    );
  }
  if (problemRepetitions.length > 0) {
    reasons.push(
      `the implementation reported problems after ${problemRepetitions.length} repetition(s) ` +
        `(first: ${problemRepetitions[0]}): ${problems[0]}`,
    );
  }
  return end(reasons.length > 0 ? "fail" : "pass", total, reasons.join("; ") || undefined);
}

type Repetition =
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "error"; readonly reason: string }
  | {
    readonly kind: "setup-failed";
    readonly reason: string;
    readonly steps: StepResult[];
    readonly problems: readonly string[];
  }
  | {
    readonly kind: "ran";
    readonly seen: Observed;
    readonly steps: StepResult[];
    readonly problems: readonly string[];
  };

function resolved(step: Step, symbols: SymbolTable): ResolvedStep {
  return { ...step, request: resolveSymbols(step.request, symbols) as JsonObject };
}

/** One repetition: setup, the setup steps, the race, the observation, teardown. */
async function repetition(
  scenario: Scenario,
  adapter: ReplayAdapter,
  model: RaceModel,
  rep: number,
  jitterUs: number,
  order: readonly number[] | undefined,
): Promise<Repetition> {
  const steps: StepResult[] = [];
  let problems: readonly string[] = [];
  const teardown = async (): Promise<string | undefined> => {
    const r = await safeTeardown(adapter);
    problems = r.problems;
    return r.broken;
  };
  let symbols: SymbolTable;
  try {
    symbols = await adapter.setup(scenario.topology);
  } catch (e) {
    const broken = await teardown();
    if (e instanceof AdapterUnsupportedError && broken === undefined) {
      return { kind: "skip", reason: e.message };
    }
    return { kind: "error", reason: `setup failed: ${message(e)}${broken ? `; ${broken}` : ""}` };
  }
  const record = (step: ResolvedStep, expected: Expectation, actual: Outcome): boolean => {
    const diff = diffOutcome(expected, actual);
    steps.push({ index: step.index, step, expected, actual, pass: diff.length === 0, diff });
    return diff.length === 0;
  };
  let outcome: Repetition | undefined;
  try {
    for (const step of model.setup) {
      const r = resolved(step, symbols);
      const applied = await adapter.apply(r);
      symbols = applied.symbols;
      if (applied.outcome.kind === "unsupported") {
        outcome = {
          kind: "skip",
          reason: `steps[${step.index}] (${step.op}): ${applied.outcome.reason}`,
        };
        break;
      }
      if (!record(r, resolveExpectation(step.expect, symbols), applied.outcome)) {
        outcome = {
          kind: "setup-failed",
          reason: `setup steps[${step.index}] (${step.op}) differs: ${steps.at(-1)!.diff[0]}`,
          steps,
          problems,
        };
        break;
      }
    }
    if (outcome === undefined) {
      const afterSetup = symbols;
      const threads: RaceThreadSteps[] = model.threads.map((t) => ({
        thread: t.name,
        steps: t.steps.map((s) => resolved(s, afterSetup)),
      }));
      let run: RaceRun;
      if (order === undefined) {
        run = await adapter.race!(threads, { jitterUs, seed: rep });
      } else {
        const outcomes: Record<string, Outcome[]> = {};
        for (const t of threads) outcomes[t.thread] = [];
        let after = symbols;
        for (const i of order) {
          const t = threads[i];
          const step = t.steps[outcomes[t.thread].length];
          const applied = await adapter.apply(step);
          after = applied.symbols;
          outcomes[t.thread].push(applied.outcome);
        }
        run = { outcomes, symbols: after };
      }
      const skipped = Object.entries(run.outcomes).flatMap(([t, os]) =>
        os.flatMap((o) => o.kind === "unsupported" ? [`thread ${t}: ${o.reason}`] : [])
      );
      if (skipped.length > 0) outcome = { kind: "skip", reason: skipped[0] };
      else {
        const table = merged(afterSetup, run.symbols);
        for (const t of threads) {
          t.steps.forEach((s, k) => {
            const got = run.outcomes[t.thread]?.[k];
            steps.push({
              index: s.index,
              step: s,
              expected: { kind: "ok" },
              actual: got ?? { kind: "unsupported", reason: "no outcome" },
              pass: true,
              diff: [],
            });
          });
        }
        const observing = model.observation.map((step) => resolved(step, afterSetup));
        const observation: Outcome[] = adapter.applyMany === undefined
          ? []
          : [...(await adapter.applyMany(observing)).outcomes];
        if (adapter.applyMany === undefined) {
          for (const r of observing) observation.push((await adapter.apply(r)).outcome);
        }
        if (observation.length !== observing.length) {
          throw new TypeError(
            `the implementation gave ${observation.length} outcomes for ${observing.length} ` +
              "observation steps",
          );
        }
        for (const [k, step] of model.observation.entries()) {
          const r = observing[k];
          const applied = { outcome: observation[k] };
          steps.push({
            index: step.index,
            step: { ...r, ...(step.note === undefined ? {} : { note: step.note }) },
            expected: { kind: "ok" },
            actual: applied.outcome,
            pass: true,
            diff: [],
          });
        }
        outcome = {
          kind: "ran",
          seen: { threads: run.outcomes, observation, symbols: table },
          steps,
          problems: run.problems ?? [],
        };
      }
    }
  } catch (e) {
    outcome = { kind: "error", reason: `the race broke: ${message(e)}` };
  }
  const broken = await teardown();
  if (broken !== undefined) return { kind: "error", reason: broken };
  if (outcome.kind === "ran" || outcome.kind === "setup-failed") {
    return { ...outcome, problems: [...outcome.problems, ...problems] };
  }
  return outcome;
}

/**
 * The step results of a repetition held against allowed outcome `o`: each thread step and
 * observation with `o`'s expectation (symbols resolved) and its differences.
 */
function against(
  model: RaceModel,
  o: AllowedOutcome,
  steps: readonly StepResult[],
  symbols: SymbolTable,
): StepResult[] {
  return steps.map((r) => {
    let want: Expectation | undefined;
    if (r.index < 0) want = o.observation[-1 - r.index];
    else {
      for (const t of model.threads) {
        const k = t.steps.findIndex((s) => s.index === r.index);
        if (k >= 0) want = o.threads[t.name][k];
      }
    }
    if (want === undefined || r.actual.kind === "unsupported") return r;
    const expected = resolveExpectation(want, symbols);
    const diff = diffOutcome(expected, r.actual);
    return { ...r, expected, pass: diff.length === 0, diff };
  });
}
