/**
 * The outcomes a race may have, by the model: every interleaving of the race's threads,
 * explored with the stepped operations from the state its setup steps leave.
 *
 * A race (`race:` in a scenario, see `../format.ts` {@linkcode RaceSpec}) has setup steps, run
 * one after the other, and threads that run at once. {@linkcode allowedOutcomes} builds the
 * topology in the model, applies the setup (each step must meet its expectation), then explores
 * depth first every way the threads' operations can interleave: at each point any thread may
 * start its next operation or make the next step of the one in flight, unless it waits for a
 * lock another thread holds. Each complete interleaving ends in an outcome: every thread's
 * outcome of every step (reply, or errno and extack) and the full observation of the final state
 * (a queue-get dump from every namespace, GETLINK of every device the setup knows by name),
 * written as expectations with `$symbols` so that any implementation's run can be compared.
 * Distinct outcomes are the allowed set; how many interleavings lead to each is kept.
 *
 * Exhaustive by construction: a deadlock of the model, or more than
 * {@linkcode MAX_RACE_STATES} distinct states, is an error, never a smaller set.
 *
 * @module
 */

import { canonicalKey } from "../../checker/fingerprint.ts";
import type { ModelOptions } from "../../model/mutants.ts";
import type { Expectation, JsonObject, JsonValue, Scenario, Step } from "../format.ts";
import { diffOutcome, showExpectation } from "../match.ts";
import { resolveExpectation } from "../replay.ts";
import { ModelRun, Naming, type RunResult } from "./_run.ts";
import { expectationOf, getlinkExpectation } from "./scenario_of_trace.ts";
import type { YamlObject } from "./scenario_of_trace.ts";

/** More distinct states than this in one race's exploration is an error (not a partial set). */
export const MAX_RACE_STATES = 200_000;

/** A race the model cannot explore: its setup fails, the model deadlocks, it is too large. */
export class RaceModelError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS104";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RaceModelError";
  }
}

/** One thread of a race: its name and its steps in file order. */
export interface RaceThread {
  /** The thread's name. */
  readonly name: string;
  /** Its steps. */
  readonly steps: readonly Step[];
}

/** One outcome the model allows. */
export interface AllowedOutcome {
  /** Thread name → the expectation of each of its steps, in order (`$symbols` unresolved). */
  readonly threads: Readonly<Record<string, readonly Expectation[]>>;
  /** The expectation of each observation step (see {@linkcode RaceModel.observation}). */
  readonly observation: readonly Expectation[];
  /** One line for reports: each thread's outcomes (`lease: ENODEV, remove: ok`). */
  readonly summary: string;
  /** How many of the explored interleavings end in it. */
  readonly interleavings: number;
}

/** What the model says of a race. */
export interface RaceModel {
  /** The setup steps (no thread), in order. */
  readonly setup: readonly Step[];
  /** The threads, in order of first appearance. */
  readonly threads: readonly RaceThread[];
  /**
   * The observation after the race: a queue-get dump from every namespace that is alive in
   * every outcome, then GETLINK of every named device from the namespace it was in after setup
   * (if it moved or went, that GETLINK's error is part of the outcome). Index `-1 - i`.
   */
  readonly observation: readonly Step[];
  /** The allowed outcomes (distinct; in the order the exploration found them). */
  readonly outcomes: readonly AllowedOutcome[];
  /** Distinct states explored and complete interleavings seen. */
  readonly explored: { readonly states: number; readonly interleavings: number };
}

/** The setup steps and the threads of a race (or of any scenario with threads). */
export function raceThreads(scenario: Scenario): { setup: Step[]; threads: RaceThread[] } {
  const setup: Step[] = [];
  const threads = new Map<string, Step[]>();
  for (const step of scenario.steps) {
    if (step.thread === undefined) setup.push(step);
    else threads.set(step.thread, [...(threads.get(step.thread) ?? []), step]);
  }
  return { setup, threads: [...threads].map(([name, steps]) => ({ name, steps })) };
}

/** A point of the exploration: the run, each thread's next step, what is in flight, results. */
interface Node {
  readonly run: ModelRun;
  readonly next: readonly number[];
  readonly inflight: readonly boolean[];
  readonly results: readonly (readonly RunResult[])[];
}

function keyOfNode(n: Node): string {
  return canonicalKey({
    state: n.run.state,
    next: n.next,
    inflight: n.inflight,
    results: n.results.map((rs) => rs.map((r) => r.outcome)),
  });
}

/** `expectation` in the YAML shape of a scenario file, as the parser would read it. */
function expectationFromYaml(y: YamlObject): Expectation {
  if ("error" in y) {
    const e = y.error as Record<string, JsonValue>;
    return {
      kind: "error",
      errno: String(e.errno),
      code: Number(e.code),
      extack: (e.extack ?? null) as string | null,
      ...(e["bad-attr"] === undefined ? {} : { badAttr: e["bad-attr"] as string }),
      ...(e["miss-type"] === undefined ? {} : { missType: e["miss-type"] as string }),
      ...(e["miss-nest"] === undefined ? {} : { missNest: e["miss-nest"] as string }),
    };
  }
  if ("reply" in y) {
    return { kind: "reply", match: "exact", reply: y.reply as JsonValue, present: [], absent: [] };
  }
  if ("reply-subset" in y) {
    return {
      kind: "reply",
      match: "subset",
      reply: y["reply-subset"] as JsonValue,
      present: (y.present ?? []) as string[],
      absent: (y.absent ?? []) as string[],
    };
  }
  return { kind: "ok" };
}

function brief(e: Expectation): string {
  return e.kind === "error" ? e.errno : "ok";
}

/**
 * The allowed outcomes of `scenario`'s race by the model (see the module documentation).
 *
 * @param options The model's options (its kernel version; `mutant` must be null: the allowed
 * set is the correct model's).
 * @throws {RaceModelError} When the setup fails in the model, the model deadlocks, or the
 * exploration exceeds {@linkcode MAX_RACE_STATES}.
 *
 * @example Usage
 * ```ts
 * import { allowedOutcomes } from "./race_outcomes.ts";
 * import { parseScenario } from "../parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: r\ndescription: d\nfacts: [QG-03]\nkernel: '>=7.1'\ntopology: {}\nrace: {}\n" +
 *     "steps:\n  - {op: queue-get, dump: true, thread: a}\n" +
 *     "  - {op: queue-get, dump: true, thread: b}\n",
 *   "r.yaml",
 * );
 * const m = allowedOutcomes(s, { mutant: null });
 * assert.equal(m.outcomes.length, 1);
 * assert.equal(m.outcomes[0].summary, "a: ok, b: ok");
 * ```
 */
export function allowedOutcomes(scenario: Scenario, options: ModelOptions): RaceModel {
  const { setup, threads } = raceThreads(scenario);
  let run: ModelRun;
  try {
    run = ModelRun.fromTopology(scenario.topology, { ...options, mutant: null });
  } catch (e) {
    throw new RaceModelError(`${scenario.name}: the model cannot build the topology: ${why(e)}`);
  }
  for (const step of setup) {
    let r: RunResult;
    try {
      r = run.apply(step);
    } catch (e) {
      throw new RaceModelError(`${scenario.name}: steps[${step.index}] (${step.op}): ${why(e)}`);
    }
    const diff = diffOutcome(resolveExpectation(step.expect, run.table()), r.outcome);
    if (diff.length > 0) {
      throw new RaceModelError(
        `${scenario.name}: steps[${step.index}] (${step.op}) of the setup does not meet its ` +
          `expectation ${showExpectation(step.expect)} in the model: ${diff[0]}`,
      );
    }
  }
  const naming = new Naming();
  const named: { name: string; dev: number; netns: string }[] = [];
  for (const [name, sym] of run.symbols) {
    if (sym.kind !== "device") continue;
    naming.nameDevice(sym.dev, name);
    named.push({ name, dev: sym.dev, netns: run.namespaces[run.state.devices[sym.dev].netns] });
  }

  // Depth-first over every interleaving, each distinct point once: visit(node) is the number of
  // interleavings from node to each end it reaches (memoised on the point).
  const memo = new Map<string, Map<string, number>>();
  const endNodes = new Map<string, Node>();
  const visit = (node: Node): Map<string, number> => {
    const key = keyOfNode(node);
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (memo.size >= MAX_RACE_STATES) {
      throw new RaceModelError(
        `${scenario.name}: the race has more than ${MAX_RACE_STATES} states: too large to ` +
          "explore exhaustively (fewer or shorter threads)",
      );
    }
    const paths = new Map<string, number>();
    memo.set(key, paths);
    if (threads.every((t, i) => node.next[i] === t.steps.length && !node.inflight[i])) {
      endNodes.set(key, node);
      paths.set(key, 1);
      return paths;
    }
    let moved = false;
    threads.forEach((t, i) => {
      if (!node.inflight[i] && node.next[i] === t.steps.length) return;
      const fork = node.run.fork();
      let r;
      try {
        r = node.inflight[i]
          ? fork.move({ kind: "advance", thread: t.name })
          : fork.move({ kind: "start", thread: t.name, step: t.steps[node.next[i]] });
      } catch (e) {
        const s = t.steps[node.next[i]];
        throw new RaceModelError(`${scenario.name}: steps[${s.index}] (${s.op}): ${why(e)}`);
      }
      if (r.kind === "blocked") return;
      moved = true;
      const next = [...node.next];
      const inflight = [...node.inflight];
      const results = [...node.results];
      if (r.kind === "done") {
        next[i]++;
        inflight[i] = false;
        results[i] = [...results[i], r.result];
      } else {
        inflight[i] = true;
      }
      for (const [end, n] of visit({ run: fork, next, inflight, results })) {
        paths.set(end, (paths.get(end) ?? 0) + n);
      }
    });
    if (!moved) {
      const waiting = threads.filter((_, i) => node.inflight[i]).map((t) => t.name);
      throw new RaceModelError(
        `${scenario.name}: the model deadlocks: threads ${waiting.join(", ")} wait for each ` +
          "other's locks",
      );
    }
    return paths;
  };
  const endCount = visit({
    run,
    next: threads.map(() => 0),
    inflight: threads.map(() => false),
    results: threads.map(() => []),
  });
  const ends = [...endNodes.values()];
  let interleavings = 0;
  for (const n of endCount.values()) interleavings += n;

  // The observation: namespaces alive at every end, every named device from its setup netns.
  const alive = run.namespaces.filter((_, i) => ends.every((n) => n.run.state.netns[i].alive));
  const observation: Step[] = [];
  const obs = (partial: Pick<Step, "netns" | "op" | "dump" | "request" | "note">): Step => ({
    index: -1 - observation.length,
    pos: scenario.race?.pos ?? { line: 1, column: 1 },
    capNetAdmin: true,
    expect: { kind: "ok" },
    defines: {},
    ...partial,
  });
  for (const ns of alive) {
    observation.push(obs({
      netns: ns,
      op: "queue-get",
      dump: true,
      request: {},
      note: `observation: the queues seen from ${ns}`,
    }));
  }
  const observedDevices = named.filter((d) => alive.includes(d.netns));
  for (const d of observedDevices) {
    observation.push(obs({
      netns: d.netns,
      op: "getlink",
      dump: false,
      request: { "ifi-index": `$${d.name}` } as JsonObject,
      note: `observation: ${d.name} as GETLINK shows it in ${d.netns}`,
    }));
  }

  const outcomes = new Map<string, AllowedOutcome>();
  for (const end of ends) {
    const threadsOut: Record<string, Expectation[]> = {};
    threads.forEach((t, i) => {
      threadsOut[t.name] = end.results[i].map((r, k) => {
        const step = t.steps[k];
        return expectationFromYaml(
          expectationOf(r.outcome, naming, r.before, end.run.ns(step.netns), step.op),
        );
      });
    });
    const final = end.run.fork();
    const seenIn: Expectation[] = observation.map((step) => {
      const before = final.state;
      const r = final.apply(step);
      if (step.op === "getlink") {
        const dev = observedDevices[observation.indexOf(step) - alive.length].dev;
        return expectationFromYaml(
          devHere(before, dev, step.netns, final)
            ? getlinkExpectation(r.outcome, naming, before, dev)
            : expectationOf(r.outcome, naming, before, final.ns(step.netns), "getlink"),
        );
      }
      return expectationFromYaml(
        expectationOf(r.outcome, naming, before, final.ns(step.netns), step.op),
      );
    });
    const summary = threads.map((t) =>
      `${t.name}: ${(threadsOut[t.name] ?? []).map(brief).join(" ")}`
    ).join(", ");
    const key = JSON.stringify([threadsOut, seenIn]);
    const had = outcomes.get(key);
    const count = endCount.get(keyOfNode(end)) ?? 0;
    outcomes.set(key, {
      threads: threadsOut,
      observation: seenIn,
      summary,
      interleavings: (had?.interleavings ?? 0) + count,
    });
  }
  // Outcomes alike in errnos but not in replies or final state are told apart by number.
  const list = [...outcomes.values()];
  const bySummary = new Map<string, number>();
  const labelled = list.map((o) => {
    const n = list.filter((x) => x.summary === o.summary).length;
    if (n === 1) return o;
    const k = (bySummary.get(o.summary) ?? 0) + 1;
    bySummary.set(o.summary, k);
    return { ...o, summary: `${o.summary} (variant ${k} of ${n})` };
  });
  return {
    setup,
    threads,
    observation,
    outcomes: labelled,
    explored: { states: memo.size, interleavings },
  };
}

/** Whether device `dev` of `state` is registered in namespace `netns` (GETLINK finds it). */
function devHere(
  state: ModelRun["state"],
  dev: number,
  netns: string,
  run: ModelRun,
): boolean {
  const d = state.devices[dev];
  return d !== undefined && d.reg === "registered" && d.netns === run.ns(netns);
}

function why(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
