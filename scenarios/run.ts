/**
 * One entry point for any scenario: {@linkcode runScenario} replays a sequential or scheduled
 * scenario (`replay.ts` {@linkcode replayScenario}) and checks a race by outcome sets: the model
 * computes the allowed outcomes (`emit/race_outcomes.ts`), then `race.ts`
 * {@linkcode runRace} runs it on the implementation.
 *
 * @module
 */

import type { Scenario } from "./format.ts";
import { DEFAULT_KERNEL, validateKernel } from "../model/versions.ts";
import { allowedOutcomes, RaceModelError } from "./emit/race_outcomes.ts";
import { runRace } from "./race.ts";
import {
  type ReplayAdapter,
  type ReplayOptions,
  replayScenario,
  type ScenarioResult,
} from "./replay.ts";

/** Options of {@linkcode runScenario}. */
export interface RunScenarioOptions extends ReplayOptions {
  /**
   * The kernel version whose model computes a race's allowed outcomes (default: the model's
   * default, `model/versions.ts` DEFAULT_KERNEL); a version the model does not cover (a
   * simulator's own name) falls back to the default.
   */
  readonly kernel?: string;
  /** Repetitions of a race (default: the scenario's `race.repetitions`). */
  readonly raceRepetitions?: number;
  /** Called after each repetition of a race (progress). */
  readonly onRepetition?: (done: number, total: number) => void;
}

/**
 * The kernel version the model answers for, for an implementation that states `stated`: that
 * version when the model covers it, else {@linkcode DEFAULT_KERNEL}.
 *
 * @example Usage
 * ```ts
 * import { modelKernelFor } from "./run.ts";
 * import assert from "node:assert/strict";
 * assert.equal(modelKernelFor("7.2.13-1"), "7.2.13-1");
 * assert.equal(modelKernelFor("toy 1.0"), modelKernelFor(undefined));
 * ```
 */
export function modelKernelFor(stated: string | undefined): string {
  if (stated !== undefined) {
    try {
      return validateKernel(stated);
    } catch {
      // Not a version the model answers for: its default.
    }
  }
  return DEFAULT_KERNEL;
}

/**
 * Runs `scenario` on `adapter`: a race by outcome sets, any other by replay. Never throws for
 * what the implementation does (see {@linkcode replayScenario}, {@linkcode runRace}); a race the
 * model cannot explore is an `error` with the reason.
 *
 * @example Usage
 * ```ts
 * import { runScenario } from "./run.ts";
 * import { ModelAdapter } from "./model_adapter.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: r\ndescription: d\nfacts: [QG-03]\nkernel: '>=7.1'\ntopology: {}\n" +
 *     "race: {repetitions: 2}\nsteps:\n  - {op: queue-get, dump: true, thread: a}\n" +
 *     "  - {op: queue-get, dump: true, thread: b}\n",
 *   "r.yaml",
 * );
 * const r = await runScenario(s, new ModelAdapter());
 * assert.equal(r.verdict, "pass");
 * assert.equal(r.race?.repetitions, 2);
 * ```
 */
export async function runScenario(
  scenario: Scenario,
  adapter: ReplayAdapter,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  if (scenario.race === undefined) return await replayScenario(scenario, adapter, options);
  let model;
  try {
    model = allowedOutcomes(scenario, { mutant: null, kernel: modelKernelFor(options.kernel) });
  } catch (e) {
    if (!(e instanceof RaceModelError)) throw e;
    return {
      name: scenario.name,
      file: scenario.file,
      adapter: adapter.name,
      verdict: "error",
      steps: [],
      reason: e.message,
    };
  }
  return await runRace(scenario, adapter, model, {
    ...(options.raceRepetitions === undefined ? {} : { repetitions: options.raceRepetitions }),
    ...(options.onRepetition === undefined ? {} : { onRepetition: options.onRepetition }),
  });
}
