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
  type RaceOptions,
  type RaceRun,
  type RaceThreadSteps,
  type ReplayAdapter,
  type ResolvedStep,
  type ScheduleOutcome,
  type SymbolTable,
} from "./replay.ts";
import type { JsonObject, Scenario } from "./format.ts";
import type { Outcome } from "./match.ts";
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
      const r = run.runSchedule(
        scenario.schedule ?? [],
        scenario.steps,
        (state) => this.#broken(state)[0],
      );
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
    const problems = r.kind === "blocked" ? [] : this.#broken(run.state);
    const extra = problems.length === 0 ? {} : { problems };
    if (r.kind !== "done") return { ...r, ...extra };
    return {
      kind: "done",
      result: { outcome: r.result.outcome, symbols: run.table() },
      ...extra,
    };
  }

  /** The invariants `state` breaks, one line each. */
  #broken(state: ModelRun["state"]): string[] {
    return this.#invariants.filter((i) => !i.holds(state)).map((i) =>
      `invariant ${i.name} is violated (${i.description})`
    );
  }

  /**
   * Runs a race's threads with the stepped operations, interleaved at random (a generator
   * seeded with `options.seed`): at each move one thread that can move is picked; a thread that
   * waits for a lock is left for another. The invariants every move breaks, and a deadlock,
   * are the run's problems.
   */
  race(threads: readonly RaceThreadSteps[], options: RaceOptions): Promise<RaceRun> {
    const run = this.#run;
    if (run === null) return Promise.reject(new TypeError("Cannot race before setup()"));
    let seed = (options.seed * 2654435761 + 1) >>> 0;
    const random = (n: number): number => {
      // xorshift32: reproducible per seed, no dependency on Math.random.
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed % n;
    };
    const outcomes: Record<string, Outcome[]> = {};
    const inflight = new Set<string>();
    const problems: string[] = [];
    for (const t of threads) outcomes[t.thread] = [];
    const left = (t: RaceThreadSteps) =>
      inflight.has(t.thread) || outcomes[t.thread].length < t.steps.length;
    try {
      for (let moves = 0; threads.some(left); moves++) {
        if (moves > 100_000) throw new TypeError("the race did not end in 100,000 moves");
        const candidates = threads.filter(left);
        let moved = false;
        while (candidates.length > 0 && !moved) {
          const [t] = candidates.splice(random(candidates.length), 1);
          const r = this.move(
            inflight.has(t.thread)
              ? { kind: "advance", thread: t.thread }
              : { kind: "start", thread: t.thread, step: t.steps[outcomes[t.thread].length] },
          );
          if (r.kind === "blocked") continue;
          moved = true;
          for (const p of r.problems ?? []) if (!problems.includes(p)) problems.push(p);
          if (r.kind === "done") {
            inflight.delete(t.thread);
            outcomes[t.thread].push(r.result.outcome);
          } else inflight.add(t.thread);
        }
        if (!moved) {
          // A deadlock is the implementation's fault: a problem, and the stuck steps have no
          // outcome (outside every allowed one).
          problems.push(`deadlock: threads ${[...inflight].join(", ")} wait for each other`);
          break;
        }
      }
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve({
      outcomes,
      symbols: run.table(),
      ...(problems.length === 0 ? {} : { problems }),
    });
  }

  /** Forgets the state. */
  teardown(): Promise<void> {
    this.#run = null;
    return Promise.resolve();
  }
}
