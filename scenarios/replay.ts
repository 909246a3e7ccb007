/**
 * Replaying scenarios: the adapter interface every implementation under test provides, symbol
 * resolution, linearisation of concurrent scenarios, and {@linkcode replayScenario}, which runs
 * the steps and compares each outcome with its expectation.
 *
 * @module
 */

import type { Expectation, JsonObject, JsonValue, Scenario, Step, Topology } from "./format.ts";
import { diffOutcome, type Outcome } from "./match.ts";

/** The current value of a symbol. */
export type SymbolValue =
  | {
    /** A device. */
    readonly kind: "device";
    /** Its current ifindex. */
    readonly ifindex: number;
    /** Its current namespace. */
    readonly netns: string;
  }
  | {
    /** A binding (io_uring ifq, dmabuf binding, AF_XDP socket). */
    readonly kind: "binding";
    /** The id `close` takes. */
    readonly id: number;
  };

/** Symbol name (without `$`) → current value. */
export type SymbolTable = ReadonlyMap<string, SymbolValue>;

/** A step whose request has its symbols resolved to numbers. */
export interface ResolvedStep extends Omit<Step, "request"> {
  /** The request with `$symbols` replaced. */
  readonly request: JsonObject;
}

/** What an adapter returns for a step: the outcome and the symbol table after it. */
export interface ApplyResult {
  /** The reply, error, or "unsupported". */
  readonly outcome: Outcome;
  /** Symbols after the step (ifindexes change on netns moves; steps define new ones). */
  readonly symbols: SymbolTable;
}

/** Thrown by `setup` when the implementation cannot build the topology at all. */
export class AdapterUnsupportedError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS101";

  /** Creates the error with the reason, e.g. "the model has no veth devices". */
  constructor(reason: string) {
    super(reason);
    this.name = "AdapterUnsupportedError";
  }
}

/**
 * An implementation under test: the model in-process, a mutant, an external process, a kernel.
 * `setup` builds the topology and returns the symbols it defines; `apply` runs one step;
 * `teardown` releases everything (namespaces, devices, processes).
 */
export interface ReplayAdapter {
  /** Name for reports (`model`, `model[C-02]`, `kernel`). */
  readonly name: string;
  /** Builds the topology; throws {@linkcode AdapterUnsupportedError} if it cannot. */
  setup(topology: Topology): Promise<SymbolTable>;
  /** Runs one step. */
  apply(step: ResolvedStep): Promise<ApplyResult>;
  /**
   * Releases everything `setup` and the steps created. May return what the implementation found
   * wrong in itself while the scenario ran ({@linkcode TeardownReport}: a kernel's WARN, lockdep
   * or KASAN report): the scenario then fails, whatever its replies.
   */
  teardown(): Promise<void | TeardownReport>;
  /**
   * Stepped execution of a concurrent scenario's schedule (optional; {@linkcode replayScenario}
   * uses it when the schedule has labelled entries): runs the steps by the schedule and returns
   * each completed step's outcome, in completion order, and any problem the implementation found
   * in its own state (the model: a broken invariant, a deadlock). Throws for a schedule it
   * cannot follow.
   */
  runSchedule?(scenario: Scenario): Promise<ScheduleOutcome>;
  /**
   * Runs a race's threads at once (optional; `race.ts` {@linkcode runRace} uses it): each
   * thread's steps in order, the threads as concurrently as the implementation can (the kernel:
   * a process and netlink socket each, released together, each after a random delay of up to
   * `jitterUs` microseconds drawn from `seed`). Returns every thread's outcomes in order.
   * Without it, races run as sequential interleavings of whole operations.
   */
  race?(threads: readonly RaceThreadSteps[], options: RaceOptions): Promise<RaceRun>;
  /**
   * Runs steps one after the other, as `apply` would, in one go (optional; a race's observation
   * uses it): each step's outcome, and the symbols after the last.
   */
  applyMany?(steps: readonly ResolvedStep[]): Promise<ApplyManyResult>;
}

/** What {@linkcode ReplayAdapter.applyMany} returns. */
export interface ApplyManyResult {
  /** Each step's outcome, in order. */
  readonly outcomes: readonly Outcome[];
  /** The symbols after the last step. */
  readonly symbols: SymbolTable;
}

/** One thread of a race as an adapter runs it (see {@linkcode ReplayAdapter.race}). */
export interface RaceThreadSteps {
  /** The thread's name. */
  readonly thread: string;
  /** Its steps, requests resolved. */
  readonly steps: readonly ResolvedStep[];
}

/** How a race is run (see {@linkcode ReplayAdapter.race}). */
export interface RaceOptions {
  /** The largest random delay of a thread after the release, in microseconds. */
  readonly jitterUs: number;
  /** Seed of the delays (the repetition's number). */
  readonly seed: number;
}

/** What a concurrent run gave (see {@linkcode ReplayAdapter.race}). */
export interface RaceRun {
  /** Thread name → the outcome of each of its steps, in order. */
  readonly outcomes: Readonly<Record<string, readonly Outcome[]>>;
  /** The symbols after the race. */
  readonly symbols: SymbolTable;
  /** What the implementation found wrong with itself during the race (the model: invariants). */
  readonly problems?: readonly string[];
}

/** What stepped execution of a schedule gave (see {@linkcode ReplayAdapter.runSchedule}). */
export interface ScheduleOutcome {
  /** Each completed step: its index in the scenario, the request as run, and the outcome. */
  readonly completed: readonly {
    readonly index: number;
    readonly request: JsonObject;
    readonly outcome: Outcome;
  }[];
  /** The symbols after the run. */
  readonly symbols: SymbolTable;
  /** What the implementation found wrong with itself (the run stopped there). */
  readonly problem?: string;
}

/** What an implementation reports about itself at the end of a scenario. */
export interface TeardownReport {
  /**
   * Problems it detected in itself during the scenario, one line each (a kernel log splat:
   * `WARNING: CPU: 0 PID: 12 at net/core/dev.c:...`). Empty or absent: none.
   */
  readonly problems?: readonly string[];
}

/**
 * Replaces every `$symbol` string in `value` by the symbol's current number (a device's ifindex,
 * a binding's id). Strings naming unknown symbols are left as they are.
 *
 * @example Usage
 * ```ts
 * import { resolveSymbols } from "./replay.ts";
 * import assert from "node:assert/strict";
 * const t = new Map([["eth0", { kind: "device" as const, ifindex: 2, netns: "init" }]]);
 * assert.ok(JSON.stringify(resolveSymbols({ lease: { ifindex: "$eth0" } }, t)) ===
 *   '{"lease":{"ifindex":2}}');
 * ```
 */
export function resolveSymbols(value: JsonValue, symbols: SymbolTable): JsonValue {
  if (typeof value === "string" && value.startsWith("$")) {
    const s = symbols.get(value.slice(1));
    if (s === undefined) return value;
    return s.kind === "device" ? s.ifindex : s.id;
  }
  if (Array.isArray(value)) return value.map((v) => resolveSymbols(v, symbols));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveSymbols(v, symbols);
    return out;
  }
  return value;
}

/**
 * `e` with the `$symbols` of its expected reply replaced by their current numbers.
 *
 * @example Usage
 * ```ts
 * import { resolveExpectation } from "./replay.ts";
 * import assert from "node:assert/strict";
 * const t = new Map([["nk", { kind: "device" as const, ifindex: 7, netns: "init" }]]);
 * const e = resolveExpectation(
 *   { kind: "reply", match: "subset", reply: { ifindex: "$nk" }, present: [], absent: [] },
 *   t,
 * );
 * assert.deepEqual(e.kind === "reply" && e.reply, { ifindex: 7 });
 * ```
 */
export function resolveExpectation(e: Expectation, symbols: SymbolTable): Expectation {
  return e.kind === "reply" ? { ...e, reply: resolveSymbols(e.reply, symbols) } : e;
}

/**
 * The steps in the order they run. Without a schedule: file order. With one: each schedule
 * entry without a label completes the named thread's next step; labelled entries mark
 * intermediate points of stepped operations, which atomic execution skips (the operation takes
 * effect at its completing entry).
 *
 * @example Usage
 * ```ts
 * import { linearize } from "./replay.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - {op: queue-get, dump: true, thread: a}\n" +
 *     "  - {op: queue-get, dump: true, thread: b}\nschedule: [b, 'a:lock', a]\n",
 *   "t.yaml",
 * );
 * assert.equal(linearize(s)[0].index, 1);
 * ```
 */
export function linearize(scenario: Scenario): readonly Step[] {
  if (scenario.schedule === undefined) return scenario.steps;
  const queues = new Map<string, Step[]>();
  for (const s of scenario.steps) {
    const q = queues.get(s.thread!) ?? [];
    q.push(s);
    queues.set(s.thread!, q);
  }
  const out: Step[] = [];
  for (const entry of scenario.schedule) {
    if (entry.label !== undefined) continue;
    const next = queues.get(entry.thread)?.shift();
    if (next !== undefined) out.push(next);
  }
  return out;
}

/**
 * Replays a concurrent scenario on an adapter with stepped execution: the adapter runs the
 * schedule; each completed step's outcome is compared with its expectation. A problem it reports
 * fails the scenario; a schedule it cannot follow makes it an error.
 */
async function replaySchedule(
  scenario: Scenario,
  adapter: ReplayAdapter,
  results: StepResult[],
): Promise<{ verdict: ScenarioVerdict; reason?: string; symbols?: SymbolTable }> {
  let run: ScheduleOutcome;
  try {
    run = await adapter.runSchedule!(scenario);
  } catch (e) {
    return { verdict: "error", reason: message(e) };
  }
  let verdict: ScenarioVerdict = "pass";
  let reason: string | undefined;
  for (const c of run.completed) {
    const step = scenario.steps[c.index];
    const expected = resolveExpectation(step.expect, run.symbols);
    const diff = diffOutcome(expected, c.outcome);
    results.push({
      index: c.index,
      step: { ...step, request: c.request },
      expected,
      actual: c.outcome,
      pass: diff.length === 0,
      diff,
    });
    if (c.outcome.kind === "unsupported") {
      return { verdict: "skip", reason: `step ${c.index} (${step.op}): ${c.outcome.reason}` };
    }
    if (diff.length > 0 && verdict === "pass") {
      verdict = "fail";
      reason = `step ${c.index} (${step.op}) differs`;
    }
  }
  if (run.problem !== undefined) {
    return {
      verdict: "fail",
      reason: reason === undefined ? run.problem : `${reason}; ${run.problem}`,
    };
  }
  return { verdict, ...(reason === undefined ? {} : { reason }) };
}

/** The result of one step. */
export interface StepResult {
  /** Index of the step in the file. */
  readonly index: number;
  /** The step (request resolved). */
  readonly step: ResolvedStep;
  /** The expectation (symbols resolved). */
  readonly expected: Expectation;
  /** What the adapter observed. */
  readonly actual: Outcome;
  /** True when `actual` meets `expected`. */
  readonly pass: boolean;
  /** One line per difference; empty when it passes. */
  readonly diff: readonly string[];
}

/** Scenario verdicts: `skip` when the adapter cannot run it, `error` when the replay broke. */
export type ScenarioVerdict = "pass" | "fail" | "skip" | "error";

/** The result of a whole scenario. */
export interface ScenarioResult {
  /** Scenario name. */
  readonly name: string;
  /** Scenario file. */
  readonly file: string;
  /** The adapter's name. */
  readonly adapter: string;
  /** The verdict. */
  readonly verdict: ScenarioVerdict;
  /** Step results in run order (up to the step that stopped the replay). */
  readonly steps: readonly StepResult[];
  /** Why the scenario was skipped or broke, when it was. */
  readonly reason?: string;
  /** What the implementation reported about itself at teardown (kernel log splats). */
  readonly problems?: readonly string[];
  /** A race's repetitions and the outcomes they had (`race.ts`). */
  readonly race?: RaceReport;
}

/** How a race went (see `race.ts` {@linkcode runRace}). */
export interface RaceReport {
  /**
   * `concurrent`: the implementation ran the threads at once; `sequential`: it cannot, so
   * every order of whole operations ran once (no operation overlapped another).
   */
  readonly mode: "concurrent" | "sequential";
  /** Repetitions run. */
  readonly repetitions: number;
  /** Random delay bound of each thread, microseconds (concurrent mode). */
  readonly jitterUs: number;
  /** What the model explored to compute the allowed set. */
  readonly explored: { readonly states: number; readonly interleavings: number };
  /** Each allowed outcome, how many model interleavings give it, and how often it was seen. */
  readonly outcomes: readonly {
    readonly summary: string;
    readonly interleavings: number;
    readonly observed: number;
  }[];
  /** Repetitions whose outcome is outside the allowed set (at most 5 kept), with the differences. */
  readonly outside: readonly {
    readonly repetition: number;
    readonly summary: string;
    readonly closest: string;
    readonly diff: readonly string[];
  }[];
  /** How many repetitions fell outside (all of them, not only those kept). */
  readonly outsideCount: number;
  /** Repetitions after which the implementation reported problems (kernel log splats). */
  readonly problemRepetitions: readonly number[];
  /**
   * Operations of the observation the implementation cannot run (it does not declare them): those
   * observations were left out of every comparison.
   */
  readonly unobserved?: readonly string[];
}

/**
 * Runs `adapter.teardown()` and never throws: what the implementation reported about itself
 * (kernel log splats), or why the teardown failed (a hang, a crash, garbage).
 *
 * @example Usage
 * ```ts
 * import { safeTeardown } from "./replay.ts";
 * import { ModelAdapter } from "./model_adapter.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await safeTeardown(new ModelAdapter()), { problems: [] });
 * ```
 */
export async function safeTeardown(
  adapter: ReplayAdapter,
): Promise<{ readonly problems: readonly string[]; readonly broken?: string }> {
  try {
    return { problems: (await adapter.teardown())?.problems ?? [] };
  } catch (e) {
    return { problems: [], broken: `teardown failed: ${message(e)}` };
  }
}

/** Options of {@linkcode replayScenario}. */
export interface ReplayOptions {
  /** Stop at the first failing step (default false: run every step and report all). */
  readonly stopOnFailure?: boolean;
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Replays `scenario` against `adapter`: setup, each step in run order (symbols resolved just
 * before the step runs, expectations compared), teardown. Never throws for adapter failures:
 * they become the `error` verdict, and so does a teardown that fails (hangs, crashes, answers
 * garbage) after a passing or skipped scenario.
 *
 * @example Usage
 * ```ts
 * import { replayScenario } from "./replay.ts";
 * import { ModelAdapter } from "./model_adapter.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QG-03]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: queue-get\n    request: {ifindex: 99, id: 0, type: rx}\n" +
 *     "    expect: {error: {errno: ENODEV}}\n",
 *   "t.yaml",
 * );
 * const r = await replayScenario(s, new ModelAdapter());
 * assert.equal(r.verdict, "pass");
 * ```
 */
export async function replayScenario(
  scenario: Scenario,
  adapter: ReplayAdapter,
  options: ReplayOptions = {},
): Promise<ScenarioResult> {
  const base = { name: scenario.name, file: scenario.file, adapter: adapter.name };
  if (scenario.race !== undefined) {
    // Never replayed as a sequence: its threads' outcomes are checked against the model's set.
    return {
      ...base,
      verdict: "error",
      steps: [],
      reason: "a race is checked by outcome sets: run it with runScenario (run.ts), as " +
        "certify and replay do",
    };
  }
  let problems: readonly string[] = [];
  /** Runs teardown; its failure (a hang, a crash, garbage) is returned, never thrown. */
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
      return { ...base, verdict: "skip", steps: [], reason: e.message };
    }
    const why = e instanceof AdapterUnsupportedError
      ? `setup: ${e.message}`
      : `setup failed: ${message(e)}`;
    return {
      ...base,
      verdict: "error",
      steps: [],
      reason: broken === undefined ? why : `${why}; ${broken}`,
    };
  }
  const results: StepResult[] = [];
  let verdict: ScenarioVerdict = "pass";
  let reason: string | undefined;
  const stepped = adapter.runSchedule !== undefined &&
    (scenario.schedule ?? []).some((e) => e.label !== undefined);
  try {
    if (stepped) {
      const r = await replaySchedule(scenario, adapter, results);
      verdict = r.verdict;
      reason = r.reason;
    }
    for (const step of stepped ? [] : linearize(scenario)) {
      const resolved: ResolvedStep = {
        ...step,
        request: resolveSymbols(step.request, symbols) as JsonObject,
      };
      const expected = resolveExpectation(step.expect, symbols);
      let applied: ApplyResult;
      try {
        applied = await adapter.apply(resolved);
      } catch (e) {
        verdict = "error";
        reason = `step ${step.index} (${step.op}) threw ${message(e)}`;
        break;
      }
      symbols = applied.symbols;
      const diff = diffOutcome(expected, applied.outcome);
      results.push({
        index: step.index,
        step: resolved,
        expected,
        actual: applied.outcome,
        pass: diff.length === 0,
        diff,
      });
      if (applied.outcome.kind === "unsupported") {
        if (verdict === "pass") {
          verdict = "skip";
          reason = `step ${step.index} (${step.op}): ${applied.outcome.reason}`;
        }
        break;
      }
      if (diff.length > 0) {
        verdict = "fail";
        if (options.stopOnFailure) break;
      }
    }
  } catch (e) {
    // resolveSymbols and diffOutcome do not throw on any input; an adapter bug might.
    verdict = "error";
    reason = `the replay broke: ${message(e)}`;
  }
  const broken = await teardown();
  if (broken !== undefined) {
    // A passing (or skipped) scenario whose teardown fails is an error; a failing one stays a
    // failure, with both reasons.
    if (verdict !== "fail") verdict = "error";
    reason = reason === undefined ? broken : `${reason}; ${broken}`;
  }
  if (problems.length > 0) {
    // The implementation caught itself misbehaving (a WARN, a lockdep report): a failure, even
    // when every reply matched.
    if (verdict !== "error") verdict = "fail";
    const said = `the implementation reported ${problems.length} problem${
      problems.length === 1 ? "" : "s"
    }: ${problems[0]}${problems.length > 1 ? " (and more)" : ""}`;
    reason = reason === undefined ? said : `${reason}; ${said}`;
  }
  return {
    ...base,
    verdict,
    steps: results,
    ...(reason === undefined ? {} : { reason }),
    ...(problems.length > 0 ? { problems } : {}),
  };
}
