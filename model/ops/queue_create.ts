/**
 * `queue-create` (NETDEV_CMD_QUEUE_CREATE): lease a physical rx queue into a virtual device.
 * Kernel: net/core/netdev-genl.c `netdev_nl_queue_create_doit`, drivers/net/netkit.c
 * `netkit_queue_create`, net/core/netdev_rx_queue.c `netdev_rx_queue_lease`
 * (operations.md §1, QC-00a..QC-25, NK-QC-1..3, QC-S1..S6).
 *
 * A program with two segments (no RTNL): the first takes the VIRTUAL instance lock
 * (`netdev_get_by_index_lock`, QC-10) and runs QC-10..QC-18 with the physical device only
 * referenced; the second takes the PHYSICAL instance lock (`netdev_put_lock`, QC-19) nested
 * inside the virtual one (LOCK-2) and runs QC-19..QC-25 and the lease. Stepped, QC-19 sees a
 * concurrent physical unregister or netns move; atomic, the two segments run back to back.
 *
 * The helpers the handler calls and the pieces of it that a mutation may change are hook points
 * (model/hooks.ts), reached through `hook()`: the handler reads as the kernel's, one check per
 * line.
 *
 * @module
 */

import { failure, type OpFailure, type OpReply, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import { intValue, QUEUE_CREATE_POLICY, QUEUE_TYPE, validateStrict } from "../netlink.ts";
import {
  done,
  drop,
  type Exec,
  hold,
  newProc,
  type Program,
  release,
  runAtomic,
  type Seg,
  waitFor,
} from "../process.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  type Device,
  deviceByIfindex,
  type DeviceIndex,
  type ModelState,
  type NetkitDevice,
  netnsById,
  type NetnsIndex,
  type Proc,
  recordOops,
  rxqIsLeased,
  updateDevice,
} from "../state.ts";
import {
  netdevCanCreateQueue,
  netdevCanLeaseQueue,
  netdevQueueBusy,
  netdevRxQueueLease,
} from "./_queues.ts";
import type { Caller, OpResult } from "./types.ts";

/** The lease queue nest (`queue-id` set). */
export interface QueueIdAttr {
  /** Queue index. */
  readonly id?: number;
  /** Queue type (`"rx"`, `"tx"` or a number). */
  readonly type?: string | number;
  /** Any other attribute (validated strictly, QC-00c). */
  readonly [attr: string]: unknown;
}

/** The `lease` nest of a queue-create request. */
export interface LeaseAttr {
  /** ifindex of the physical device, in the caller's netns or the one `netns-id` names. */
  readonly ifindex?: number;
  /** The physical queue. */
  readonly queue?: QueueIdAttr;
  /** The physical device's netns, as the CALLER's netns names it (QC-14). */
  readonly "netns-id"?: number;
  /** Any other attribute (validated strictly, QC-00c). */
  readonly [attr: string]: unknown;
}

/** A queue-create request in ynl JSON shape (ynl-specs.md §2.2). */
export interface QueueCreateRequest {
  /** The virtual device, in the caller's netns. */
  readonly ifindex?: number;
  /** Must be `"rx"`. */
  readonly type?: string | number;
  /** The lease. */
  readonly lease?: LeaseAttr;
  /** Any other attribute (validated strictly, QC-00c). */
  readonly [attr: string]: unknown;
}

/** The reply: the new virtual queue id (QC-S3). */
export interface QueueCreateReply {
  /** New queue index on the virtual device. */
  readonly id: number;
}

/** The request as the program carries it. */
interface QcStep {
  readonly caller: Caller;
  readonly request: QueueCreateRequest;
}

/** Locals between the two segments. */
interface QcCtx {
  /** The virtual device (locked). */
  readonly virt: DeviceIndex;
  /** The physical device (referenced, then locked). */
  readonly phys: DeviceIndex;
  /** The namespace the lessor was looked up in. */
  readonly targetNet: NetnsIndex;
}

/**
 * Runs `queue-create` for `caller` atomically. On any error the state is returned unchanged
 * (INV-M3).
 *
 * @example Usage
 * ```ts
 * import { queueCreate } from "./queue_create.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * const r = queueCreate(s, { netns: 1 }, {
 *   ifindex: 2, type: "rx", lease: { ifindex: 2, queue: { id: 1, type: "rx" }, "netns-id": 0 },
 * });
 * assert.ok(r.reply.ok);
 * ```
 */
export function queueCreate(
  state: ModelState,
  caller: Caller,
  request: QueueCreateRequest,
  options?: ModelOptions,
): OpResult<QueueCreateReply> {
  const r = runAtomic(state, { caller, request }, QUEUE_CREATE, options);
  return r as OpResult<QueueCreateReply>;
}

/** `queue-create` as a stepped program (`netdev_nl_queue_create_doit`). */
export const QUEUE_CREATE: Program = {
  name: "queue-create",
  start: (state, step, x) => qcStart(state, step as QcStep, x),
  resume: (state, proc, x) =>
    proc.pc === "virt-locked" ? qcVirtLocked(state, proc, x) : qcPhysLocked(state, proc, x),
};

/** `netdev_unlock(netdev)` at err_unlock: a failure under the virtual lock (QC-11..QC-18). */
function queueCreateUnlockVirt(proc: Proc, virt: DeviceIndex, _reply: OpFailure): Proc {
  return release(proc, virt);
}

/**
 * The end with both devices locked (QC-S4 and the QC-19..QC-25 failure paths): unlock the
 * physical device, then the virtual one, and reply.
 */
function queueCreateExit(
  state: ModelState,
  proc: Proc,
  reply: OpReply<unknown>,
  phys: DeviceIndex,
  virt: DeviceIndex,
): Seg {
  return done(state, release(proc, phys, virt), reply);
}

function qcStart(state: ModelState, step: QcStep, x: Exec): Seg {
  const { caller, request } = step;
  const proc0 = newProc("queue-create", step, null);
  const fail = (f: OpFailure): Seg => done(state, proc0, f);

  // QC-00a: GENL_ADMIN_PERM, checked by the genetlink core before parsing.
  if (caller.admin === false) return fail(failure("EPERM"));
  // QC-00c: strict policy validation of the whole message.
  const invalid = validateStrict(request, QUEUE_CREATE_POLICY);
  if (invalid) return fail(invalid);

  // QC-01: GENL_REQ_ATTR_CHECK for ifindex, type, lease, in that order.
  for (const name of ["ifindex", "type", "lease"] as const) {
    if (request[name] === undefined) return fail(failure("EINVAL", { missType: name }));
  }
  // QC-02: only rx queues can be created.
  if (intValue(request.type, ".type", QUEUE_TYPE) !== QUEUE_TYPE.rx) {
    return fail(failure("EINVAL", { badAttr: ".type" }));
  }
  // QC-03: nla_parse_nested of the lease against the lease policy; already validated above.
  const lease = request.lease!;
  // QC-04: NL_REQ_ATTR_CHECK inside the lease nest: ifindex, then queue.
  for (const name of ["ifindex", "queue"] as const) {
    if (lease[name] === undefined) {
      return fail(failure("EINVAL", { missNest: ".lease", missType: name }));
    }
  }
  // QC-05: netns-id needs capable(CAP_NET_ADMIN), which QC-00a already guaranteed.
  if (lease["netns-id"] !== undefined && !hook(x.options, "capable", capable)(caller)) {
    return fail(failure("EPERM"));
  }
  // QC-06: parse of the queue nest; already validated above.
  const queue = lease.queue!;
  // QC-07: queue id, then queue type, must be present.
  for (const name of ["id", "type"] as const) {
    if (queue[name] === undefined) {
      return fail(failure("EINVAL", { missNest: ".lease.queue", missType: name }));
    }
  }
  // QC-08: the lease queue must be rx.
  if (intValue(queue.type, ".lease.queue.type", QUEUE_TYPE) !== QUEUE_TYPE.rx) {
    return fail(failure("EINVAL", { badAttr: ".lease.queue.type" }));
  }
  // QC-09: reply skb allocation; the model never runs out of memory.

  // QC-10: netdev_get_by_index_lock(caller_net, ifindex): dev_get_by_index takes a reference,
  // then the instance lock is taken (next segment) and the device re-checked.
  const virt = deviceByIfindex(state, caller.netns, request.ifindex!);
  if (virt === undefined) return fail(failure("ENODEV"));
  const proc = hold({ ...proc0, ctx: { virt, phys: -1, targetNet: caller.netns } }, { dev: virt });
  return { kind: "yield", state, proc: waitFor(proc, "virt-locked", virt) };
}

/** Segment 1: the virtual device is locked (QC-10..QC-18). */
function qcVirtLocked(state: ModelState, proc0: Proc, x: Exec): Seg {
  const { caller, request } = proc0.step as QcStep;
  const options = x.options;
  const ctx = proc0.ctx as QcCtx;
  const virtIndex = ctx.virt;
  const lease = request.lease!;
  // __netdev_put_lock: re-check registered, not moving, same netns; then drop the reference.
  let proc = drop(proc0, (h) => h.dev === virtIndex);
  const v0 = state.devices[virtIndex];
  if (v0.reg !== "registered" || v0.movingNs === true || v0.netns !== caller.netns) {
    return done(state, release(proc, virtIndex), failure("ENODEV")); // QC-10
  }
  // The failure paths under the virtual lock end at err_unlock: netdev_unlock(netdev).
  const unlock = hook(options, "queueCreateUnlockVirt", queueCreateUnlockVirt);
  const fail = (p: Proc, f: OpFailure): Seg => done(state, unlock(p, virtIndex, f), f);
  const virt = v0;
  // netdev_can_create_queue: QC-11 (virtual), QC-12 (ndo_queue_create), QC-13 (real queues).
  const notCreatable = hook(options, "netdevCanCreateQueue", netdevCanCreateQueue)(virt);
  if (notCreatable !== null) return fail(proc, notCreatable);

  // QC-14: the lessor's netns: the caller's, or the one netns-id names in the CALLER's table.
  const target = hook(options, "leaseNetns", leaseNetns)(state, caller.netns, lease["netns-id"]);
  if (target === undefined) return fail(proc, failure("ENONET"));
  const targetNet = target.netns;
  if (target.ref) proc = hold(proc, { netns: targetNet });
  // put_net on the failure paths below.
  const putNet = (p: Proc) =>
    target.ref ? hook(options, "putNetOnFailure", putNetOnFailure)(p, targetNet) : p;
  // QC-15: netdev_get_by_index(target_net, lease ifindex), a tracked reference.
  const physIndex = deviceByIfindex(state, targetNet, lease.ifindex!);
  if (physIndex === undefined) return fail(putNet(proc), failure("ENODEV"));
  const phys = state.devices[physIndex];
  proc = hold(proc, { dev: physIndex, tracked: true });
  // The QC-16..18 failure path: netdev_put(phys, tracker), then put_net.
  const putPhys = (p: Proc) =>
    hook(options, "netdevPutOnFailure", netdevPutOnFailure)(p, physIndex);
  // netdev_can_lease_queue: QC-16 (physical; a self-lease fails here), QC-17 (present), QC-18
  // (queue_mgmt_ops).
  const notLeasable = hook(options, "netdevCanLeaseQueue", netdevCanLeaseQueue)(phys);
  if (notLeasable !== null) return fail(putNet(putPhys(proc)), notLeasable);
  // QC-19: netdev_put_lock(phys, target_net, tracker) takes the PHYSICAL lock, nested inside
  // the virtual one (LOCK-2).
  proc = { ...proc, ctx: { virt: virtIndex, phys: physIndex, targetNet } };
  return {
    kind: "yield",
    state,
    proc: hook(options, "netdevPutLock", netdevPutLock)(proc, physIndex),
  };
}

/** Segment 2: both devices are locked (QC-19..QC-25, the lease, QC-S1..S4). */
function qcPhysLocked(state: ModelState, proc0: Proc, x: Exec): Seg {
  const { request } = proc0.step as QcStep;
  const options = x.options;
  const { virt: virtIndex, phys: physIndex, targetNet } = proc0.ctx as QcCtx;
  const lease = request.lease!;
  const queue = lease.queue!;
  let s = state;
  let proc = proc0;
  // netdev_put(phys, tracker): the transient reference goes, with its tracker. A reference whose
  // tracker was already freed goes through the untracked helper: ref_tracker's no-tracker count
  // underflows (a WARN, INV-R2).
  const putPhys = () => {
    const h = proc.holds.find((x) => x.dev === physIndex);
    if (h !== undefined && h.tracked !== true) {
      s = recordOops(s, "INV-R2: ref_tracker: tracked reference released untracked (A-01)");
    }
    proc = drop(proc, (x) => x.dev === physIndex);
  };
  const hadNetRef = proc.holds.some((h) => h.netns === targetNet);
  // QC-S4 and the failure paths: unlock physical, then virtual, then put_net (in the same step:
  // the acquisitions are recorded for lockdep, LOCK-2).
  const finish = (reply: OpReply<unknown>): Seg => {
    let p = proc;
    if (hadNetRef) {
      p = reply.ok
        ? drop(p, (h) => h.netns === targetNet)
        : hook(options, "putNetOnFailure", putNetOnFailure)(p, targetNet);
    }
    return hook(options, "queueCreateExit", queueCreateExit)(s, p, reply, physIndex, virtIndex);
  };
  const fail = (f: OpFailure): Seg => finish(f);

  // QC-19: re-validate under the lock, then drop the reference.
  const p0 = state.devices[physIndex];
  const valid = hook(options, "netdevPutLockRecheck", netdevPutLockRecheck)(p0, targetNet);
  putPhys();
  if (!valid) return fail(failure("ENODEV"));
  const phys = p0;
  const virt = state.devices[virtIndex];
  if (virt.kind !== "netkit") return fail(failure("EINVAL"));

  // QC-20: the physical queue must be live.
  const qid = queue.id!;
  if (!hook(options, "leaseQueueInRange", leaseQueueInRange)(phys, qid)) {
    return fail(failure("ERANGE", { badAttr: ".lease.queue.id" }));
  }
  // netdev_queue_busy(phys, id, RX): QC-21 (AF_XDP), QC-22 (leased), QC-23 (memory provider).
  const busy = hook(options, "netdevQueueBusy", netdevQueueBusy)(phys, qid);
  if (busy !== null) return fail(busy);
  // QC-24: the virtual device's last live rxq must not be leased from another device.
  const otherLessor = hook(options, "leaseSameLessor", leaseSameLessor)(virt, physIndex);
  if (otherLessor !== null) return fail(otherLessor);
  // QC-25: ndo_queue_create = netkit_queue_create (NK-QC-1..3).
  const old = virt.realRx;
  const created = hook(options, "netkitQueueCreate", netkitQueueCreate)(virt);
  if (!created.ok) return fail(created);
  // INV-K4: netif_set_real_num_rx_queues runs under the device's instance lock.
  if (!proc.held.includes(virtIndex)) {
    s = recordOops(s, "INV-K4: netif_set_real_num_rx_queues without the instance lock");
  }
  s = updateDevice(s, virtIndex, () => created.reply.dev);

  // QC-S1: link the queue netkit_queue_create added (index `old`) and the physical queue, and
  // take the tracked reference on the physical device.
  s = hook(options, "netdevRxQueueLease", netdevRxQueueLease)(
    s,
    { dev: virtIndex, queue: old },
    { dev: physIndex, queue: qid },
    proc.held,
  );
  // QC-S3: reply with exactly the new queue id.
  return finish(success({ id: created.reply.id }));
}

/** What `capable(CAP_NET_ADMIN)` answers for `caller` (QC-05): the QC-00a capability. */
function capable(caller: Caller): boolean {
  return caller.admin !== false;
}

/**
 * The lessor's namespace (QC-14): the caller's, or with `netns-id` the namespace the CALLER's
 * table names (`get_net_ns_by_id`, which takes a reference: `ref`); undefined when no live one
 * has that id (-ENONET).
 */
function leaseNetns(
  state: ModelState,
  caller: NetnsIndex,
  nsid: number | undefined,
): { readonly netns: NetnsIndex; readonly ref: boolean } | undefined {
  if (nsid === undefined) return { netns: caller, ref: false };
  const net = netnsById(state, caller, nsid);
  return net === undefined ? undefined : { netns: net, ref: true };
}

/** `put_net` of the `get_net_ns_by_id` reference on a failure path (QC-14, QC-S4). */
function putNetOnFailure(proc: Proc, net: NetnsIndex): Proc {
  return drop(proc, (h) => h.netns === net);
}

/** `netdev_put(phys, tracker)` on the QC-16..18 failure path (REF-2). */
function netdevPutOnFailure(proc: Proc, phys: DeviceIndex): Proc {
  return drop(proc, (h) => h.dev === phys && h.tracked === true);
}

/**
 * `netdev_put_lock(phys, net, tracker)` up to its `netdev_lock` (QC-19): the process waits for
 * the physical lock; the tracker stays with the reference until after the re-check.
 */
function netdevPutLock(proc: Proc, phys: DeviceIndex): Proc {
  return waitFor(proc, "phys-locked", phys);
}

/**
 * `netdev_put_lock`'s re-validation once it holds the lock (QC-19, NS-4): the device is still
 * registered, not moving between namespaces, and in `net`.
 */
function netdevPutLockRecheck(dev: Device, net: NetnsIndex): boolean {
  return dev.reg === "registered" && dev.movingNs !== true && dev.netns === net;
}

/** QC-20: the lease queue id names a live physical queue (`id < real_num_rx_queues`). */
function leaseQueueInRange(phys: Device, id: number): boolean {
  return id < phys.realRx;
}

/**
 * QC-24: the virtual device's LAST live rxq must not be leased from a device other than `phys`
 * (so every lease of a netkit comes from one physical device).
 */
function leaseSameLessor(virt: Device, phys: DeviceIndex): OpFailure | null {
  const last = virt.realRx - 1;
  if (rxqIsLeased(virt, last) && virt.rxq[last].lease!.dev !== phys) {
    return failure("EOPNOTSUPP", { extack: "Leasing queues from different devices not supported" });
  }
  return null;
}

/**
 * `netkit_queue_create(dev)` (drivers/net/netkit.c, NK-QC-1..3): the device with one more real
 * rx queue and the new queue's id.
 */
function netkitQueueCreate(
  dev: NetkitDevice,
): OpReply<{ readonly dev: NetkitDevice; readonly id: number }> {
  // NK-QC-1: a pair primary cannot lease.
  if (dev.pairing === "pair" && dev.primary) {
    return failure("EOPNOTSUPP", { extack: "netkit can only lease against the peer device" });
  }
  // NK-QC-2: netif_set_real_num_rx_queues(dev, old + 1) fails beyond num_rx_queues.
  const old = dev.realRx;
  if (old + 1 > dev.numRx) {
    return failure("EINVAL", { extack: "netkit maximum queue limit reached" });
  }
  // NK-QC-3: the new queue id is the old count.
  return success({ dev: { ...dev, realRx: old + 1 }, id: old });
}
