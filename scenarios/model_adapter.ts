/**
 * The in-process model adapter: builds the topology with `initialState` and netkit NEWLINK
 * steps, and runs each scenario step through the model's operations (`applyStep`, plus the
 * queue-get do and GETLINK functions). Mutants are selected by id.
 *
 * @module
 */

import type { ModelOptions, MutantId } from "../model/mutants.ts";
import { ModelRun, type RunResult, UnsupportedStepError } from "./model_run.ts";
import type { Topology } from "./format.ts";
import {
  AdapterUnsupportedError,
  type ApplyResult,
  type ReplayAdapter,
  type ResolvedStep,
  type ScheduleOutcome,
  type SymbolTable,
} from "./replay.ts";
import type { JsonObject, Scenario } from "./format.ts";
import type { Move, MoveResult } from "./schedule.ts";
import { invariants, type ModelInvariant } from "../model/invariants.ts";

export { ModelSetupError } from "./model_run.ts";

/** Options of {@linkcode ModelAdapter}. */
export interface ModelAdapterOptions {
  /** Run a mutant (bugs.md section C id) instead of the correct model. */
  readonly mutant?: MutantId | null;
  /** The kernel version the model answers for (`model/versions.ts`); absent: the default. */
  readonly kernel?: string;
}

/**
 * Replays scenarios against the model in-process.
 *
 * @example Usage
 * ```ts
 * import { ModelAdapter } from "./model_adapter.ts";
 * import assert from "node:assert/strict";
 * const a = new ModelAdapter();
 * const symbols = await a.setup({
 *   namespaces: [{ name: "init", nsids: {}, pos: { line: 1, column: 1 } }],
 *   physical: [{
 *     name: "eth0", netns: "init", kind: "netdevsim", queues: 2, up: true,
 *     pos: { line: 1, column: 1 },
 *   }],
 *   links: [],
 * });
 * assert.equal(symbols.get("eth0")?.kind, "device");
 * ```
 */
export class ModelAdapter implements ReplayAdapter {
  /** `model`, or `model[C-xx]` for a mutant. */
  readonly name: string;
  readonly #options: ModelOptions;
  readonly #invariants: readonly ModelInvariant[];
  #run: ModelRun | null = null;

  /** Creates the adapter. */
  constructor(options: ModelAdapterOptions = {}) {
    const mutant = options.mutant ?? null;
    this.#options = { mutant, ...(options.kernel === undefined ? {} : { kernel: options.kernel }) };
    this.#invariants = invariants(this.#options);
    this.name = mutant === null ? "model" : `model[${mutant}]`;
  }

  /** Builds the topology (see {@linkcode ModelRun.fromTopology}). */
  setup(topology: Topology): Promise<SymbolTable> {
    try {
      this.#run = ModelRun.fromTopology(topology, this.#options);
      return Promise.resolve(this.#run.table());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Runs one step; a request shape the model does not represent is reported unsupported. */
  apply(step: ResolvedStep): Promise<ApplyResult> {
    const run = this.#run;
    if (run === null) return Promise.reject(new TypeError("Cannot apply a step before setup()"));
    try {
      const { outcome } = run.apply(step);
      return Promise.resolve({ outcome, symbols: run.table() });
    } catch (e) {
      if (e instanceof UnsupportedStepError) {
        return Promise.resolve({
          outcome: { kind: "unsupported", reason: e.message },
          symbols: run.table(),
        });
      }
      return Promise.reject(e);
    }
  }

  /**
   * Stepped execution of the scenario's schedule ({@linkcode ModelRun.runSchedule}), checking
   * the model's invariants after every move.
   */
  runSchedule(scenario: Scenario): Promise<ScheduleOutcome> {
    const run = this.#run;
    if (run === null) return Promise.reject(new TypeError("Cannot run a schedule before setup()"));
    try {
      const r = run.runSchedule(scenario.schedule ?? [], scenario.steps, (state) => {
        const broken = this.#invariants.find((i) => !i.holds(state));
        return broken && `invariant ${broken.name} is violated (${broken.description})`;
      });
      return Promise.resolve({
        completed: r.completed.map((c) => ({
          index: c.index,
          request: c.result.modelStep.request as unknown as JsonObject,
          outcome: c.result.outcome,
        })),
        symbols: run.table(),
        ...(r.problem === undefined ? {} : { problem: r.problem }),
      });
    } catch (e) {
      if (e instanceof UnsupportedStepError) {
        return Promise.reject(new AdapterUnsupportedError(e.message));
      }
      return Promise.reject(e);
    }
  }

  /**
   * One move of stepped execution ({@linkcode ModelRun.move}), with the invariants the state
   * then breaks as problems: what a protocol server in schedule mode answers.
   */
  move(m: Move<ResolvedStep>): MoveResult<ApplyResult> {
    const run = this.#run;
    if (run === null) throw new TypeError("Cannot move before setup()");
    let r: MoveResult<RunResult>;
    try {
      r = run.move(m);
    } catch (e) {
      if (!(e instanceof UnsupportedStepError)) throw e;
      return {
        kind: "done",
        result: { outcome: { kind: "unsupported", reason: e.message }, symbols: run.table() },
      };
    }
    const problems = r.kind === "blocked"
      ? []
      : this.#invariants.filter((i) => !i.holds(run.state)).map((i) =>
        `invariant ${i.name} is violated (${i.description})`
      );
    const extra = problems.length === 0 ? {} : { problems };
    if (r.kind !== "done") return { ...r, ...extra };
    return {
      kind: "done",
      result: { outcome: r.result.outcome, symbols: run.table() },
      ...extra,
    };
  }

  /** Forgets the state. */
  teardown(): Promise<void> {
    this.#run = null;
    return Promise.resolve();
  }
}
