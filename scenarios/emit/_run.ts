/**
 * The inverse of `../model_run.ts`: a model step (`ModelStep`) written as a scenario step with
 * `$symbols`. Re-exports `ModelRun`, the one mapping from scenario steps to the model, which the
 * model adapter shares.
 *
 * @module
 */

import type { ModelStep } from "../../model/step.ts";
import { deviceByIfindex, type ModelState } from "../../model/state.ts";
import type { JsonObject, JsonValue, OpName } from "../format.ts";
import { UnsupportedStepError } from "../model_run.ts";
import { OPERATIONS } from "../ops.ts";

export {
  ModelRun,
  type ModelSymbol,
  outcomeOf,
  type RunResult,
  type StepInput,
  UnsupportedStepError,
} from "../model_run.ts";

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
  if (!Object.hasOwn(OPERATIONS, step.op)) {
    throw new UnsupportedStepError(
      `Cannot write model operation ${step.op} as a scenario step: scenarios have no such operation`,
    );
  }
  const caller = step.caller;
  const base = {
    netns: state.netns[caller.netns].name,
    capNetAdmin: caller.admin !== false,
    op: step.op,
    dump: step.op === "queue-get" && step.dump === true,
  };
  const dev = (ifindex: unknown) => naming.ifindex(state, caller.netns, ifindex);
  const r = step.request as unknown as Record<string, JsonValue>;
  switch (step.op) {
    case "queue-create":
    case "queue-get":
      return { ...base, request: symbolizeQueue(naming, state, caller.netns, r) };
    case "newlink":
    case "getlink":
    case "dellink":
      return {
        ...base,
        request: r["ifi-index"] === undefined ? r : { ...r, "ifi-index": dev(r["ifi-index"]) },
      };
    case "channels-set": {
      const header = r.header as Record<string, JsonValue>;
      return {
        ...base,
        request: { ...r, header: { ...header, "dev-index": dev(header["dev-index"]) } },
      };
    }
    case "close": {
      const sym = naming.binding(step.request.binding);
      return {
        ...base,
        request: { binding: sym === undefined ? step.request.binding : `$${sym}` },
      };
    }
    case "netns-delete":
      return { ...base, request: r };
    default:
      // link-set, netns-move, phys-remove, bind-rx, zcrx-register, xsk-bind: one ifindex.
      return { ...base, request: { ...r, ifindex: dev(r.ifindex) } };
  }
}
