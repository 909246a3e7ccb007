/**
 * The in-process model adapter: builds the topology with `initialState` and netkit NEWLINK
 * steps, and runs each scenario step through the model's operations (`applyStep`, plus the
 * queue-get do and GETLINK functions). Mutants are selected by id.
 *
 * @module
 */

import { type ModelConfig, ModelConfigError, validateConfig } from "../model/config.ts";
import type { OpReply } from "../model/errors.ts";
import { initialState } from "../model/init.ts";
import type { ModelOptions, MutantId } from "../model/mutants.ts";
import type { NetkitChangelinkRequest } from "../model/ops/netkit_changelink.ts";
import { netkitGetlink } from "../model/ops/netkit_getlink.ts";
import type { NetkitNewlinkRequest } from "../model/ops/netkit_newlink.ts";
import { queueGet } from "../model/ops/queue_get.ts";
import type { Caller } from "../model/ops/types.ts";
import { applyStep, type ModelStep } from "../model/spec.ts";
import { deviceByIfindex, isNetkit, type ModelState } from "../model/state.ts";
import type { JsonObject, JsonValue, OpName, Topology } from "./format.ts";
import type { Outcome } from "./match.ts";
import {
  AdapterUnsupportedError,
  type ApplyResult,
  type ReplayAdapter,
  type ResolvedStep,
  type SymbolTable,
  type SymbolValue,
} from "./replay.ts";

type ModelSymbol = { kind: "device"; dev: number } | { kind: "binding"; slot: number } | {
  kind: "lo";
};

/** Options of {@linkcode ModelAdapter}. */
export interface ModelAdapterOptions {
  /** Run a mutant (bugs.md section C id) instead of the correct model. */
  readonly mutant?: MutantId | null;
}

/** Thrown by `setup` when the model rejects a topology step (a broken scenario). */
export class ModelSetupError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS102";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ModelSetupError";
  }
}

function toOutcome(reply: OpReply<unknown>, map?: (r: unknown) => JsonValue): Outcome {
  if (reply.ok) return { kind: "reply", reply: map ? map(reply.reply) : reply.reply as JsonValue };
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

const ack = (): JsonValue => null;

/**
 * Replays scenarios against the model in-process.
 *
 * @example Usage
 * ```ts
 * import { ModelAdapter } from "./model_adapter.ts";
 * const a = new ModelAdapter();
 * const symbols = await a.setup({
 *   namespaces: [{ name: "init", nsids: {}, pos: { line: 1, column: 1 } }],
 *   physical: [{
 *     name: "eth0", netns: "init", kind: "netdevsim", queues: 2, up: true,
 *     pos: { line: 1, column: 1 },
 *   }],
 *   links: [],
 * });
 * console.assert(symbols.get("eth0")?.kind === "device");
 * ```
 */
export class ModelAdapter implements ReplayAdapter {
  /** `model`, or `model[C-xx]` for a mutant. */
  readonly name: string;
  readonly #options: ModelOptions;
  #state: ModelState | null = null;
  #namespaces: string[] = [];
  #symbols = new Map<string, ModelSymbol>();

  /** Creates the adapter. */
  constructor(options: ModelAdapterOptions = {}) {
    const mutant = options.mutant ?? null;
    this.#options = { mutant };
    this.name = mutant === null ? "model" : `model[${mutant}]`;
  }

  /** The model state after the last step. */
  private get state(): ModelState {
    if (this.#state === null) throw new TypeError("Cannot read the state before setup()");
    return this.#state;
  }

  #ns(name: string): number {
    const i = this.#namespaces.indexOf(name);
    if (i < 0) throw new TypeError(`Cannot resolve namespace "${name}": not in the topology`);
    return i;
  }

  #table(): SymbolTable {
    const s = this.state;
    const out = new Map<string, SymbolValue>();
    for (const [name, sym] of this.#symbols) {
      if (sym.kind === "lo") out.set(name, { kind: "device", ifindex: 1, netns: "init" });
      else if (sym.kind === "binding") out.set(name, { kind: "binding", id: sym.slot });
      else {
        const d = s.devices[sym.dev];
        out.set(name, { kind: "device", ifindex: d.ifindex, netns: this.#namespaces[d.netns] });
      }
    }
    return out;
  }

  #run(step: ModelStep): OpReply<unknown> {
    const r = applyStep(this.state, step, this.#options);
    this.#state = r.state;
    return r.reply;
  }

  /** Builds the topology: namespaces, netns ids, physical devices, then each link. */
  setup(topology: Topology): Promise<SymbolTable> {
    try {
      return Promise.resolve(this.#setup(topology));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #setup(topology: Topology): SymbolTable {
    this.#namespaces = topology.namespaces.map((n) => n.name);
    this.#symbols = new Map([["lo", { kind: "lo" }]]);
    const partial: Partial<ModelConfig> = {
      namespaces: this.#namespaces,
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
      loopback: true,
      mutant: this.#options.mutant ?? null,
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
    this.#state = initialState(config);
    for (const p of topology.physical) {
      const dev = this.state.devices.findIndex((d) => d.kind === "physical" && d.name === p.name);
      this.#symbols.set(p.name, { kind: "device", dev });
    }
    for (const link of topology.links) {
      const kind = (link.request.linkinfo as JsonObject).kind;
      if (kind !== "netkit") {
        throw new AdapterUnsupportedError(`the model has no ${String(kind)} devices`);
      }
      const caller = { netns: this.#ns(link.netns) };
      const before = this.state.devices.length;
      const reply = this.#run({
        op: "netkit-newlink",
        caller,
        request: link.request as unknown as NetkitNewlinkRequest,
      });
      if (!reply.ok) {
        throw new ModelSetupError(`Cannot create link ${link.name}: ${JSON.stringify(reply)}`);
      }
      const created = this.state.devices.length - before;
      const primary = before + created - 1;
      this.#symbols.set(link.name, { kind: "device", dev: primary });
      const peer = created === 2 ? before : undefined;
      if (link.peer !== undefined) {
        if (peer === undefined) {
          throw new ModelSetupError(`Cannot name the peer of ${link.name}: it has none`);
        }
        this.#symbols.set(link.peer.name, { kind: "device", dev: peer });
        const pd = this.state.devices[peer];
        const target = this.#ns(link.peer.netns);
        if (pd.netns !== target) {
          this.#must(
            this.#run({
              op: "netns-move",
              caller: { netns: pd.netns },
              request: { ifindex: pd.ifindex, "net-ns": target },
            }),
            `move ${link.peer.name} to ${link.peer.netns}`,
          );
        }
      }
      for (const [dev, up] of [[primary, link.up], [peer, link.peer?.up ?? false]] as const) {
        if (dev === undefined || !up) continue;
        const d = this.state.devices[dev];
        this.#must(
          this.#run({
            op: "link-set",
            caller: { netns: d.netns },
            request: { ifindex: d.ifindex, up: true },
          }),
          `bring ${d.name} up`,
        );
      }
    }
    return this.#table();
  }

  #must(reply: OpReply<unknown>, what: string): void {
    if (!reply.ok) throw new ModelSetupError(`Cannot ${what}: ${JSON.stringify(reply)}`);
  }

  /** Runs one step. */
  apply(step: ResolvedStep): Promise<ApplyResult> {
    const outcome = this.#apply(step);
    return Promise.resolve({ outcome, symbols: this.#table() });
  }

  #unsupported(reason: string): Outcome {
    return { kind: "unsupported", reason };
  }

  #apply(step: ResolvedStep): Outcome {
    const caller: Caller = step.capNetAdmin
      ? { netns: this.#ns(step.netns) }
      : { netns: this.#ns(step.netns), admin: false };
    const req = step.request as Record<string, JsonValue>;
    const op: OpName = step.op;
    switch (op) {
      case "queue-create":
        return toOutcome(this.#run({ op, caller, request: req }));
      case "queue-get": {
        if (step.dump) {
          return toOutcome(this.#run({ op: "queue-get-dump", caller, request: req }));
        }
        const r = queueGet(this.state, caller, req, this.#options);
        this.#state = r.state;
        return toOutcome(r.reply);
      }
      case "bind-rx": {
        const reply = this.#run({
          op: "mp-bind",
          caller,
          request: { provider: "devmem", ...req } as ModelStep["request"] & { provider: "devmem" },
        });
        return this.#bound(step, reply, (r) => ({ id: (r as { id: number }).id }));
      }
      case "zcrx-register": {
        const reply = this.#run({
          op: "mp-bind",
          caller,
          request: {
            provider: "io-uring",
            ifindex: req.ifindex as number,
            queue: req["queue-id"] as number,
          },
        });
        return this.#bound(step, reply, ack);
      }
      case "xsk-bind": {
        const reply = this.#run({
          op: "mp-bind",
          caller,
          request: {
            provider: "xsk",
            ifindex: req.ifindex as number,
            "queue-id": req["queue-id"] as number,
            ...(req.mode === undefined ? {} : { mode: req.mode as "copy" | "zerocopy" }),
          },
        });
        return this.#bound(
          step,
          reply,
          (r) => ({ "zero-copy": (r as { "zero-copy": boolean })["zero-copy"] }),
        );
      }
      case "close":
        return toOutcome(
          this.#run({ op: "mp-unbind", request: { binding: req.binding as number } }),
          ack,
        );
      case "newlink":
        return this.#newlink(step, caller, req);
      case "getlink": {
        const dev = this.#linkTarget(caller, req);
        if (dev === undefined) return { kind: "error", errno: "ENODEV", code: -19 };
        if (!isNetkit(this.state.devices[dev])) {
          return this.#unsupported("the model answers GETLINK for netkit devices only");
        }
        const r = netkitGetlink(
          this.state,
          caller,
          { ifindex: this.state.devices[dev].ifindex },
          this.#options,
        );
        this.#state = r.state;
        return toOutcome(r.reply, (info) => {
          const { ifindex, ...rest } = info as { ifindex: number } & Record<string, JsonValue>;
          return { "ifi-index": ifindex, ...rest };
        });
      }
      case "dellink": {
        const dev = this.#linkTarget(caller, req);
        if (dev === undefined) return { kind: "error", errno: "ENODEV", code: -19 };
        const ifindex = this.state.devices[dev].ifindex;
        return toOutcome(this.#run({ op: "netkit-dellink", caller, request: { ifindex } }), ack);
      }
      case "channels-set": {
        const extra = Object.keys(req).filter((k) => k !== "header" && k !== "combined-count");
        const header = (req.header ?? {}) as Record<string, JsonValue>;
        if (extra.length > 0 || header["dev-index"] === undefined) {
          return this.#unsupported("the model sets combined channels by dev-index only");
        }
        return toOutcome(
          this.#run({
            op: "ethtool-channels",
            caller,
            request: {
              header: { "dev-index": header["dev-index"] as number },
              ...(req["combined-count"] === undefined
                ? {}
                : { "combined-count": req["combined-count"] as number }),
            },
          }),
          ack,
        );
      }
      case "link-set":
        return toOutcome(
          this.#run({
            op,
            caller,
            request: { ifindex: req.ifindex as number, up: req.up as boolean },
          }),
          ack,
        );
      case "netns-move":
        return toOutcome(
          this.#run({
            op,
            caller,
            request: { ifindex: req.ifindex as number, "net-ns": this.#ns(req.netns as string) },
          }),
          ack,
        );
      case "phys-remove": {
        const dev = deviceByIfindex(this.state, caller.netns, req.ifindex as number);
        if (dev === undefined) return { kind: "error", errno: "ENODEV", code: -19 };
        return toOutcome(this.#run({ op: "phys-unregister", request: { device: dev } }), ack);
      }
      case "netns-delete":
        return toOutcome(
          this.#run({ op, request: { netns: this.#ns(req.netns as string) } }),
          ack,
        );
    }
  }

  #linkTarget(caller: Caller, req: Record<string, JsonValue>): number | undefined {
    if (typeof req["ifi-index"] === "number") {
      return deviceByIfindex(this.state, caller.netns, req["ifi-index"]);
    }
    const i = this.state.devices.findIndex((d) =>
      d.netns === caller.netns && d.reg === "registered" && d.name === req.ifname
    );
    return i < 0 ? undefined : i;
  }

  #bound(
    step: ResolvedStep,
    reply: OpReply<unknown>,
    map: (r: unknown) => JsonValue,
  ): Outcome {
    if (reply.ok && step.defines.binding !== undefined) {
      this.#symbols.set(step.defines.binding, {
        kind: "binding",
        slot: (reply.reply as { binding: number }).binding,
      });
    }
    return toOutcome(reply, map);
  }

  #newlink(step: ResolvedStep, caller: Caller, req: Record<string, JsonValue>): Outcome {
    const linkinfo = req.linkinfo as JsonObject | undefined;
    if (req["ifi-index"] !== undefined) {
      const extra = Object.keys(req).filter((k) => k !== "ifi-index" && k !== "linkinfo");
      if (extra.length > 0 || linkinfo === undefined) {
        return this.#unsupported("the model changes netkit link-info data only");
      }
      const request = { ifindex: req["ifi-index"], linkinfo } as unknown as NetkitChangelinkRequest;
      return toOutcome(this.#run({ op: "netkit-changelink", caller, request }), ack);
    }
    if (linkinfo?.kind !== "netkit") {
      return this.#unsupported(
        `the model creates netkit devices only, not ${String(linkinfo?.kind)}`,
      );
    }
    if (req.mtu !== undefined) return this.#unsupported("the model has no MTU");
    const before = this.state.devices.length;
    const reply = this.#run({
      op: "netkit-newlink",
      caller,
      request: req as unknown as NetkitNewlinkRequest,
    });
    if (reply.ok) {
      const created = this.state.devices.length - before;
      if (step.defines.device !== undefined) {
        this.#symbols.set(step.defines.device, { kind: "device", dev: before + created - 1 });
      }
      if (step.defines.peer !== undefined && created === 2) {
        this.#symbols.set(step.defines.peer, { kind: "device", dev: before });
      }
    }
    return toOutcome(reply, ack);
  }

  /** Forgets the state. */
  teardown(): Promise<void> {
    this.#state = null;
    this.#symbols.clear();
    return Promise.resolve();
  }
}
