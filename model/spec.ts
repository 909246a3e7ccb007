/**
 * The leasing model as a {@linkcode Spec} for the engine: initial state from the config, one
 * action per enabled operation whose parameter domain enumerates bounded requests (valid ones
 * and a few invalid ones so error paths are explored), the invariants of invariants.ts, and the
 * transition properties INV-L7 (monotonic), INV-N3, INV-V4 and INV-M3.
 *
 * Every operation is atomic in this increment (config `concurrency` 1): no process is ever in
 * flight between steps, so the `locks` hook reports none.
 *
 * @module
 */

import type { Action, ActionProperty, Spec } from "../checker/spec.ts";
import { type ModelConfig, type OperationName, validateConfig } from "./config.ts";
import { initialState } from "./init.ts";
import { invariants } from "./invariants.ts";
import type { ModelOptions } from "./mutants.ts";
import { channelsSet, type ChannelsSetRequest } from "./ops/ethtool_channels.ts";
import { linkSet, type LinkSetRequest } from "./ops/link_set.ts";
import { mpBind, type MpBindRequest } from "./ops/mp_bind.ts";
import { mpUnbind, type MpUnbindRequest } from "./ops/mp_unbind.ts";
import { netkitChangelink, type NetkitChangelinkRequest } from "./ops/netkit_changelink.ts";
import { type DellinkRequest, netkitDellink } from "./ops/netkit_dellink.ts";
import { netkitNewlink, type NetkitNewlinkRequest } from "./ops/netkit_newlink.ts";
import { netnsDelete, type NetnsDeleteRequest } from "./ops/netns_delete.ts";
import { netnsMove, type NetnsMoveRequest } from "./ops/netns_move.ts";
import { physUnregister, type PhysUnregisterRequest } from "./ops/phys_unregister.ts";
import { queueCreate, type QueueCreateRequest } from "./ops/queue_create.ts";
import { queueGetDump } from "./ops/queue_get.ts";
import type { Caller, OpResult } from "./ops/types.ts";
import {
  devicesOfNetns,
  isNetkit,
  isPhysical,
  type ModelState,
  type NetnsIndex,
  peerId,
} from "./state.ts";

/** One step of the model: the operation, the caller, and the request. */
export type ModelStep =
  | { readonly op: "queue-create"; readonly caller: Caller; readonly request: QueueCreateRequest }
  | {
    readonly op: "queue-get-dump";
    readonly caller: Caller;
    readonly request: { ifindex?: number };
  }
  | {
    readonly op: "netkit-newlink";
    readonly caller: Caller;
    readonly request: NetkitNewlinkRequest;
  }
  | {
    readonly op: "netkit-changelink";
    readonly caller: Caller;
    readonly request: NetkitChangelinkRequest;
  }
  | { readonly op: "netkit-dellink"; readonly caller: Caller; readonly request: DellinkRequest }
  | { readonly op: "phys-unregister"; readonly request: PhysUnregisterRequest }
  | { readonly op: "netns-move"; readonly caller: Caller; readonly request: NetnsMoveRequest }
  | { readonly op: "link-set"; readonly caller: Caller; readonly request: LinkSetRequest }
  | { readonly op: "mp-bind"; readonly caller: Caller; readonly request: MpBindRequest }
  | { readonly op: "mp-unbind"; readonly request: MpUnbindRequest }
  | {
    readonly op: "ethtool-channels";
    readonly caller: Caller;
    readonly request: ChannelsSetRequest;
  }
  | { readonly op: "netns-delete"; readonly request: NetnsDeleteRequest };

/**
 * Applies one step atomically and returns the new state and the reply; the single entry point
 * for replaying scenarios against the model.
 *
 * @example Usage
 * ```ts
 * import { applyStep } from "./spec.ts";
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * const r = applyStep(initialState(DEFAULT_CONFIG), {
 *   op: "link-set", caller: { netns: 0 }, request: { ifindex: 2, up: false },
 * });
 * console.assert(r.reply.ok);
 * ```
 */
export function applyStep(
  state: ModelState,
  step: ModelStep,
  options?: ModelOptions,
): OpResult<unknown> {
  switch (step.op) {
    case "queue-create":
      return queueCreate(state, step.caller, step.request, options);
    case "queue-get-dump":
      return queueGetDump(state, step.caller, step.request, options);
    case "netkit-newlink":
      return netkitNewlink(state, step.caller, step.request, options);
    case "netkit-changelink":
      return netkitChangelink(state, step.caller, step.request, options);
    case "netkit-dellink":
      return netkitDellink(state, step.caller, step.request, options);
    case "phys-unregister":
      return physUnregister(state, step.request, options);
    case "netns-move":
      return netnsMove(state, step.caller, step.request, options);
    case "link-set":
      return linkSet(state, step.caller, step.request);
    case "mp-bind":
      return mpBind(state, step.caller, step.request, options);
    case "mp-unbind":
      return mpUnbind(state, step.request);
    case "ethtool-channels":
      return channelsSet(state, step.caller, step.request, options);
    case "netns-delete":
      return netnsDelete(state, step.request, options);
  }
}

const aliveNetns = (s: ModelState): NetnsIndex[] => s.netns.flatMap((n, i) => (n.alive ? [i] : []));

const registered = (s: ModelState, ns: NetnsIndex) =>
  devicesOfNetns(s, ns).filter((i) => s.devices[i].reg === "registered");

/** An ifindex no device uses in the model (for -ENODEV paths). */
const NO_SUCH_IFINDEX = 99;
/** A netns id no table assigns in the model (for -ENONET paths). */
const NO_SUCH_NSID = 7;

/** The queue-create requests enumerated in a state (QC checks reached by valid and bad input). */
function queueCreateSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const ns of aliveNetns(s)) {
    const caller = { netns: ns };
    // Lessor candidates as seen from `ns`: (ifindex, netns-id or none, device).
    const lessors: { ifindex: number; nsid?: number; dev: number }[] = [];
    s.devices.forEach((d, i) => {
      if (!isPhysical(d) || d.reg !== "registered") return;
      if (d.netns === ns) lessors.push({ ifindex: d.ifindex, dev: i });
      else {
        const nsid = peerId(s, ns, d.netns);
        if (nsid >= 0) lessors.push({ ifindex: d.ifindex, nsid, dev: i });
      }
    });
    for (const v of registered(s, ns)) {
      const vd = s.devices[v];
      if (!isNetkit(vd)) {
        if (lessors.length > 0 && vd.kind === "physical") { // QC-11 (phys_lessee)
          const l = lessors[0];
          out.push(create(caller, vd.ifindex, l.ifindex, 0, l.nsid));
        }
        continue;
      }
      for (const l of lessors) {
        const p = s.devices[l.dev];
        for (let q = 0; q <= p.realRx; q++) {
          out.push(create(caller, vd.ifindex, l.ifindex, q, l.nsid));
        }
      }
      out.push(create(caller, vd.ifindex, vd.ifindex, 0)); // QC-16 self-lease
      out.push(create(caller, vd.ifindex, NO_SUCH_IFINDEX, 0)); // QC-15
      out.push(create(caller, vd.ifindex, 1, 0, NO_SUCH_NSID)); // QC-14
    }
  }
  return out;
}

function create(
  caller: Caller,
  ifindex: number,
  lease: number,
  q: number,
  nsid?: number,
): ModelStep {
  const leaseAttr = nsid === undefined
    ? { ifindex: lease, queue: { id: q, type: "rx" } }
    : { ifindex: lease, queue: { id: q, type: "rx" }, "netns-id": nsid };
  return { op: "queue-create", caller, request: { ifindex, type: "rx", lease: leaseAttr } };
}

function newlinkSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const ns of aliveNetns(s)) {
    const caller = { netns: ns };
    if (s.netkitBudget > 0) {
      out.push({
        op: "netkit-newlink",
        caller,
        request: {
          "num-rx-queues": 2,
          linkinfo: { kind: "netkit", data: { mode: "l2", pairing: "single" } },
        },
      });
    }
    out.push({ // NK-NEW-10: single mode with scrub (a self-loop: always fails)
      op: "netkit-newlink",
      caller,
      request: {
        linkinfo: { kind: "netkit", data: { mode: "l2", pairing: "single", scrub: "default" } },
      },
    });
  }
  return out;
}

function deviceSteps(s: ModelState, op: "netkit-dellink" | "link-set"): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d, i) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    if (op === "netkit-dellink") {
      if (isNetkit(d)) out.push({ op, caller, request: { ifindex: d.ifindex } });
    } else {
      out.push({ op, caller, request: { ifindex: d.ifindex, up: !s.devices[i].up } });
    }
  });
  return out;
}

function changelinkSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const d of s.devices) {
    if (!isNetkit(d) || d.reg !== "registered") continue;
    const caller = { netns: d.netns };
    out.push({ // NK-CHG-2 on the primary, NK-CHG-1 on a peer
      op: "netkit-changelink",
      caller,
      request: { ifindex: d.ifindex, linkinfo: { kind: "netkit", data: { mode: "l3" } } },
    });
  }
  return out;
}

function moveSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    for (const ns of aliveNetns(s)) {
      if (ns === d.netns) continue;
      out.push({
        op: "netns-move",
        caller: { netns: d.netns },
        request: { ifindex: d.ifindex, "net-ns": ns },
      });
    }
  });
  return out;
}

function bindSteps(s: ModelState, maxBindings: number): ModelStep[] {
  if (s.bindings.filter((b) => b !== null).length >= maxBindings) return [];
  const out: ModelStep[] = [];
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    for (let q = 0; q < d.realRx; q++) {
      out.push({
        op: "mp-bind",
        caller,
        request: { provider: "io-uring", ifindex: d.ifindex, queue: q },
      });
      out.push({
        op: "mp-bind",
        caller,
        request: { provider: "devmem", ifindex: d.ifindex, fd: 0, queues: [{ id: q, type: "rx" }] },
      });
      out.push({
        op: "mp-bind",
        caller,
        request: { provider: "xsk", ifindex: d.ifindex, "queue-id": q },
      });
    }
  });
  return out;
}

function unbindSteps(s: ModelState): ModelStep[] {
  return s.bindings.flatMap((
    b,
    i,
  ) => (b === null ? [] : [{ op: "mp-unbind" as const, request: { binding: i } }]));
}

function channelSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const d of s.devices) {
    if (!isPhysical(d) || d.reg !== "registered") continue;
    const caller = { netns: d.netns };
    for (const n of [d.realRx - 1, d.realRx + 1]) {
      if (n < 1 || n > d.maxChannels) continue;
      out.push({
        op: "ethtool-channels",
        caller,
        request: { header: { "dev-index": d.ifindex }, "combined-count": n },
      });
    }
  }
  return out;
}

/** The steps of operation `op` enumerated in state `s`. */
export function stepsOf(s: ModelState, op: OperationName, config: ModelConfig): ModelStep[] {
  switch (op) {
    case "queue-create":
      return queueCreateSteps(s);
    case "queue-get":
      return aliveNetns(s).map((ns) => ({
        op: "queue-get-dump",
        caller: { netns: ns },
        request: {},
      }));
    case "netkit-newlink":
      return newlinkSteps(s);
    case "netkit-changelink":
      return changelinkSteps(s);
    case "netkit-dellink":
      return deviceSteps(s, "netkit-dellink");
    case "phys-unregister":
      return s.devices.flatMap((d, i) =>
        isPhysical(d) && d.reg === "registered"
          ? [{ op: "phys-unregister" as const, request: { device: i } }]
          : []
      );
    case "netns-move":
      return moveSteps(s);
    case "link-set":
      return deviceSteps(s, "link-set");
    case "mp-bind":
      return bindSteps(s, config.maxBindings);
    case "mp-unbind":
      return unbindSteps(s);
    case "ethtool-channels":
      return channelSteps(s);
    case "netns-delete":
      return aliveNetns(s).filter((ns) => ns !== 0).map((ns) => ({
        op: "netns-delete",
        request: { netns: ns },
      }));
  }
}

/** Compact rendering of a step for traces. */
export function formatStep(step: ModelStep): string {
  return `${step.op} ${formatRequest(step)}`;
}

/** A step's caller and request without the operation name: `@ns1 {"ifindex":2,...}`. */
export function formatRequest(step: ModelStep): string {
  const who = "caller" in step ? `@ns${step.caller.netns} ` : "";
  return `${who}${JSON.stringify(step.request)}`;
}

function leaseSet(s: ModelState): string {
  const pairs: string[] = [];
  s.devices.forEach((d, i) => {
    if (!isPhysical(d)) return;
    d.rxq.forEach((q, n) => {
      if (q.lease) pairs.push(`${i}:${n}->${q.lease.dev}:${q.lease.queue}`);
    });
  });
  return pairs.join(",");
}

function properties(options: ModelOptions): ActionProperty<ModelState>[] {
  return [
    {
      name: "INV-L7-monotonic",
      description: "a netkit's real rx count never decreases",
      holds: (before, after) =>
        before.devices.every((d, i) => !isNetkit(d) || after.devices[i].realRx >= d.realRx),
    },
    {
      name: "INV-N3",
      description: "mode, pairing, scrub, headroom and tailroom of a netkit never change",
      holds: (before, after) =>
        before.devices.every((d, i) => {
          const a = after.devices[i];
          return !isNetkit(d) || !isNetkit(a) ||
            (a.mode === d.mode && a.pairing === d.pairing && a.scrub === d.scrub &&
              a.headroom === d.headroom && a.tailroom === d.tailroom);
        }),
    },
    {
      name: "INV-V4",
      description: "netns moves and link flaps keep every lease",
      holds: (before, after, step) => {
        const op = (step.param as ModelStep).op;
        if (op !== "link-set" && op !== "netns-move") return true;
        return leaseSet(before) === leaseSet(after);
      },
    },
    {
      name: "INV-M3",
      description: "a failing queue-create leaves the state unchanged",
      holds: (before, after, step) => {
        const p = step.param as ModelStep;
        if (p.op !== "queue-create") return true;
        const r = queueCreate(before, p.caller, p.request, options);
        return r.reply.ok || after === before;
      },
    },
  ];
}

/**
 * Builds the engine spec for `config` (defaults filled in, validated).
 *
 * @example Usage
 * ```ts
 * import { leasingSpec } from "./spec.ts";
 * const spec = leasingSpec({ operations: ["queue-create"] });
 * console.assert(spec.actions.length === 1);
 * ```
 */
export function leasingSpec(config: Partial<ModelConfig> = {}): Spec<ModelState> {
  const c = validateConfig(config);
  const options: ModelOptions = { mutant: c.mutant };
  const actions: Action<ModelState, unknown>[] = c.operations.map((op) => {
    const action: Action<ModelState, ModelStep> = {
      name: op,
      params: (s) => stepsOf(s, op, c),
      next: (s, step) => applyStep(s, step, options).state,
      formatParam: formatRequest,
    };
    return action as Action<ModelState, unknown>;
  });
  return {
    name: c.mutant === null ? "netkit-queue-leasing" : `netkit-queue-leasing[${c.mutant}]`,
    init: [initialState(c)],
    actions,
    invariants: invariants(options),
    properties: properties(options),
    isEnd: () => true,
  };
}
