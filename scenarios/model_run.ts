/**
 * Scenario steps run on the model with its state in view: the one place that builds a scenario
 * topology in the model, maps scenario operations to model steps, and model replies to the
 * outcomes replay compares. The model adapter (`model_adapter.ts`) wraps it for replay; trace
 * emission (`emit/`) uses it to compute expected replies and to check invariants after steps.
 *
 * @module
 */

import { type ModelConfig, ModelConfigError, validateConfig } from "../model/config.ts";
import type { OpReply } from "../model/errors.ts";
import { initialState } from "../model/init.ts";
import type { ModelOptions } from "../model/mutants.ts";
import type { ChannelsSetRequest } from "../model/ops/channels_set.ts";
import { isChange, type NewlinkRequest } from "../model/ops/newlink.ts";
import type { NetkitNewlinkRequest } from "../model/ops/netkit_newlink.ts";
import type { BindingReply, Caller } from "../model/ops/types.ts";
import { applyStep, type ModelStep } from "../model/step.ts";
import {
  deviceByLinkId,
  isNetkit,
  isPhysical,
  type LockId,
  type ModelState,
  updateDevice,
} from "../model/state.ts";
import { completionOf, startProc } from "../model/process.ts";
import { PROGRAMS, stepSlot } from "../model/programs.ts";
import {
  type Move,
  type MoveResult,
  type PlanEntry,
  type PlanStep,
  runPlan,
  ScheduleError,
} from "./schedule.ts";
import type { JsonObject, JsonValue, OpName, Step, Topology } from "./format.ts";
import type { Outcome } from "./match.ts";
import {
  AdapterUnsupportedError,
  resolveSymbols,
  type SymbolTable,
  type SymbolValue,
} from "./replay.ts";

/** What a symbol stands for in the model: a device by index, a binding by slot, or `lo`. */
export type ModelSymbol =
  | { readonly kind: "device"; readonly dev: number }
  | { readonly kind: "binding"; readonly slot: number }
  | { readonly kind: "lo" };

/** The parts of a scenario step the model needs. */
export type StepInput = Pick<Step, "netns" | "capNetAdmin" | "op" | "dump" | "request" | "defines">;

/** A step the model cannot run (a request shape or device kind it does not model). */
export class UnsupportedStepError extends TypeError {
  /** Stable error code. */
  readonly code: string = "LCE002";

  /** Creates the error with the reason. */
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedStepError";
  }
}

/** What {@linkcode ModelRun.runSchedule} did: the steps completed, in order, and a problem. */
export interface ScheduleRun {
  /** Each completed step's index (in the scenario) and result, in completion order. */
  readonly completed: readonly { readonly index: number; readonly result: RunResult }[];
  /** A broken invariant or a deadlock, with the entry where it showed; the run stopped there. */
  readonly problem?: string;
}

/** A lock's name for messages: `RTNL` or the instance lock of a device. */
function lockName(state: ModelState, lock: LockId | null): string {
  if (lock === null) return "nothing";
  if (lock === "rtnl") return "RTNL";
  return `the instance lock of ${state.devices[lock]?.name ?? `device ${lock}`}`;
}

/** Raised when the model rejects a topology step (a broken scenario). */
export class ModelSetupError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS102";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ModelSetupError";
  }
}

/** The result of one step run on the model. */
export interface RunResult {
  /** The model step run. */
  readonly modelStep: ModelStep;
  /** The model's raw reply. */
  readonly reply: OpReply<unknown>;
  /** The outcome replay compares. */
  readonly outcome: Outcome;
  /** The state before the step. */
  readonly before: ModelState;
}

/** The operations that create a queue user (and may define a binding symbol). */
const BINDS: ReadonlySet<string> = new Set(["bind-rx", "bind-tx", "zcrx-register", "xsk-bind"]);

/**
 * The outcome of a model reply for scenario operation `op`: errors with their extack fields;
 * replies as ynl prints them (queue-create and queue-get whole, bind-rx and bind-tx its id, xsk-bind its
 * zero-copy flag, everything else an acknowledgement without payload).
 */
export function outcomeOf(op: OpName, reply: OpReply<unknown>): Outcome {
  if (!reply.ok) {
    return {
      kind: "error",
      errno: reply.errno,
      code: -reply.errnoValue,
      ...(reply.extack === undefined ? {} : { extack: reply.extack }),
      ...(reply.badAttr === undefined ? {} : { badAttr: reply.badAttr }),
      ...(reply.missType === undefined ? {} : { missType: reply.missType }),
      ...(reply.missNest === undefined ? {} : { missNest: reply.missNest }),
    };
  }
  const r = reply.reply as Record<string, JsonValue>;
  switch (op) {
    case "queue-create":
    case "queue-get":
      return { kind: "reply", reply: reply.reply as JsonValue };
    case "bind-rx":
    case "bind-tx":
      return { kind: "reply", reply: { id: r.id } };
    case "xsk-bind":
      return { kind: "reply", reply: { "zero-copy": r["zero-copy"] } };
    case "getlink":
      return { kind: "reply", reply: r };
    default:
      return { kind: "reply", reply: null };
  }
}

/** The model, built from a scenario topology, with its state and symbols in view. */
export class ModelRun {
  /** The current state. */
  state: ModelState;
  /** Namespace names by index. */
  readonly namespaces: readonly string[];
  /** Symbols defined so far. */
  readonly symbols: Map<string, ModelSymbol>;
  /** The model options (mutant). */
  readonly options: ModelOptions;

  private constructor(
    state: ModelState,
    namespaces: readonly string[],
    symbols: Map<string, ModelSymbol>,
    options: ModelOptions,
  ) {
    this.state = state;
    this.namespaces = namespaces;
    this.symbols = symbols;
    this.options = options;
  }

  /**
   * Builds the topology: namespaces, netns ids and physical devices through `initialState`
   * (atomic model), then each link by NEWLINK, its peer moved and both brought up.
   *
   * @throws {AdapterUnsupportedError} When the model cannot represent the topology.
   * @throws {ModelSetupError} When a topology step fails in the model (a broken scenario).
   */
  static fromTopology(topology: Topology, options: ModelOptions): ModelRun {
    const namespaces = topology.namespaces.map((n) => n.name);
    const partial: Partial<ModelConfig> = {
      namespaces,
      nsids: topology.namespaces.flatMap((n) =>
        Object.entries(n.nsids).map(([peer, id]) => ({ netns: n.name, peer, id }))
      ),
      physical: topology.physical.map((p) => ({
        name: p.name,
        netns: p.netns,
        driver: p.kind,
        queues: p.queues,
        ...(p.maxChannels === undefined ? {} : { maxChannels: p.maxChannels }),
        up: p.up,
      })),
      netkits: [],
      netkitCreations: 0,
      concurrency: 1,
      loopback: true,
      mutant: options.mutant ?? null,
    };
    let config: ModelConfig;
    try {
      config = validateConfig(partial);
    } catch (e) {
      if (e instanceof ModelConfigError) {
        throw new AdapterUnsupportedError(`the model rejects the topology: ${e.message}`);
      }
      throw e;
    }
    const run = new ModelRun(
      initialState(config),
      namespaces,
      new Map([["lo", { kind: "lo" }]]),
      options,
    );
    for (const p of topology.physical) {
      const dev = run.state.devices.findIndex((d) => d.kind === "physical" && d.name === p.name);
      run.symbols.set(p.name, { kind: "device", dev });
    }
    for (const link of topology.links) {
      const kind = (link.request.linkinfo as JsonObject | undefined)?.kind;
      if (kind !== "netkit") {
        throw new AdapterUnsupportedError(`the model has no ${String(kind)} devices`);
      }
      const before = run.state.devices.length;
      const reply = run.#run({
        op: "newlink",
        caller: { netns: run.ns(link.netns) },
        request: link.request as unknown as NetkitNewlinkRequest,
      });
      run.#must(reply, `create link ${link.name}`);
      const created = run.state.devices.length - before;
      const primary = before + created - 1;
      run.symbols.set(link.name, { kind: "device", dev: primary });
      const peer = created === 2 ? before : undefined;
      if (link.peer !== undefined) {
        if (peer === undefined) {
          throw new ModelSetupError(`Cannot name the peer of ${link.name}: it has none`);
        }
        run.symbols.set(link.peer.name, { kind: "device", dev: peer });
        const pd = run.state.devices[peer];
        const target = run.ns(link.peer.netns);
        if (pd.netns !== target) {
          // As the agent builds topologies (kernel/agent.py setup_link): a peer whose name is
          // taken in the target namespace (the nk0 of an earlier pair) moves under its symbol's.
          const taken = run.state.devices.some((d) =>
            d.netns === target && d.reg !== "gone" && d.name === pd.name
          );
          if (taken) {
            const name = link.peer.name;
            run.state = updateDevice(run.state, peer, (d) => ({ ...d, name }));
          }
          run.#must(
            run.#run({
              op: "netns-move",
              caller: { netns: pd.netns },
              request: { ifindex: pd.ifindex, netns: link.peer.netns },
            }),
            `move ${link.peer.name} to ${link.peer.netns}`,
          );
        }
      }
      for (const [dev, up] of [[primary, link.up], [peer, link.peer?.up ?? false]] as const) {
        if (dev === undefined || !up) continue;
        const d = run.state.devices[dev];
        run.#must(
          run.#run({
            op: "link-set",
            caller: { netns: d.netns },
            request: { ifindex: d.ifindex, up: true },
          }),
          `bring ${d.name} up`,
        );
      }
    }
    return run;
  }

  /** The namespace index of `name`. */
  ns(name: string): number {
    const i = this.namespaces.indexOf(name);
    if (i < 0) throw new TypeError(`Cannot resolve namespace "${name}": not in the topology`);
    return i;
  }

  /** The symbol table as the replayer sees it (current ifindexes, binding ids). */
  table(): SymbolTable {
    const out = new Map<string, SymbolValue>();
    for (const [name, sym] of this.symbols) {
      if (sym.kind === "lo") out.set(name, { kind: "device", ifindex: 1, netns: "init" });
      else if (sym.kind === "binding") out.set(name, { kind: "binding", id: sym.slot });
      else {
        const d = this.state.devices[sym.dev];
        out.set(name, { kind: "device", ifindex: d.ifindex, netns: this.namespaces[d.netns] });
      }
    }
    return out;
  }

  #run(step: ModelStep): OpReply<unknown> {
    const r = applyStep(this.state, step, this.options);
    this.state = r.state;
    return r.reply;
  }

  #must(reply: OpReply<unknown>, what: string): void {
    if (!reply.ok) throw new ModelSetupError(`Cannot ${what}: ${JSON.stringify(reply)}`);
  }

  #caller(step: StepInput): Caller {
    return step.capNetAdmin
      ? { netns: this.ns(step.netns) }
      : { netns: this.ns(step.netns), admin: false };
  }

  /**
   * The model step a scenario step stands for in the current state: the same operation, the
   * caller, and the request with its symbols resolved.
   *
   * @throws {UnsupportedStepError} For request shapes or devices the model does not represent.
   */
  modelStepOf(step: StepInput): ModelStep {
    const caller = this.#caller(step);
    const req = resolveSymbols(step.request, this.table()) as Record<string, JsonValue>;
    switch (step.op) {
      case "queue-get":
        return { op: "queue-get", caller, dump: step.dump, request: req };
      case "newlink": {
        const linkinfo = req.linkinfo as JsonObject | undefined;
        if (req["ifi-index"] !== undefined) {
          const extra = Object.keys(req).filter((k) => k !== "ifi-index" && k !== "linkinfo");
          if (extra.length > 0 || linkinfo === undefined) {
            throw new UnsupportedStepError("the model changes netkit link-info data only");
          }
        } else if (linkinfo?.kind !== "netkit") {
          throw new UnsupportedStepError(
            `the model creates netkit devices only, not ${String(linkinfo?.kind)}`,
          );
        } else if (req.mtu !== undefined) throw new UnsupportedStepError("the model has no MTU");
        return { op: "newlink", caller, request: req as unknown as NewlinkRequest };
      }
      case "getlink": {
        const dev = deviceByLinkId(this.state, caller.netns, req);
        const d = typeof dev === "number" ? this.state.devices[dev] : undefined;
        if (d !== undefined && !isNetkit(d) && !isPhysical(d)) {
          throw new UnsupportedStepError(
            "the model answers GETLINK for netkit and physical devices only",
          );
        }
        return { op: "getlink", caller, request: req };
      }
      case "channels-set": {
        const extra = Object.keys(req).filter((k) => k !== "header" && k !== "combined-count");
        const header = (req.header ?? {}) as Record<string, JsonValue>;
        if (extra.length > 0 || header["dev-index"] === undefined) {
          throw new UnsupportedStepError("the model sets combined channels by dev-index only");
        }
        return { op: "channels-set", caller, request: req as unknown as ChannelsSetRequest };
      }
      default:
        // Every other operation takes its ynl request as the scenario writes it.
        return { op: step.op, caller, request: req } as unknown as ModelStep;
    }
  }

  /**
   * Runs one scenario step, updating the state and the symbols it defines.
   *
   * @throws {UnsupportedStepError} For request shapes the model does not represent.
   */
  apply(step: StepInput): RunResult {
    const before = this.state;
    const modelStep = this.modelStepOf(step);
    const reply = this.#run(modelStep);
    return this.#record(step, modelStep, reply, before);
  }

  /**
   * Runs a concurrent scenario's schedule step by step with the model's stepped operations
   * (the plan of `schedule.ts`: labelled entries move a thread to a program counter of its
   * operation, unlabelled ones run it to its end, a thread that needs a held lock waits). After
   * every move `check` may report a problem (a broken invariant), which ends the run.
   *
   * @throws {ScheduleError} For an entry the model cannot follow.
   */
  runSchedule(
    entries: readonly PlanEntry[],
    steps: readonly (StepInput & PlanStep)[],
    check: (state: ModelState) => string | undefined = () => undefined,
  ): ScheduleRun {
    const end = runPlan<StepInput & PlanStep, RunResult>(entries, steps, (m) => {
      const r = this.move(m);
      const problem = r.kind === "blocked" ? undefined : check(this.state);
      return problem === undefined ? r : { ...r, problems: [problem] };
    });
    return {
      completed: end.completed,
      ...(end.problem === undefined ? {} : { problem: end.problem }),
    };
  }

  /**
   * An independent copy of the run as it stands: the same (immutable, shared) state and symbols,
   * and the same threads in flight; moves on either leave the other as it was. Exploring every
   * interleaving of a race forks at each choice (`emit/race_outcomes.ts`).
   *
   * @example Usage
   * ```ts
   * import { ModelRun } from "./model_run.ts";
   * import assert from "node:assert/strict";
   * const run = ModelRun.fromTopology({
   *   namespaces: [{ name: "init", nsids: {}, pos: { line: 1, column: 1 } }],
   *   physical: [],
   *   links: [],
   * }, { mutant: null });
   * const copy = run.fork();
   * copy.move({
   *   kind: "start",
   *   thread: "a",
   *   step: { netns: "init", capNetAdmin: true, op: "queue-get", dump: true, request: {}, defines: {} },
   * });
   * assert.notEqual(copy.state, run.state);
   * ```
   */
  fork(): ModelRun {
    const copy = new ModelRun(this.state, this.namespaces, new Map(this.symbols), this.options);
    for (const [thread, slot] of this.#slots) copy.#slots.set(thread, slot);
    for (const [thread, running] of this.#running) copy.#running.set(thread, running);
    return copy;
  }

  /** The options of stepped execution: replies are compared, so dumps keep their entries. */
  get #stepped(): ModelOptions {
    return { ...this.options, collectReplies: true };
  }

  /** Thread name → process slot (stepped execution). */
  readonly #slots = new Map<string, number>();
  /** Thread name → its operation in flight. */
  readonly #running = new Map<
    string,
    { readonly step: StepInput; readonly modelStep: ModelStep; readonly before: ModelState }
  >();

  /**
   * One move of stepped execution (see `schedule.ts` {@linkcode Move}): start a step on a
   * thread, advance its operation by one step, or run it to its end.
   *
   * @example Usage
   * ```ts
   * import { ModelRun } from "./model_run.ts";
   * import assert from "node:assert/strict";
   * const run = ModelRun.fromTopology({
   *   namespaces: [{ name: "init", nsids: {}, pos: { line: 1, column: 1 } }],
   *   physical: [],
   *   links: [],
   * }, { mutant: null });
   * const step = {
   *   netns: "init", capNetAdmin: true, op: "queue-get" as const, dump: true, request: {},
   *   defines: {},
   * };
   * const r = run.move({ kind: "start", thread: "a", step });
   * assert.notEqual(r.kind, "blocked");
   * ```
   */
  move(m: Move<StepInput>): MoveResult<RunResult> {
    let slot = this.#slots.get(m.thread);
    const procs = this.state.procs ?? [];
    if (slot === undefined) {
      slot = procs.length;
      this.#slots.set(m.thread, slot);
    }
    if (slot >= procs.length) {
      const grown = [...procs, ...Array<null>(slot + 1 - procs.length).fill(null)];
      this.state = { ...this.state, procs: grown };
    }
    const waits = () => lockName(this.state, this.state.procs?.[slot]?.want ?? null);
    if (m.kind === "start") {
      if (this.#running.has(m.thread)) {
        throw new ScheduleError(`thread ${m.thread} already has an operation in flight`);
      }
      const modelStep = this.modelStepOf(m.step);
      const before = this.state;
      const started = startProc(before, slot, modelStep, PROGRAMS[modelStep.op], this.#stepped);
      if (started === undefined) return { kind: "blocked", waits: "the lock it takes first" };
      this.state = started;
      this.#running.set(m.thread, { step: m.step, modelStep, before });
      return this.#where(m.thread, slot);
    }
    if (!this.#running.has(m.thread)) {
      throw new ScheduleError(`thread ${m.thread} has no operation in flight`);
    }
    for (let n = 0; n < 10_000; n++) {
      const next = stepSlot(this.state, slot, this.#stepped);
      if (next === undefined) return { kind: "blocked", waits: waits() };
      this.state = next;
      const r = this.#where(m.thread, slot);
      if (m.kind === "advance" || r.kind === "done") return r;
    }
    throw new ScheduleError(`thread ${m.thread} did not complete in 10,000 steps`);
  }

  /** Where `thread`'s operation stands after a move: at a point, or done with its result. */
  #where(thread: string, slot: number): MoveResult<RunResult> {
    const proc = this.state.procs?.[slot] ?? null;
    if (proc !== null) return { kind: "point", at: proc.pc.replace(/[^A-Za-z0-9_-]/g, "_") };
    const r = this.#running.get(thread)!;
    this.#running.delete(thread);
    const reply = completionOf(this.state)?.reply;
    if (reply === undefined) {
      throw new ScheduleError(`thread ${thread}'s ${r.modelStep.op} ended without a reply`);
    }
    return { kind: "done", result: this.#record(r.step, r.modelStep, reply, r.before) };
  }

  #record(
    step: StepInput,
    modelStep: ModelStep,
    reply: OpReply<unknown>,
    before: ModelState,
  ): RunResult {
    if (reply.ok) {
      if (modelStep.op === "newlink" && !isChange(modelStep.request)) {
        const created = this.state.devices.length - before.devices.length;
        if (step.defines.device !== undefined) {
          this.symbols.set(step.defines.device, {
            kind: "device",
            dev: before.devices.length + created - 1,
          });
        }
        if (step.defines.peer !== undefined && created === 2) {
          this.symbols.set(step.defines.peer, { kind: "device", dev: before.devices.length });
        }
      }
      if (BINDS.has(modelStep.op) && step.defines.binding !== undefined) {
        this.symbols.set(step.defines.binding, {
          kind: "binding",
          slot: (reply.reply as BindingReply).binding,
        });
      }
    }
    return { modelStep, reply, outcome: outcomeOf(step.op, reply), before };
  }
}
