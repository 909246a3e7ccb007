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
 * @module
 */

import { failure, type OpFailure, type OpReply, success } from "../errors.ts";
import { isMutant, type ModelOptions } from "../mutants.ts";
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
import {
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  type ModelState,
  netnsById,
  type NetnsIndex,
  type Proc,
  recordOops,
  rxqIsLeased,
  updateDevice,
} from "../state.ts";
import { leaseRxq } from "./_queues.ts";
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
 * (INV-M3), except for the reference leaks of mutants C-30 and C-31.
 *
 * @example Usage
 * ```ts
 * import { queueCreate } from "./queue_create.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * const s = initialState(DEFAULT_CONFIG);
 * const r = queueCreate(s, { netns: 1 }, {
 *   ifindex: 2, type: "rx", lease: { ifindex: 2, queue: { id: 1, type: "rx" }, "netns-id": 0 },
 * });
 * console.assert(r.reply.ok);
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
  resume: (state, proc, x) => {
    if (proc.pc === "virt-locked") return qcVirtLocked(state, proc, x);
    if (proc.pc === "phys-locked") return qcPhysLocked(state, proc, x);
    // QC-S4: unlock physical, then virtual; reply.
    const { reply, holds } = proc.ctx as { reply: OpReply<unknown>; holds: Proc["holds"] };
    return done(state, { ...proc, held: [], holds }, reply);
  },
};

function qcStart(state: ModelState, step: QcStep, _x: Exec): Seg {
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
  // QC-05: netns-id needs capable(CAP_NET_ADMIN); QC-00a already guarantees it (C-29 equivalent).
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
  const unlockVirt = (p: Proc) => release(p, virtIndex);
  const v0 = state.devices[virtIndex];
  if (v0.reg !== "registered" || v0.movingNs === true || v0.netns !== caller.netns) {
    return done(state, unlockVirt(proc), failure("ENODEV")); // QC-10
  }
  const fail = (p: Proc, f: OpFailure): Seg => done(state, unlockVirt(p), f);
  const virt = v0;
  // QC-11: netdev_can_create_queue: the target must be virtual (mutant C-01 skips this).
  if (isPhysical(virt) && !isMutant(options, "C-01")) {
    return fail(proc, failure("EINVAL", { extack: "Device is not a virtual device" }));
  }
  // QC-12: needs queue_mgmt_ops with ndo_queue_create (only netkit has it).
  if (virt.kind !== "netkit") {
    return fail(proc, failure("EINVAL", { extack: "Device does not support queue creation" }));
  }
  // QC-13: at least one real rx and one real tx queue.
  if (virt.realRx < 1 || virt.realTx < 1) {
    return fail(proc, failure("EINVAL", { extack: "Device must have at least one real queue" }));
  }
  // C-37 (mutant): an IFF_UP requirement the kernel does not have.
  if (isMutant(options, "C-37") && !virt.up) return fail(proc, failure("ENETDOWN"));

  // QC-14: netns-id is resolved in the CALLER's table (get_net_ns_by_id, a netns reference).
  // C-17 ignores it.
  let targetNet = caller.netns;
  const nsid = lease["netns-id"];
  let netRef = false;
  if (nsid !== undefined && !isMutant(options, "C-17")) {
    const net = netnsById(state, caller.netns, nsid);
    if (net === undefined) return fail(proc, failure("ENONET"));
    targetNet = net;
    proc = hold(proc, { netns: net });
    netRef = true;
  }
  // put_net on the failure paths below (C-30 forgets it).
  const putNet = (p: Proc) =>
    netRef && !isMutant(options, "C-30") ? drop(p, (h) => h.netns === targetNet) : p;
  // QC-15: netdev_get_by_index(target_net, lease ifindex), a tracked reference.
  const physIndex = deviceByIfindex(state, targetNet, lease.ifindex!);
  if (physIndex === undefined) return fail(putNet(proc), failure("ENODEV"));
  const phys = state.devices[physIndex];
  proc = hold(proc, { dev: physIndex, tracked: true });
  // The QC-16..18 failure path: netdev_put(phys, tracker) (C-31 forgets it), put_net.
  const putPhys = (p: Proc) =>
    isMutant(options, "C-31") ? p : drop(p, (h) => h.dev === physIndex && h.tracked === true);
  // QC-16: netdev_can_lease_queue: the lessor must be physical (self-lease lands here too).
  if (!isPhysical(phys)) {
    return fail(
      putNet(putPhys(proc)),
      failure("EINVAL", { extack: "Lease device is a virtual device" }),
    );
  }
  // QC-17: the device must be present.
  if (!phys.present) {
    return fail(
      putNet(putPhys(proc)),
      failure("EINVAL", { extack: "Lease device has been removed from the system" }),
    );
  }
  // QC-18: the lessor needs queue_mgmt_ops.
  if (!phys.queueMgmt) {
    return fail(
      putNet(putPhys(proc)),
      failure("EINVAL", { extack: "Lease device does not support queue management operations" }),
    );
  }
  // C-28: the first netdev_put_lock freed the tracker before locking and re-checking.
  if (isMutant(options, "C-28")) {
    proc = {
      ...proc,
      holds: proc.holds.map((h) => (h.dev === physIndex ? { dev: physIndex, tracked: false } : h)),
    };
  }
  // QC-19: netdev_put_lock(phys, target_net, tracker) takes the PHYSICAL lock, nested inside
  // the virtual one (LOCK-2).
  proc = { ...proc, ctx: { virt: virtIndex, phys: physIndex, targetNet } };
  return { kind: "yield", state, proc: waitFor(proc, "phys-locked", physIndex) };
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
  // netdev_put(phys, tracker): the transient reference goes, with its tracker. Under C-28 it
  // goes through the untracked helper: ref_tracker's no-tracker count underflows (a WARN).
  const putPhys = () => {
    const h = proc.holds.find((x) => x.dev === physIndex);
    if (h !== undefined && h.tracked !== true) {
      s = recordOops(s, "INV-R2: ref_tracker: tracked reference released untracked (A-01)");
    }
    proc = drop(proc, (x) => x.dev === physIndex);
  };
  const hadNetRef = proc.holds.some((h) => h.netns === targetNet);
  // QC-S4 and the failure paths: unlock physical, then virtual, then put_net (C-30: not on
  // failure paths).
  // The end is a step of its own, so that lockdep sees both locks held (LOCK-2).
  const finish = (reply: OpReply<unknown>): Seg => {
    let p = release(proc, physIndex, virtIndex);
    if (hadNetRef && (reply.ok || !isMutant(options, "C-30"))) {
      p = drop(p, (h) => h.netns === targetNet);
    }
    const ctx = { reply, holds: p.holds };
    return { kind: "yield", state: s, proc: waitFor({ ...proc, ctx }, "unlock", null) };
  };
  const fail = (f: OpFailure): Seg => finish(f);

  // QC-19: re-validate under the lock (C-40 forgets moving_ns), then drop the reference.
  const p0 = state.devices[physIndex];
  const moving = p0.movingNs === true && !isMutant(options, "C-40");
  putPhys();
  if (p0.reg !== "registered" || moving || p0.netns !== targetNet) {
    return fail(failure("ENODEV"));
  }
  const phys = p0;
  const virt = state.devices[virtIndex];
  if (virt.kind !== "netkit") return fail(failure("EINVAL"));

  // QC-20: the physical queue must be live (C-06 uses > instead of >=).
  const qid = queue.id!;
  const outOfRange = isMutant(options, "C-06") ? qid > phys.realRx : qid >= phys.realRx;
  if (outOfRange) return fail(failure("ERANGE", { badAttr: ".lease.queue.id" }));
  // QC-21..23: netdev_queue_busy(phys, id, RX): AF_XDP, then lease, then memory provider.
  const prxq = phys.rxq[qid] ?? { lease: null, mp: null, pool: null };
  if (prxq.pool !== null && !isMutant(options, "C-03")) {
    return fail(failure("EBUSY", { extack: "Device queue in use by AF_XDP" })); // QC-21
  }
  if (prxq.lease !== null && !isMutant(options, "C-02")) {
    return fail(failure("EBUSY", { extack: "Device queue in use due to queue leasing" })); // QC-22
  }
  if (prxq.mp !== null && !isMutant(options, "C-03")) {
    return fail(failure("EBUSY", { extack: "Device queue in use by memory provider" })); // QC-23
  }
  // QC-24: the virtual device's LAST live rxq must not be leased to another device
  // (C-04 skips the check, C-05 inspects queue 0 instead).
  if (!isMutant(options, "C-04")) {
    const probe = isMutant(options, "C-05") ? 0 : virt.realRx - 1;
    if (rxqIsLeased(virt, probe) && virt.rxq[probe].lease!.dev !== physIndex) {
      return fail(failure("EOPNOTSUPP", {
        extack: "Leasing queues from different devices not supported",
      }));
    }
  }
  // QC-25: ndo_queue_create = netkit_queue_create.
  // NK-QC-1: a pair primary cannot lease (C-19 allows it).
  if (virt.pairing === "pair" && virt.primary && !isMutant(options, "C-19")) {
    return fail(failure("EOPNOTSUPP", {
      extack: "netkit can only lease against the peer device",
    }));
  }
  // NK-QC-2: netif_set_real_num_rx_queues(dev, old + 1) fails beyond num_rx_queues
  // (C-20 removes the limit: the device grows past its allocated queues). INV-K4: it runs
  // under the device's instance lock.
  const old = virt.realRx;
  if (old + 1 > virt.numRx && !isMutant(options, "C-20")) {
    return fail(failure("EINVAL", { extack: "netkit maximum queue limit reached" }));
  }
  if (!proc.held.includes(virtIndex)) {
    s = recordOops(s, "INV-K4: netif_set_real_num_rx_queues without the instance lock");
  }
  s = updateDevice(s, virtIndex, (d) => ({
    ...d,
    realRx: old + 1,
    rxq: old + 1 > d.rxq.length
      ? [...d.rxq, { lease: null, leaseTracker: false, mp: null, pool: null }]
      : d.rxq,
  }));
  // NK-QC-3: the new queue id is the old count (C-18 returns the new count).
  const id = isMutant(options, "C-18") ? old + 1 : old;

  // QC-S1: link both queues and take the tracked reference on the physical device.
  s = leaseRxq(
    s,
    { dev: virtIndex, queue: old },
    { dev: physIndex, queue: qid },
    options,
    proc.held,
  );
  // C-02: the overwritten first virtual rxq keeps pointing at the physical queue (dangles).
  // QC-S3: reply with exactly the new queue id.
  return finish(success({ id }));
}
