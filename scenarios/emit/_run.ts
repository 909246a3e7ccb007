/**
 * The inverse of `../model_run.ts`: a model step (`ModelStep`) written as a scenario step with
 * `$symbols`. Re-exports `ModelRun`, the one mapping from scenario steps to the model, which the
 * model adapter shares.
 *
 * @module
 */

import type { Caller } from "../../model/ops/types.ts";
import type { ModelStep } from "../../model/spec.ts";
import { deviceByIfindex, type ModelState } from "../../model/state.ts";
import type { JsonObject, JsonValue, OpName } from "../format.ts";

export {
  ModelRun,
  type ModelSymbol,
  outcomeOf,
  type RunResult,
  type StepInput,
  UnsupportedStepError,
} from "../model_run.ts";
import { UnsupportedStepError } from "../model_run.ts";

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
        `Cannot write model operation ${(step as { op: string }).op} as a scenario step: ` +
          `scenarios have no such operation`,
      );
  }
}
