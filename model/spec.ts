/**
 * The leasing model as a {@linkcode Spec} for the engine: initial state from the config, one
 * action per enabled operation whose parameter domain enumerates bounded requests (valid ones
 * and a few invalid ones so error paths are explored), the invariants of invariants.ts, and the
 * transition properties INV-L7 (monotonic), INV-N3, INV-V4 and INV-M3.
 *
 * With config `concurrency` 1 every operation is atomic: one transition per request. With
 * `concurrency` >= 2 the state has that many process slots: the operations of
 * {@linkcode PROGRAMS} (queue-create, netkit DELLINK, physical unregister, netns move, mp bind and
 * unbind) start as processes and advance one segment per `step` transition, blocking on locks
 * other processes hold; the others run atomically when the locks they take are free. Bound: a
 * request whose atomic run from the current state changes nothing (an error reply) is explored
 * as that self-loop and does not start a process — its interleavings can only move the moment
 * it looks at the state, which every reachable state already covers. The `locks` hook reports
 * each slot's locks by lockdep class (`rtnl`, `netdev:virtual`, `netdev:physical`).
 *
 * The active mutant may add environment actions (hooks.ts `EnvironmentAction`, after the
 * operations' actions): each runs atomically, with processes in flight only when the locks it
 * names are free.
 *
 * @module
 */

import type { Action, ActionProperty, ProcessLocks, Spec } from "../checker/spec.ts";
import { type ModelConfig, type OperationName, validateConfig } from "./config.ts";
import { factsOf } from "./facts_of.ts";
import { initialState } from "./init.ts";
import { invariants } from "./invariants.ts";
import type { EnvironmentAction } from "./hooks.ts";
import { type ModelOptions, mutantById } from "./mutants.ts";
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
import { holderOf, lockClass, startProc } from "./process.ts";
import { PROGRAMS, stepSlot } from "./programs.ts";
import {
  deviceByIfindex,
  devicesOfNetns,
  isNetkit,
  isPhysical,
  type LockId,
  type ModelState,
  type NetnsIndex,
  peerId,
  type Proc,
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

function deviceSteps(
  s: ModelState,
  op: "netkit-dellink" | "link-set",
  config?: ModelConfig,
): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d, i) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    if (op === "netkit-dellink") {
      if (isNetkit(d)) out.push({ op, caller, request: { ifindex: d.ifindex } });
    } else {
      // linkFlaps "physical": a netkit is only brought back up.
      if (config?.linkFlaps === "physical" && !isPhysical(d) && d.up) return;
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

function moveSteps(s: ModelState, config: ModelConfig): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    if (config.moves === "netkits" && !isNetkit(d)) return;
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

function bindSteps(s: ModelState, config: ModelConfig): ModelStep[] {
  if (s.bindings.filter((b) => b !== null).length >= config.maxBindings) return [];
  const out: ModelStep[] = [];
  const bounded = config.bindQueues === "leased-or-physical";
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    for (let q = 0; q < d.realRx; q++) {
      if (bounded && !isPhysical(d) && d.rxq[q].lease === null) continue;
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
      return moveSteps(s, config);
    case "link-set":
      return deviceSteps(s, "link-set", config);
    case "mp-bind":
      return bindSteps(s, config);
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

/** The operation a transition belongs to: the request's, or the stepping process's. */
function opOf(before: ModelState, param: unknown): string | undefined {
  if (typeof param === "number") return before.procs?.[param]?.op;
  return (param as ModelStep | undefined)?.op;
}

function newLeases(before: ModelState, after: ModelState): { phys: number; virt: number }[] {
  const out: { phys: number; virt: number }[] = [];
  after.devices.forEach((d, i) => {
    if (!isPhysical(d) || d === before.devices[i]) return;
    d.rxq.forEach((q, n) => {
      if (q.lease !== null && before.devices[i]?.rxq[n]?.lease === null) {
        out.push({ phys: i, virt: q.lease.dev });
      }
    });
  });
  return out;
}

function properties(options: ModelOptions, concurrent: boolean): ActionProperty<ModelState>[] {
  return [
    {
      name: "NS-4",
      description: "no lease is created on a device that is moving between namespaces",
      holds: (before, after) =>
        newLeases(before, after).every(({ phys, virt }) =>
          before.devices[phys].movingNs !== true && before.devices[virt].movingNs !== true
        ),
    },
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
        const op = opOf(before, step.param);
        if (op !== "link-set" && op !== "netns-move") return true;
        return leaseSet(before) === leaseSet(after);
      },
    },
    {
      name: "INV-M3",
      description: "a failing queue-create leaves the state unchanged (atomic mode)",
      holds: (before, after, step) => {
        if (concurrent) return true;
        const p = step.param as ModelStep;
        if (p.op !== "queue-create") return true;
        const r = queueCreate(before, p.caller, p.request, options);
        return r.reply.ok || after === before;
      },
    },
  ];
}

/**
 * The atomic operations that may run while processes are in flight (when their locks are free):
 * the ones that race with leasing on the physical queue or read it. Link flaps, netkit
 * NEWLINK/CHANGELINK and netns deletion run only between processes (a bound of the stepped
 * exploration; they take RTNL, which most processes hold or wait for).
 */
export const INTERLEAVED: readonly string[] = ["ethtool-channels", "queue-get-dump"];

/**
 * The locks an atomic operation takes in a stepped exploration (it runs only when they are all
 * free), or "idle" when it needs every process to be finished (netns deletion).
 */
function atomicLocks(s: ModelState, step: ModelStep): LockId[] | "idle" {
  const byIfindex = (netns: NetnsIndex, ifindex: number): LockId[] => {
    const d = deviceByIfindex(s, netns, ifindex);
    return d === undefined ? [] : [d];
  };
  switch (step.op) {
    case "netkit-newlink":
    case "netkit-changelink":
      return ["rtnl"];
    case "link-set":
      return ["rtnl", ...byIfindex(step.caller.netns, step.request.ifindex)];
    case "ethtool-channels":
      return byIfindex(step.caller.netns, step.request.header["dev-index"]);
    case "queue-get-dump": {
      // Each dumped device's lock, and the lessor's for a leased netkit queue (QG-M1).
      const locks: LockId[] = [];
      for (const d of devicesOfNetns(s, step.caller.netns)) {
        locks.push(d);
        for (const q of s.devices[d].rxq) if (q.lease !== null) locks.push(q.lease.dev);
      }
      return locks;
    }
    default:
      return "idle";
  }
}

const NO_LOCKS: ProcessLocks = Object.freeze({ held: Object.freeze([]) });
const lockViews = new WeakMap<Proc, ProcessLocks>();

/** The lockdep view of the process slots (one entry per slot, fixed order). */
function locksOf(s: ModelState): readonly ProcessLocks[] {
  return (s.procs ?? []).map((p) => {
    if (p === null) return NO_LOCKS;
    const waiting = p.want !== null && holderOf(s, p.want) >= 0 ? lockClass(s, p.want) : undefined;
    const cached = lockViews.get(p);
    if (cached !== undefined && cached.waiting === waiting) return cached;
    const held = cached?.held ?? p.held.map((l) => lockClass(s, l));
    const view: ProcessLocks = waiting === undefined ? { held } : { held, waiting };
    lockViews.set(p, view);
    return view;
  });
}

const procKeys = new WeakMap<Proc, string>();

function procKey(p: Proc): string {
  let k = procKeys.get(p);
  if (k === undefined) {
    k = JSON.stringify([p.op, p.pc, p.step, p.want, p.held, p.holds, p.ctx]);
    procKeys.set(p, k);
  }
  return k;
}

/**
 * Slot symmetry: processes are interchangeable, so the representative of a state has its
 * processes sorted (free slots last). Lock views are taken on actual states, so the lock-order
 * graph is unaffected.
 */
export function canonicalizeSlots(s: ModelState): ModelState {
  const procs = s.procs;
  if (procs === undefined || procs.length < 2) return s;
  let sorted = true;
  for (let i = 1; i < procs.length && sorted; i++) {
    const a = procs[i - 1];
    const b = procs[i];
    if (b === null) continue;
    if (a === null || procKey(a) > procKey(b)) sorted = false;
  }
  if (sorted) return s;
  const live = procs.filter((p): p is Proc => p !== null).sort((a, b) =>
    procKey(a) < procKey(b) ? -1 : procKey(a) > procKey(b) ? 1 : 0
  );
  return { ...s, procs: [...live, ...procs.map(() => null)].slice(0, procs.length) };
}

/** The first free process slot, or -1. */
function freeSlot(s: ModelState): number {
  const procs = s.procs;
  if (procs === undefined) return -1;
  for (let i = 0; i < procs.length; i++) if (procs[i] === null) return i;
  return -1;
}

/**
 * The successor of `s` when `step` is requested in a stepped exploration, or undefined when it
 * cannot run now (all slots busy, or a lock it needs first is held).
 */
export function requestStep(
  s: ModelState,
  step: ModelStep,
  options: ModelOptions,
  interleave: readonly string[] = INTERLEAVED,
): ModelState | undefined {
  const atomic = applyStep(s, step, options);
  if (atomic.state === s) return s; // changes nothing: a self-loop, no process
  const program = PROGRAMS[step.op];
  if (program === undefined) {
    const idle = (s.procs ?? []).every((p) => p === null);
    if (!idle && !interleave.includes(step.op)) return undefined;
    const locks = atomicLocks(s, step);
    if (locks === "idle") {
      return (s.procs ?? []).every((p) => p === null) ? atomic.state : undefined;
    }
    return locks.every((l) => holderOf(s, l) < 0) ? atomic.state : undefined;
  }
  const slot = freeSlot(s);
  if (slot < 0) return undefined;
  return startProc(s, slot, step, program, options);
}

/** A request of an environment action, shaped like a {@linkcode ModelStep} for traces. */
interface EnvironmentStep {
  readonly op: string;
  readonly request: unknown;
}

/**
 * The engine action of an environment action: atomic; with processes in flight, enabled only
 * when the locks it takes are free (a request that changes nothing is a self-loop).
 */
function environmentActionOf(
  env: EnvironmentAction,
  concurrent: boolean,
): Action<ModelState, unknown> {
  const action: Action<ModelState, EnvironmentStep> = {
    name: env.name,
    params: (s) => env.requests(s).map((request) => ({ op: env.name, request })),
    next: (s, step) => {
      const after = env.apply(s, step.request).state;
      if (!concurrent || after === s) return after;
      return env.locks(s, step.request).every((l) => holderOf(s, l) < 0) ? after : undefined;
    },
    formatParam: (step) => JSON.stringify(step.request),
  };
  return action as Action<ModelState, unknown>;
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
  const concurrent = c.concurrency >= 2;
  const actions: Action<ModelState, unknown>[] = c.operations.map((op) => {
    const action: Action<ModelState, ModelStep> = {
      name: op,
      params: (s) => stepsOf(s, op, c),
      next: concurrent
        ? (s, step) => requestStep(s, step, options)
        : (s, step) => applyStep(s, step, options).state,
      formatParam: formatRequest,
    };
    return action as Action<ModelState, unknown>;
  });
  const environment = c.mutant === null ? [] : mutantById(c.mutant)?.actions ?? [];
  for (const env of environment) actions.push(environmentActionOf(env, concurrent));
  if (concurrent) {
    const slots = Array.from({ length: c.concurrency }, (_, i) => i);
    const step: Action<ModelState, number> = {
      name: "step",
      params: (s) => slots.filter((i) => (s.procs?.[i] ?? null) !== null),
      next: (s, slot) => stepSlot(s, slot, options),
      formatParam: (slot) => `proc${slot}`,
    };
    actions.push(step as Action<ModelState, unknown>);
  }
  const name = c.mutant === null ? "netkit-queue-leasing" : `netkit-queue-leasing[${c.mutant}]`;
  return {
    name,
    init: [initialState(c)],
    actions,
    invariants: invariants(options),
    properties: properties(options, concurrent),
    isEnd: concurrent ? (s) => (s.procs ?? []).every((p) => p === null) : () => true,
    // Coverage: the spec facts the request exercises, read off the reply it gets when run on its
    // own in the state it is issued in (for a stepped operation: the reply it would get alone).
    labels: (before, _after, label) => {
      const step = label.param as ModelStep | undefined;
      if (
        label.action === "step" || step === undefined || typeof step !== "object" ||
        !("op" in step) || environment.some((env) => env.name === label.action)
      ) {
        return [];
      }
      return factsOf(step, applyStep(before, step, options).reply, before);
    },
    ...(concurrent
      ? {
        canonicalize: canonicalizeSlots,
        locks: locksOf,
        processNames: Array.from({ length: c.concurrency }, (_, i) => `proc${i}`),
      }
      : {}),
  };
}
