/**
 * `queue-create` (NETDEV_CMD_QUEUE_CREATE): lease a physical rx queue into a virtual device.
 * Kernel: net/core/netdev-genl.c `netdev_nl_queue_create_doit`, drivers/net/netkit.c
 * `netkit_queue_create`, net/core/netdev_rx_queue.c `netdev_rx_queue_lease`
 * (operations.md §1, QC-00a..QC-25, NK-QC-1..3, QC-S1..S6).
 *
 * Atomic: the whole handler is one step (it holds the virtual, then the physical instance lock;
 * no RTNL), so QC-10 and QC-19 cannot observe a concurrent unregister or netns move here.
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { isMutant, type ModelOptions } from "../mutants.ts";
import { intValue, QUEUE_CREATE_POLICY, QUEUE_TYPE, validateStrict } from "../netlink.ts";
import {
  deviceByIfindex,
  isPhysical,
  type ModelState,
  netnsById,
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

/**
 * Runs `queue-create` for `caller`. On any error the state is returned unchanged (INV-M3).
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
  const fail = (f: OpFailure): OpResult<QueueCreateReply> => ({ state, reply: f });

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

  // QC-10: netdev_get_by_index_lock(caller_net, ifindex): registered, not moving.
  const virtIndex = deviceByIfindex(state, caller.netns, request.ifindex!);
  if (virtIndex === undefined) return fail(failure("ENODEV"));
  const virt = state.devices[virtIndex];
  // QC-11: netdev_can_create_queue: the target must be virtual (mutant C-01 skips this).
  if (isPhysical(virt) && !isMutant(options, "C-01")) {
    return fail(failure("EINVAL", { extack: "Device is not a virtual device" }));
  }
  // QC-12: needs queue_mgmt_ops with ndo_queue_create (only netkit has it).
  if (virt.kind !== "netkit") {
    return fail(failure("EINVAL", { extack: "Device does not support queue creation" }));
  }
  // QC-13: at least one real rx and one real tx queue.
  if (virt.realRx < 1 || virt.realTx < 1) {
    return fail(failure("EINVAL", { extack: "Device must have at least one real queue" }));
  }
  // C-37 (mutant): an IFF_UP requirement the kernel does not have.
  if (isMutant(options, "C-37") && !virt.up) return fail(failure("ENETDOWN"));

  // QC-14: netns-id is resolved in the CALLER's table (get_net_ns_by_id). C-17 ignores it.
  let targetNet = caller.netns;
  const nsid = lease["netns-id"];
  if (nsid !== undefined && !isMutant(options, "C-17")) {
    const net = netnsById(state, caller.netns, nsid);
    if (net === undefined) return fail(failure("ENONET"));
    targetNet = net;
  }
  // QC-15: netdev_get_by_index(target_net, lease ifindex).
  const physIndex = deviceByIfindex(state, targetNet, lease.ifindex!);
  if (physIndex === undefined) return fail(failure("ENODEV"));
  const phys = state.devices[physIndex];
  // QC-16: netdev_can_lease_queue: the lessor must be physical (self-lease lands here too).
  if (!isPhysical(phys)) {
    return fail(failure("EINVAL", { extack: "Lease device is a virtual device" }));
  }
  // QC-17: the device must be present.
  if (!phys.present) {
    return fail(failure("EINVAL", { extack: "Lease device has been removed from the system" }));
  }
  // QC-18: the lessor needs queue_mgmt_ops.
  if (!phys.queueMgmt) {
    return fail(failure("EINVAL", {
      extack: "Lease device does not support queue management operations",
    }));
  }
  // QC-19: netdev_put_lock re-validates registered / not moving / same netns under the
  // physical lock. Atomic: nothing can have changed since QC-15.

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
  // (C-20 removes the limit: the device grows past its allocated queues).
  const old = virt.realRx;
  if (old + 1 > virt.numRx && !isMutant(options, "C-20")) {
    return fail(failure("EINVAL", { extack: "netkit maximum queue limit reached" }));
  }
  let s = updateDevice(state, virtIndex, (d) => ({
    ...d,
    realRx: old + 1,
    rxq: old + 1 > d.rxq.length
      ? [...d.rxq, { lease: null, leaseTracker: false, mp: null, pool: null }]
      : d.rxq,
  }));
  // NK-QC-3: the new queue id is the old count (C-18 returns the new count).
  const id = isMutant(options, "C-18") ? old + 1 : old;

  // QC-S1: link both queues and take the tracked reference on the physical device.
  s = leaseRxq(s, { dev: virtIndex, queue: old }, { dev: physIndex, queue: qid }, options);
  // C-02: the overwritten first virtual rxq keeps pointing at the physical queue (dangles).
  // QC-S3: reply with exactly the new queue id.
  return { state: s, reply: success({ id }) };
}
