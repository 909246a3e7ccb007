/**
 * Certification: replays scenarios against an opened implementation and builds the report
 * ({@linkcode certify}); accepted deviations ({@linkcode loadDeviations}). Which adapters exist
 * and how an `--impl` value opens one is the command line's business (`cli/adapters.ts`).
 *
 * @module
 */

import {
  type AppliedDeviation,
  buildReport,
  type CertificationReport,
  type CertifiedScenario,
} from "./certification.ts";
import type { Scenario } from "./format.ts";
import type { Outcome } from "./match.ts";
import { versionSatisfies } from "../spec/facts.ts";
import { runScenario } from "./run.ts";
import {
  type ApplyResult,
  linearize,
  type ReplayAdapter,
  type ResolvedStep,
  type ScenarioResult,
  type SymbolTable,
} from "./replay.ts";

/** An adapter made for a certification run, with what the implementation says of itself. */
export interface OpenedAdapter {
  /**
   * Makes a fresh adapter per scenario (or returns the shared one). May throw when the
   * implementation cannot be (re)started: that scenario is then an error.
   */
  readonly forScenario: () => Promise<ReplayAdapter>;
  /** The implementation's self-description for the report. */
  readonly info: Readonly<Record<string, string>>;
  /**
   * The scenario operations the implementation declares (`queue-create`, `queue-get`, ...).
   * A step of any other operation is not sent: the scenario is skipped from there. The verdict
   * needs `queue-create` and `queue-get`, and a scenario that ran for every declared operation.
   */
  readonly ops: readonly string[];
  /** Releases everything (processes, VMs). */
  readonly close: () => Promise<void>;
  /**
   * The kernel release the implementation runs (`7.2.13-1`), when it states one: a scenario
   * whose `kernel` range does not include it is skipped, with the reason. Absent: every scenario
   * runs (the model and simulators claim every version the fact base describes).
   */
  readonly kernelVersion?: string;
  /** Name in reports. */
  readonly name: string;
}

/** Raised when the implementation cannot run at all (exit code 4, KSFT_SKIP). */
export class ImplementationUnavailableError extends Error {
  /** The error's class name. */
  override readonly name: string = "ImplementationUnavailableError";
}

/**
 * Raised when the implementation started but failed before any scenario could run: it did not
 * answer its `hello` in time, crashed or answered garbage (exit code 1: it does not conform).
 */
export class ImplementationFailedError extends Error {
  /** The error's class name. */
  override readonly name: string = "ImplementationFailedError";
}

/** After this many failed starts in a row, the remaining scenarios are not attempted. */
export const MAX_START_FAILURES = 3;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps an adapter so that a step of an operation the implementation does not declare is not
 * sent: it answers "unsupported" (the scenario is skipped from there).
 */
function declaredOnly(
  adapter: ReplayAdapter,
  ops: ReadonlySet<string>,
  scenario: Scenario,
): ReplayAdapter {
  let symbols: SymbolTable = new Map();
  const declared = scenario.steps.every((s) => ops.has(s.op));
  const runSchedule = adapter.runSchedule;
  const race = adapter.race;
  const applyMany = adapter.applyMany;
  const wrapped: ReplayAdapter = {
    // Steps in one go when every one of them is declared (else one by one, through apply).
    ...(applyMany !== undefined
      ? {
        applyMany: async (steps: readonly ResolvedStep[]) => {
          if (steps.every((s) => ops.has(s.op))) {
            const r = await applyMany.call(adapter, steps);
            symbols = r.symbols;
            return r;
          }
          const outcomes: Outcome[] = [];
          for (const s of steps) outcomes.push((await wrapped.apply(s)).outcome);
          return { outcomes, symbols };
        },
      }
      : {}),
    // Stepped schedules and races only when every operation of the scenario is declared; else
    // the scenario runs step by step and stops at the first undeclared one (skip).
    ...(runSchedule !== undefined && declared
      ? { runSchedule: (sc: Scenario) => runSchedule.call(adapter, sc) }
      : {}),
    ...(race !== undefined && declared
      ? { race: (threads, options) => race.call(adapter, threads, options) }
      : {}),
    name: adapter.name,
    setup: async (topology) => (symbols = await adapter.setup(topology)),
    apply: async (step: ResolvedStep): Promise<ApplyResult> => {
      if (!ops.has(step.op)) {
        return {
          outcome: {
            kind: "unsupported",
            reason: `the implementation does not declare ${step.op}`,
          },
          symbols,
        };
      }
      const result = await adapter.apply(step);
      symbols = result.symbols;
      return result;
    },
    teardown: () => adapter.teardown(),
  };
  return wrapped;
}

/**
 * Why `scenario` does not apply to an implementation running kernel `version`, or undefined when
 * it does (or the version is unknown or not a kernel version: then the scenario runs).
 */
function outsideRange(scenario: Scenario, version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  try {
    if (versionSatisfies(version, scenario.kernel)) return undefined;
  } catch {
    return undefined;
  }
  return `for kernel ${scenario.kernel}; the implementation runs ${version}`;
}

/** Options of {@link certify}. */
export interface CertifyOptions {
  /** Repetitions of every race (default: each race scenario's own `race.repetitions`). */
  readonly raceRepetitions?: number;
  /** Called after each repetition of a race (progress of a long scenario). */
  readonly onRaceRepetition?: (scenario: string, done: number, total: number) => void;
  /** Called after each scenario (progress). */
  readonly onScenario?: (result: CertifiedScenario, index: number, total: number) => void;
  /** Accepted deviations: scenario name → fact id and reason. */
  readonly deviations?: ReadonlyMap<string, { fact: string; reason: string }>;
}

/**
 * Replays `scenarios` against an opened adapter and builds the report. Never throws for what
 * the implementation does: a scenario whose implementation cannot be started, or whose replay
 * breaks, is an `error` with the reason; after {@link MAX_START_FAILURES} failed starts in a
 * row the remaining scenarios are errors without another attempt.
 *
 * @example Usage
 * ```ts
 * import { certify } from "./certify.ts";
 * import { ModelAdapter } from "./model_adapter.ts";
 * import { OP_NAMES } from "./ops.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const scenario = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QG-03]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: queue-get\n    request: {ifindex: 99, id: 0, type: rx}\n" +
 *     "    expect: {error: {errno: ENODEV}}\n",
 *   "t.yaml",
 * );
 * const report = await certify({
 *   name: "model",
 *   info: {},
 *   ops: OP_NAMES,
 *   forScenario: () => Promise.resolve(new ModelAdapter()),
 *   close: () => Promise.resolve(),
 * }, [scenario]);
 * assert.equal(report.summary.pass, 1);
 * // One scenario cannot exercise every declared operation.
 * assert.equal(report.profile.verdict, "not-certified");
 * ```
 */
export async function certify(
  opened: OpenedAdapter,
  scenarios: readonly Scenario[],
  options: CertifyOptions = {},
): Promise<CertificationReport> {
  const started = new Date();
  const t0 = performance.now();
  const results: CertifiedScenario[] = [];
  const applied: AppliedDeviation[] = [];
  const ops = new Set(opened.ops);
  let startFailures = 0;
  let lastStartFailure = "";
  const run = async (scenario: Scenario): Promise<ScenarioResult> => {
    const base = { name: scenario.name, file: scenario.file, adapter: opened.name, steps: [] };
    const outside = outsideRange(scenario, opened.kernelVersion);
    if (outside !== undefined) return { ...base, verdict: "skip", reason: outside };
    if (startFailures >= MAX_START_FAILURES) {
      return {
        ...base,
        verdict: "error",
        reason: `not run: the implementation failed to start ${startFailures} times in a row ` +
          `(last: ${lastStartFailure})`,
      };
    }
    let adapter: ReplayAdapter;
    try {
      adapter = await opened.forScenario();
      startFailures = 0;
    } catch (error) {
      startFailures++;
      lastStartFailure = messageOf(error);
      return {
        ...base,
        verdict: "error",
        reason: `the implementation could not be started: ${lastStartFailure}`,
      };
    }
    try {
      return await runScenario(scenario, declaredOnly(adapter, ops, scenario), {
        ...(opened.kernelVersion === undefined ? {} : { kernel: opened.kernelVersion }),
        ...(options.raceRepetitions === undefined
          ? {}
          : { raceRepetitions: options.raceRepetitions }),
        ...(options.onRaceRepetition === undefined ? {} : {
          onRepetition: (done: number, total: number) =>
            options.onRaceRepetition!(scenario.name, done, total),
        }),
      });
    } catch (error) {
      // replayScenario turns adapter failures into verdicts; this is the last line of defence.
      return { ...base, verdict: "error", reason: `the replay broke: ${messageOf(error)}` };
    }
  };
  for (const [i, scenario] of scenarios.entries()) {
    const s0 = performance.now();
    const r = await run(scenario);
    const deviation = options.deviations?.get(scenario.name);
    const failed = r.verdict === "fail" || r.verdict === "error";
    if (deviation && failed) applied.push({ scenario: scenario.name, ...deviation });
    const result: CertifiedScenario = {
      ...r,
      facts: scenario.facts,
      elapsedMs: performance.now() - s0,
      deviation: deviation && failed ? `${deviation.fact}: ${deviation.reason}` : undefined,
      ops: [...new Set(linearize(scenario).map((s) => s.op))],
    };
    results.push(result);
    options.onScenario?.(result, i, scenarios.length);
  }
  return buildReport(
    opened.name,
    started,
    performance.now() - t0,
    results,
    opened.info,
    applied,
    opened.ops,
  );
}

/** One accepted difference between an implementation and the spec. */
export interface KnownDeviation {
  /** The scenario that fails because of it. */
  readonly scenario: string;
  /** The fact id it is about. */
  readonly fact: string;
  /** Kernel version(s) it was seen on. */
  readonly kernel: string;
  /** Why it is accepted (and who is right). */
  readonly reason: string;
}

/**
 * Reads a known-deviations file: `{"version": 1, "deviations": [{scenario, fact, kernel, reason}]}`.
 * Every entry must name a scenario of the run and give all four fields.
 *
 * @throws {TypeError} naming the entry and field that is wrong.
 */
export async function loadDeviations(
  file: string,
  scenarios: readonly Scenario[],
): Promise<Map<string, { fact: string; reason: string }>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    if (error instanceof SyntaxError) throw new TypeError(`Cannot parse ${file}: ${error.message}`);
    throw error;
  }
  const list = (doc as { deviations?: unknown })?.deviations;
  if ((doc as { version?: unknown })?.version !== 1 || !Array.isArray(list)) {
    throw new TypeError(`${file} must be {"version": 1, "deviations": [...]}`);
  }
  const names = new Set(scenarios.map((s) => s.name));
  const out = new Map<string, { fact: string; reason: string }>();
  list.forEach((entry: Record<string, unknown>, i: number) => {
    for (const field of ["scenario", "fact", "kernel", "reason"]) {
      if (typeof entry?.[field] !== "string" || entry[field] === "") {
        throw new TypeError(`${file}: deviations[${i}].${field} must be a non-empty string`);
      }
    }
    if (!names.has(entry.scenario as string)) {
      throw new TypeError(
        `${file}: deviations[${i}].scenario names no scenario of this run: ${entry.scenario}`,
      );
    }
    out.set(entry.scenario as string, {
      fact: entry.fact as string,
      reason: `${entry.reason} (${entry.kernel})`,
    });
  });
  return out;
}
