/**
 * Stepped execution of a concurrent scenario's schedule, as one plan for every implementation
 * that can pause its operations: the model (`ModelRun`), and processes that announce
 * `schedule: true` (PROTOCOL.md). The plan turns schedule entries into moves — start a thread's
 * next step, advance the operation it has in flight, finish it — and the driver carries each out
 * on the implementation ({@linkcode runPlan} synchronously, {@linkcode runPlanAsync} over a
 * protocol).
 *
 * Semantics. Each thread runs its steps in file order. A labelled entry `t:label` starts `t`'s
 * next step (or advances the one in flight) by one move, after which `t` must stand at `label`;
 * an unlabelled entry `t` runs `t`'s operation to its end. A thread that cannot move because it
 * needs a lock another holds waits, as it would in the kernel: its entries are put off, in
 * order, and tried again before every later entry and at the end. A problem an implementation
 * reports after a move (the model: a broken invariant) ends the run; threads that still wait
 * when nothing else can move are a deadlock, also a problem.
 *
 * @module
 */

/** A schedule entry the implementation cannot follow (a point it does not reach, no step left). */
export class ScheduleError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS103";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ScheduleError";
  }
}

/** One entry of a schedule: a thread, and the point it moves to (none: to its operation's end). */
export interface PlanEntry {
  /** The thread. */
  readonly thread: string;
  /** The point, for an intermediate move. */
  readonly label?: string;
}

/** A step as the plan needs it: its index in the scenario and its thread (default `main`). */
export interface PlanStep {
  /** Index in the scenario's steps. */
  readonly index: number;
  /** Its thread. */
  readonly thread?: string;
}

/** One move the plan asks of the implementation. */
export type Move<S> =
  | {
    /** Start `step` on `thread` (nothing in flight there) and make its first move. */
    readonly kind: "start";
    readonly thread: string;
    readonly step: S;
  }
  | {
    /** Make the next move of `thread`'s operation in flight. */
    readonly kind: "advance";
    readonly thread: string;
  }
  | {
    /** Run `thread`'s operation in flight to its end (as far as it can go). */
    readonly kind: "finish";
    readonly thread: string;
  };

/** What a move did. */
export type MoveResult<R> =
  | {
    /** The operation is in flight and stands at point `at`. */
    readonly kind: "point";
    readonly at: string;
    /** What the implementation found wrong with itself afterwards. */
    readonly problems?: readonly string[];
  }
  | {
    /** It could not move (or, finishing, could not go on): it needs a lock another holds. */
    readonly kind: "blocked";
    /** What it waits for, for messages. */
    readonly waits?: string;
    readonly problems?: readonly string[];
  }
  | {
    /** The operation completed with `result`. */
    readonly kind: "done";
    readonly result: R;
    readonly problems?: readonly string[];
  };

/** The end of a plan: the completed steps in completion order, and the problem that stopped it. */
export interface PlanEnd<R> {
  /** Each completed step's index and result. */
  readonly completed: readonly { readonly index: number; readonly result: R }[];
  /** A problem the implementation reported, or a deadlock, with where it showed. */
  readonly problem?: string;
}

type Pending = PlanEntry & { readonly at: number };

/**
 * The plan (see the module documentation) as a generator: it yields moves and is sent their
 * results; it returns the end, or throws {@linkcode ScheduleError}.
 *
 * @example Usage
 * ```ts
 * import { runPlan } from "./schedule.ts";
 * import assert from "node:assert/strict";
 * // An implementation whose operations stop once, at point "p", then complete.
 * const end = runPlan(
 *   [{ thread: "a", label: "p" }, { thread: "a" }],
 *   [{ index: 0, thread: "a" }],
 *   (move) => move.kind === "start" ? { kind: "point", at: "p" } : { kind: "done", result: "ok" },
 * );
 * assert.deepEqual(end, { completed: [{ index: 0, result: "ok" }] });
 * ```
 */
export function* schedulePlan<S extends PlanStep, R>(
  entries: readonly PlanEntry[],
  steps: readonly S[],
): Generator<Move<S>, PlanEnd<R>, MoveResult<R>> {
  const queues = new Map<string, S[]>();
  for (const s of steps) {
    const t = s.thread ?? "main";
    queues.set(t, [...(queues.get(t) ?? []), s]);
  }
  const running = new Map<string, S>();
  const waits = new Map<string, string>();
  const completed: { index: number; result: R }[] = [];
  const deferred: Pending[] = [];
  const where = (e: Pending) =>
    `schedule entry ${e.at} (${e.thread}${e.label === undefined ? "" : `:${e.label}`})`;
  let problem: string | undefined;
  const noted = (e: Pending, r: MoveResult<R>) => {
    if (r.problems !== undefined && r.problems.length > 0 && problem === undefined) {
      problem = `${where(e)}: ${r.problems.join("; ")}`;
    }
  };
  // One entry: true when it moved (or completed), false when its thread waits.
  function* move(e: Pending): Generator<Move<S>, boolean, MoveResult<R>> {
    let step = running.get(e.thread);
    let r: MoveResult<R>;
    if (step === undefined) {
      step = queues.get(e.thread)?.shift();
      if (step === undefined) {
        throw new ScheduleError(`${where(e)}: thread ${e.thread} has no step left`);
      }
      r = yield { kind: "start", thread: e.thread, step };
      noted(e, r);
      if (r.kind === "blocked") {
        queues.get(e.thread)!.unshift(step);
        waits.set(e.thread, r.waits ?? "a lock");
        return false;
      }
      running.set(e.thread, step);
    } else {
      r = yield e.label === undefined
        ? { kind: "finish", thread: e.thread }
        : { kind: "advance", thread: e.thread };
      noted(e, r);
      if (r.kind === "blocked") {
        waits.set(e.thread, r.waits ?? "a lock");
        return false;
      }
    }
    if (r.kind === "point" && e.label === undefined) {
      r = yield { kind: "finish", thread: e.thread };
      noted(e, r);
      if (r.kind === "blocked") {
        waits.set(e.thread, r.waits ?? "a lock");
        return false;
      }
    }
    if (r.kind === "done") {
      running.delete(e.thread);
      if (e.label !== undefined) {
        throw new ScheduleError(
          `${where(e)}: thread ${e.thread} completed its operation before "${e.label}"`,
        );
      }
      completed.push({ index: step.index, result: r.result });
      return true;
    }
    if (r.kind === "point" && r.at !== e.label) {
      throw new ScheduleError(`${where(e)}: thread ${e.thread} is at "${r.at}", not "${e.label}"`);
    }
    return true;
  }
  // Retries the put-off entries (the first of each thread only, in order); true if one moved.
  function* retry(): Generator<Move<S>, boolean, MoveResult<R>> {
    let moved = false;
    for (let i = 0; i < deferred.length && problem === undefined; i++) {
      const e = deferred[i];
      if (deferred.findIndex((d) => d.thread === e.thread) !== i) continue;
      if (yield* move(e)) {
        deferred.splice(i--, 1);
        moved = true;
      }
    }
    return moved;
  }
  for (let at = 0; at < entries.length && problem === undefined; at++) {
    const e = { ...entries[at], at };
    while (problem === undefined && (yield* retry()));
    if (problem !== undefined) break;
    if (deferred.some((d) => d.thread === e.thread) || !(yield* move(e))) deferred.push(e);
  }
  while (problem === undefined && deferred.length > 0) {
    if (!(yield* retry()) && problem === undefined) {
      const stuck = [...new Set(deferred.map((d) => d.thread))]
        .map((t) => `${t} waits for ${waits.get(t) ?? "a lock"}`);
      problem = `deadlock at the end of the schedule: ${stuck.join(", ")}`;
    }
  }
  if (problem !== undefined) return { completed, problem };
  const left = [...running.keys()];
  if (left.length > 0) {
    throw new ScheduleError(`the schedule ends with thread(s) ${left.join(", ")} in flight`);
  }
  return { completed };
}

/**
 * Runs the plan of `entries` over `steps` with a synchronous implementation of the moves.
 *
 * @throws {ScheduleError} For an entry the implementation cannot follow.
 *
 * @example Usage
 * ```ts
 * import { runPlan } from "./schedule.ts";
 * import assert from "node:assert/strict";
 * const end = runPlan([{ thread: "a" }], [{ index: 0, thread: "a" }], () => ({
 *   kind: "done",
 *   result: 1,
 * }));
 * assert.deepEqual(end.completed, [{ index: 0, result: 1 }]);
 * ```
 */
export function runPlan<S extends PlanStep, R>(
  entries: readonly PlanEntry[],
  steps: readonly S[],
  move: (m: Move<S>) => MoveResult<R>,
): PlanEnd<R> {
  const plan = schedulePlan<S, R>(entries, steps);
  let next = plan.next();
  while (!next.done) next = plan.next(move(next.value));
  return next.value;
}

/**
 * Runs the plan with an asynchronous implementation of the moves (a process speaking the
 * protocol's schedule mode).
 *
 * @throws {ScheduleError} For an entry the implementation cannot follow.
 *
 * @example Usage
 * ```ts
 * import { runPlanAsync } from "./schedule.ts";
 * import assert from "node:assert/strict";
 * const end = await runPlanAsync([{ thread: "a" }], [{ index: 0, thread: "a" }], () =>
 *   Promise.resolve({ kind: "done" as const, result: 1 }));
 * assert.equal(end.completed.length, 1);
 * ```
 */
export async function runPlanAsync<S extends PlanStep, R>(
  entries: readonly PlanEntry[],
  steps: readonly S[],
  move: (m: Move<S>) => Promise<MoveResult<R>>,
): Promise<PlanEnd<R>> {
  const plan = schedulePlan<S, R>(entries, steps);
  let next = plan.next();
  while (!next.done) next = plan.next(await move(next.value));
  return next.value;
}
