/**
 * Runs scenario steps on the model while keeping its state visible: the same setup and the same
 * step mapping as `model_adapter.ts` (which hides its state), so the emitter can compute the
 * replies the model adapter will see, and the invariant check can evaluate the model's
 * invariants after each step. Also the inverse mapping: a model step (`ModelStep`) to a scenario
 * step with `$symbols`.
 *
 * @module
 */

import { type ModelConfig, validateConfig } from "../../model/config.ts";
import type { OpReply } from "../../model/errors.ts";
import { initialState } from "../../model/init.ts";
import type { ModelOptions } from "../../model/mutants.ts";
import type { NetkitChangelinkRequest } from "../../model/ops/netkit_changelink.ts";
import type { NetkitNewlinkRequest } from "../../model/ops/netkit_newlink.ts";
import type { Caller } from "../../model/ops/types.ts";
import { applyStep, type ModelStep } from "../../model/spec.ts";
import { deviceByIfindex, type ModelState } from "../../model/state.ts";
import type { JsonObject, JsonValue, OpName, Step, Topology } from "../format.ts";
import type { Outcome } from "../match.ts";
import { resolveSymbols, type SymbolTable, type SymbolValue } from "../replay.ts";

/** What a symbol stands for in the model: a device by index, a binding by slot, or `lo`. */
export type ModelSymbol =
  | { readonly kind: "device"; readonly dev: number }
  | { readonly kind: "binding"; readonly slot: number }
  | { readonly kind: "lo" };

/** The parts of a scenario step the model needs. */
export type StepInput = Pick<Step, "netns" | "capNetAdmin" | "op" | "dump" | "request" | "defines">;

/** Thrown when a step has no model counterpart (GETLINK, queue-get do, non-netkit links). */
export class UnsupportedStepError extends TypeError {
  /** Stable error code. */
  readonly code: string = "LCE002";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedStepError";
  }
}

/** The result of one step run on the model. */
export interface RunResult {
  /** The model step run, or undefined when the lookup before it failed (ENODEV, as the adapter). */
  readonly modelStep?: ModelStep;
  /** The model's raw reply, when a model step ran. */
  readonly reply?: OpReply<unknown>;
  /** The outcome as the model adapter reports it. */
  readonly outcome: Outcome;
  /** The state before the step. */
  readonly before: ModelState;
}

const ENODEV: Outcome = { kind: "error", errno: "ENODEV", code: -19 };

/**
 * Converts a model reply into the outcome the model adapter reports for scenario operation `op`
 * (the same reply maps as `model_adapter.ts`).
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
      return { kind: "reply", reply: { id: r.id } };
    case "xsk-bind":
      return { kind: "reply", reply: { "zero-copy": r["zero-copy"] } };
    default:
      return { kind: "reply", reply: null };
  }
}

/** The scenario operation a model step is written as. */
export function scenarioOpOf(step: ModelStep): OpName {
  switch (step.op) {
    case "queue-create":
      return "queue-create";
    case "queue-get-dump":
      return "queue-get";
    case "netkit-newlink":
    case "netkit-changelink":
      return "newlink";
    case "netkit-dellink":
      return "dellink";
    case "phys-unregister":
      return "phys-remove";
    case "netns-move":
      return "netns-move";
    case "link-set":
      return "link-set";
    case "mp-bind":
      return step.request.provider === "devmem"
        ? "bind-rx"
        : step.request.provider === "io-uring"
        ? "zcrx-register"
        : "xsk-bind";
    case "mp-unbind":
      return "close";
    case "ethtool-channels":
      return "channels-set";
    case "netns-delete":
      return "netns-delete";
    default:
      throw new UnsupportedStepError(
        `Cannot write model operation ${(step as { op: string }).op} as a scenario step: ` +
          `scenarios have no such operation`,
      );
  }
}

/**
 * The model, built from a scenario topology the way the model adapter builds it, with its state
 * and symbols in view.
 */
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
   * Builds the topology as `ModelAdapter.setup` does: namespaces, netns ids and physical devices
   * through `initialState`, then each link by NEWLINK, its peer moved and both brought up.
   *
   * @throws {TypeError} When the model rejects the topology.
   */
  static fromTopology(topology: Topology, options: ModelOptions): ModelRun {
    const namespaces = topology.namespaces.map((n) => n.name);
    const config: Partial<ModelConfig> = {
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
    const run = new ModelRun(
      initialState(validateConfig(config)),
      namespaces,
      new Map([["lo", { kind: "lo" }]]),
      options,
    );
    for (const p of topology.physical) {
      const dev = run.state.devices.findIndex((d) => d.kind === "physical" && d.name === p.name);
      run.symbols.set(p.name, { kind: "device", dev });
    }
    for (const link of topology.links) {
      const before = run.state.devices.length;
      const reply = run.#run({
        op: "netkit-newlink",
        caller: { netns: run.ns(link.netns) },
        request: link.request as unknown as NetkitNewlinkRequest,
      });
      if (!reply.ok) {
        throw new TypeError(`Cannot create link ${link.name}: ${JSON.stringify(reply)}`);
      }
      const created = run.state.devices.length - before;
      const primary = before + created - 1;
      run.symbols.set(link.name, { kind: "device", dev: primary });
      const peer = created === 2 ? before : undefined;
      if (link.peer !== undefined && peer !== undefined) {
        run.symbols.set(link.peer.name, { kind: "device", dev: peer });
        const pd = run.state.devices[peer];
        const target = run.ns(link.peer.netns);
        if (pd.netns !== target) {
          run.#must(run.#run({
            op: "netns-move",
            caller: { netns: pd.netns },
            request: { ifindex: pd.ifindex, "net-ns": target },
          }));
        }
      }
      for (const [dev, up] of [[primary, link.up], [peer, link.peer?.up ?? false]] as const) {
        if (dev === undefined || !up) continue;
        const d = run.state.devices[dev];
        run.#must(run.#run({
          op: "link-set",
          caller: { netns: d.netns },
          request: { ifindex: d.ifindex, up: true },
        }));
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

  #must(reply: OpReply<unknown>): void {
    if (!reply.ok) throw new TypeError(`Cannot set up the topology: ${JSON.stringify(reply)}`);
  }

  /**
   * The model step a scenario step stands for in the current state (symbols resolved), or
   * undefined when the adapter answers ENODEV before reaching the model (DELLINK and removal of
   * an unknown device).
   *
   * @throws {UnsupportedStepError} For steps without a `ModelStep` (GETLINK, queue-get do...).
   */
  modelStepOf(step: StepInput): ModelStep | undefined {
    const caller: Caller = step.capNetAdmin
      ? { netns: this.ns(step.netns) }
      : { netns: this.ns(step.netns), admin: false };
    const req = resolveSymbols(step.request, this.table()) as Record<string, JsonValue>;
    switch (step.op) {
      case "queue-create":
        return { op: "queue-create", caller, request: req };
      case "queue-get":
        if (!step.dump) throw new UnsupportedStepError("queue-get (do) has no model step");
        return { op: "queue-get-dump", caller, request: req };
      case "bind-rx":
        return {
          op: "mp-bind",
          caller,
          request: { provider: "devmem", ...req } as ModelStep["request"] & { provider: "devmem" },
        };
      case "zcrx-register":
        return {
          op: "mp-bind",
          caller,
          request: {
            provider: "io-uring",
            ifindex: req.ifindex as number,
            queue: req["queue-id"] as number,
          },
        };
      case "xsk-bind":
        return {
          op: "mp-bind",
          caller,
          request: {
            provider: "xsk",
            ifindex: req.ifindex as number,
            "queue-id": req["queue-id"] as number,
            ...(req.mode === undefined ? {} : { mode: req.mode as "copy" | "zerocopy" }),
          },
        };
      case "close":
        return { op: "mp-unbind", request: { binding: req.binding as number } };
      case "newlink":
        if (req["ifi-index"] !== undefined) {
          const request = { ifindex: req["ifi-index"], linkinfo: req.linkinfo };
          return {
            op: "netkit-changelink",
            caller,
            request: request as unknown as NetkitChangelinkRequest,
          };
        }
        return {
          op: "netkit-newlink",
          caller,
          request: req as unknown as NetkitNewlinkRequest,
        };
      case "dellink": {
        const dev = typeof req["ifi-index"] === "number"
          ? deviceByIfindex(this.state, caller.netns, req["ifi-index"])
          : undefined;
        if (dev === undefined) return undefined;
        return {
          op: "netkit-dellink",
          caller,
          request: { ifindex: this.state.devices[dev].ifindex },
        };
      }
      case "channels-set": {
        const header = (req.header ?? {}) as Record<string, JsonValue>;
        return {
          op: "ethtool-channels",
          caller,
          request: {
            header: { "dev-index": header["dev-index"] as number },
            ...(req["combined-count"] === undefined
              ? {}
              : { "combined-count": req["combined-count"] as number }),
          },
        };
      }
      case "link-set":
        return {
          op: "link-set",
          caller,
          request: { ifindex: req.ifindex as number, up: req.up as boolean },
        };
      case "netns-move":
        return {
          op: "netns-move",
          caller,
          request: { ifindex: req.ifindex as number, "net-ns": this.ns(req.netns as string) },
        };
      case "phys-remove": {
        const dev = deviceByIfindex(this.state, caller.netns, req.ifindex as number);
        if (dev === undefined) return undefined;
        return { op: "phys-unregister", request: { device: dev } };
      }
      case "netns-delete":
        return { op: "netns-delete", request: { netns: this.ns(req.netns as string) } };
      case "getlink":
        throw new UnsupportedStepError("getlink has no model step");
    }
  }

  /** Runs one scenario step, updating the state and the symbols it defines. */
  apply(step: StepInput): RunResult {
    const before = this.state;
    const modelStep = this.modelStepOf(step);
    if (modelStep === undefined) return { outcome: ENODEV, before };
    const reply = this.#run(modelStep);
    if (reply.ok) {
      if (modelStep.op === "netkit-newlink") {
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
      if (modelStep.op === "mp-bind" && step.defines.binding !== undefined) {
        this.symbols.set(step.defines.binding, {
          kind: "binding",
          slot: (reply.reply as { binding: number }).binding,
        });
      }
    }
    return { modelStep, reply, outcome: outcomeOf(step.op, reply), before };
  }
}

/** A JSON request or reply with the attributes that hold ifindexes replaced by `$symbols`. */
export type Symbolic = JsonObject;

/**
 * Names devices and bindings with symbols while a trace is written out: devices by their model
 * names (made unique), every `lo` as the built-in `$lo`, bindings as `b0`, `b1`...
 */
export class Naming {
  readonly #devices = new Map<number, string>();
  readonly #bindings = new Map<number, string>();
  readonly #used = new Set<string>(["lo"]);
  #nextBinding = 0;

  /** Gives device `dev` a symbol based on `name` (unique), and returns it. */
  nameDevice(dev: number, name: string): string {
    const base = name.replace(/[^A-Za-z0-9_]/g, "_").replace(/^([^A-Za-z_])/, "_$1");
    let sym = base;
    for (let i = 2; this.#used.has(sym); i++) sym = `${base}_${i}`;
    this.#used.add(sym);
    this.#devices.set(dev, sym);
    return sym;
  }

  /** Gives binding slot `slot` a fresh symbol, and returns it. */
  nameBinding(slot: number): string {
    let sym: string;
    do sym = `b${this.#nextBinding++}`; while (this.#used.has(sym));
    this.#used.add(sym);
    this.#bindings.set(slot, sym);
    return sym;
  }

  /** The symbol of device `dev` in `state` (`lo` for any loopback), if it has one. */
  device(state: ModelState, dev: number): string | undefined {
    const d = state.devices[dev];
    if (d === undefined) return undefined;
    if (d.kind === "virtual" && d.name === "lo" && d.ifindex === 1) return "lo";
    return this.#devices.get(dev);
  }

  /** The symbol of binding slot `slot`, if a step defined one. */
  binding(slot: number): string | undefined {
    return this.#bindings.get(slot);
  }

  /**
   * `$symbol` for the device with `ifindex` in namespace `netns` of `state`, or the number when
   * no named device has it (invalid-ifindex paths keep their numbers).
   */
  ifindex(state: ModelState, netns: number | undefined, ifindex: unknown): JsonValue {
    if (typeof ifindex !== "number" || netns === undefined) return ifindex as JsonValue;
    let dev = deviceByIfindex(state, netns, ifindex);
    if (dev === undefined) {
      const i = state.devices.findIndex((d) =>
        d.netns === netns && d.ifindex === ifindex && d.reg !== "gone"
      );
      dev = i < 0 ? undefined : i;
    }
    const sym = dev === undefined ? undefined : this.device(state, dev);
    return sym === undefined ? ifindex : `$${sym}`;
  }
}

/** The namespace that `from`'s netns-id table calls `id`, if any. */
export function netnsById(state: ModelState, from: number, id: number): number | undefined {
  const i = state.netns[from]?.nsids.indexOf(id) ?? -1;
  return i < 0 ? undefined : i;
}

/** The namespace a lease nest's ifindex lives in: netns-id relative to `caller`, else `caller`. */
function leaseNetns(state: ModelState, caller: number, lease: Record<string, unknown>) {
  const id = lease["netns-id"];
  return typeof id === "number" ? netnsById(state, caller, id) : caller;
}

/** Symbolises the ifindexes of a queue message (request or reply) seen from namespace `caller`. */
export function symbolizeQueue(
  naming: Naming,
  state: ModelState,
  caller: number,
  msg: Record<string, unknown>,
): JsonObject {
  const out: Record<string, JsonValue> = { ...(msg as Record<string, JsonValue>) };
  if ("ifindex" in msg) out.ifindex = naming.ifindex(state, caller, msg.ifindex);
  const lease = msg.lease;
  if (typeof lease === "object" && lease !== null && !Array.isArray(lease)) {
    const l = lease as Record<string, unknown>;
    out.lease = {
      ...(l as Record<string, JsonValue>),
      ...("ifindex" in l
        ? { ifindex: naming.ifindex(state, leaseNetns(state, caller, l), l.ifindex) }
        : {}),
    };
  }
  return out;
}

/** A scenario step as YAML data, before its expectation is known. */
export interface StepData {
  /** The caller's namespace name. */
  readonly netns: string;
  /** CAP_NET_ADMIN (false only for QC-00a paths). */
  readonly capNetAdmin: boolean;
  /** Scenario operation. */
  readonly op: OpName;
  /** queue-get dump. */
  readonly dump: boolean;
  /** Request with `$symbols`. */
  readonly request: JsonObject;
}

/**
 * Writes a model step taken in `state` as a scenario step: the scenario operation, the caller's
 * namespace by name and the request with ifindexes replaced by the symbols of the devices that
 * have them in `state` (netns ids stay numbers).
 */
export function stepDataOf(naming: Naming, state: ModelState, step: ModelStep): StepData {
  const nsName = (i: number) => state.netns[i].name;
  const op = scenarioOpOf(step);
  const base = (caller: Caller) => ({
    netns: nsName(caller.netns),
    capNetAdmin: caller.admin !== false,
    op,
    dump: false,
  });
  const dev = (caller: Caller, ifindex: unknown) => naming.ifindex(state, caller.netns, ifindex);
  switch (step.op) {
    case "queue-create":
      return {
        ...base(step.caller),
        request: symbolizeQueue(naming, state, step.caller.netns, step.request as never),
      };
    case "queue-get-dump":
      return {
        ...base(step.caller),
        dump: true,
        request: symbolizeQueue(naming, state, step.caller.netns, step.request),
      };
    case "netkit-newlink":
      return { ...base(step.caller), request: step.request as unknown as JsonObject };
    case "netkit-changelink": {
      const { ifindex, ...rest } = step.request as unknown as { ifindex: number } & JsonObject;
      return { ...base(step.caller), request: { "ifi-index": dev(step.caller, ifindex), ...rest } };
    }
    case "netkit-dellink":
      return {
        ...base(step.caller),
        request: { "ifi-index": dev(step.caller, step.request.ifindex) },
      };
    case "phys-unregister": {
      const d = state.devices[step.request.device];
      const caller = { netns: d.netns };
      return { ...base(caller), request: { ifindex: dev(caller, d.ifindex) } };
    }
    case "netns-move": {
      const target = step.request["net-ns"];
      return {
        ...base(step.caller),
        request: {
          ifindex: dev(step.caller, step.request.ifindex),
          netns: typeof target === "number" ? nsName(target) : target,
        },
      };
    }
    case "link-set":
      return {
        ...base(step.caller),
        request: { ifindex: dev(step.caller, step.request.ifindex), up: step.request.up },
      };
    case "mp-bind": {
      const r = step.request as unknown as Record<string, JsonValue>;
      const ifindex = dev(step.caller, r.ifindex);
      if (r.provider === "devmem") {
        const { provider: _p, ...rest } = r;
        return { ...base(step.caller), request: { ...rest, ifindex } };
      }
      if (r.provider === "io-uring") {
        return { ...base(step.caller), request: { ifindex, "queue-id": r.queue } };
      }
      return {
        ...base(step.caller),
        request: {
          ifindex,
          "queue-id": r["queue-id"],
          ...(r.mode === undefined ? {} : { mode: r.mode }),
        },
      };
    }
    case "mp-unbind": {
      const sym = naming.binding(step.request.binding);
      return {
        ...base({ netns: 0 }),
        request: { binding: sym === undefined ? step.request.binding : `$${sym}` },
      };
    }
    case "ethtool-channels": {
      const { header, ...rest } = step.request as unknown as {
        header: { "dev-index": number };
      } & JsonObject;
      return {
        ...base(step.caller),
        request: { header: { "dev-index": dev(step.caller, header["dev-index"]) }, ...rest },
      };
    }
    case "netns-delete":
      return { ...base({ netns: 0 }), request: { netns: nsName(step.request.netns) } };
    default:
      throw new UnsupportedStepError(
        `Cannot write model operation ${step.op} as a scenario step: scenarios have no such ` +
          `operation`,
      );
  }
}
