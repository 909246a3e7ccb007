/**
 * Kernel helpers on rx queues that several operations share: the queue-create checks of
 * net/core/netdev_queues.c (`netdev_can_create_queue`, `netdev_can_lease_queue`,
 * `netdev_queue_busy`), lease/unlease (net/core/netdev_rx_queue.c), the DMA-device proxy
 * (net/core/netdev_queues.c), memory-provider open/close/uninstall (net/core/netdev_rx_queue.c,
 * io_uring/zcrx.c, net/core/devmem.c) and the AF_XDP pool register/clear (net/xdp/xsk.c).
 * Private to model/ops. Several of them are hook points (model/hooks.ts): their callers reach
 * them through `hook()`.
 *
 * @module
 */

import { failure, type OpFailure } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  addRefs,
  type BindingIndex,
  type Device,
  type DeviceIndex,
  isPhysical,
  type LockId,
  type ModelState,
  type QueueRef,
  recordOops,
  rxqIsLeased,
  updateBinding,
  updateRxq,
} from "../state.ts";

/**
 * `netdev_can_create_queue(dev)` (QC-11..13): why `dev` cannot be a queue-create target, or
 * null. Hook point `netdevCanCreateQueue`.
 */
export function netdevCanCreateQueue(dev: Device): OpFailure | null {
  // QC-11: the target must be virtual (no dev.parent).
  if (isPhysical(dev)) return failure("EINVAL", { extack: "Device is not a virtual device" });
  // QC-12: needs queue_mgmt_ops with ndo_queue_create (only netkit has it).
  if (dev.kind !== "netkit") {
    return failure("EINVAL", { extack: "Device does not support queue creation" });
  }
  // QC-13: at least one real rx and one real tx queue.
  if (dev.realRx < 1 || dev.realTx < 1) {
    return failure("EINVAL", { extack: "Device must have at least one real queue" });
  }
  return null;
}

/**
 * `netdev_can_lease_queue(dev)` (QC-16..18): why `dev` cannot lend a queue, or null. A
 * self-lease lands here too (QC-16). Hook point `netdevCanLeaseQueue`.
 */
export function netdevCanLeaseQueue(dev: Device): OpFailure | null {
  // QC-16: the lessor must be physical.
  if (!isPhysical(dev)) return failure("EINVAL", { extack: "Lease device is a virtual device" });
  // QC-17: the device must be present.
  if (!dev.present) {
    return failure("EINVAL", { extack: "Lease device has been removed from the system" });
  }
  // QC-18: the lessor needs queue_mgmt_ops.
  if (!dev.queueMgmt) {
    return failure("EINVAL", {
      extack: "Lease device does not support queue management operations",
    });
  }
  return null;
}

/**
 * `netdev_queue_busy(dev, idx, RX)` (QC-21..23, ETH-3): why rx queue `idx` of `dev` is in use
 * (-EBUSY with the extack), or null: an AF_XDP pool, then a lease, then a memory provider. An
 * index past the allocated queues is not busy. Hook point `netdevQueueBusy` at queue-create's
 * call; ethtool's resize calls it from its own hook point, `ethnlRxQueuesBusy`.
 */
export function netdevQueueBusy(dev: Device, idx: number): OpFailure | null {
  const q = dev.rxq[idx];
  if (q === undefined) return null;
  // QC-21
  if (q.pool !== null) return failure("EBUSY", { extack: "Device queue in use by AF_XDP" });
  if (q.lease !== null) {
    return failure("EBUSY", { extack: "Device queue in use due to queue leasing" }); // QC-22
  }
  if (q.mp !== null) {
    return failure("EBUSY", { extack: "Device queue in use by memory provider" }); // QC-23
  }
  return null;
}

/**
 * INV-K1: `netdev_assert_locked` on both devices of a lease. `held` is the running process's
 * lock list; undefined means "not tracked" (a caller outside any program). Records the lockdep
 * WARN as an oops tagged INV-K1.
 */
function assertBothLocked(
  state: ModelState,
  virt: QueueRef,
  phys: QueueRef,
  held: readonly LockId[] | undefined,
  what: string,
): ModelState {
  if (held === undefined || (held.includes(virt.dev) && held.includes(phys.dev))) return state;
  return recordOops(state, `INV-K1: ${what} without both instance locks held`);
}

/**
 * `netdev_rx_queue_lease(virt_rxq, phys_rxq)` (QC-S1): takes the tracked reference on the
 * physical device (its rxq's `lease_tracker`, REF-1) and sets both pointers. Hook point
 * `netdevRxQueueLease`.
 */
export function netdevRxQueueLease(
  state: ModelState,
  virt: QueueRef,
  phys: QueueRef,
  held?: readonly LockId[],
): ModelState {
  let s = assertBothLocked(state, virt, phys, held, "netdev_rx_queue_lease");
  s = addRefs(s, phys.dev, 1);
  s = updateRxq(s, phys.dev, phys.queue, (q) => ({ ...q, leaseTracker: true, lease: virt }));
  return updateRxq(s, virt.dev, virt.queue, (q) => ({ ...q, lease: phys }));
}

/**
 * `netdev_rx_queue_unlease(virt_rxq, phys_rxq)` after its provider cleanup
 * ({@linkcode netifRxqCleanupUnlease}, which the unregister machine runs first): clear the
 * physical then the virtual pointer and drop the tracked reference (NK-DEL-4). Hook point
 * `netdevRxQueueUnlease`.
 */
export function netdevRxQueueUnlease(
  state: ModelState,
  virt: QueueRef,
  phys: QueueRef,
  held?: readonly LockId[],
): ModelState {
  let s = assertBothLocked(state, virt, phys, held, "netdev_rx_queue_unlease");
  s = updateRxq(s, phys.dev, phys.queue, (q) => ({ ...q, lease: null }));
  s = updateRxq(s, virt.dev, virt.queue, (q) => ({ ...q, lease: null }));
  // REF-1: the reference lives in the lease tracker of the rxq that holds it (the physical one).
  const holder = s.devices[phys.dev].rxq[phys.queue].leaseTracker ? phys : virt;
  s = updateRxq(s, holder.dev, holder.queue, (q) => ({ ...q, leaseTracker: false }));
  return addRefs(s, holder.dev, -1);
}

/**
 * `netif_rxq_cleanup_unlease(phys_rxq, virt_rxq)` for the provider `binding` installed on the
 * physical queue (the caller skips a queue without one, MP-U1), as two steps with a visible state
 * between them (INV-T3): `half` 1 closes the physical queue's provider (clear the params,
 * restart the queue; MP-U3, 7.1.5+), `half` 2 calls the provider's `uninstall` with the VIRTUAL
 * rxq (MP-U4). Hook point `netifRxqCleanupUnlease`.
 */
export function netifRxqCleanupUnlease(
  state: ModelState,
  phys: QueueRef,
  virt: QueueRef,
  binding: BindingIndex,
  half: 1 | 2,
): ModelState {
  return half === 1 ? closeLocal(state, phys, binding) : providerUninstall(state, binding, virt);
}

/**
 * A memory provider's `uninstall(mp_priv, rxq)` (MP-U4, UNREG-2, DM-7). io_uring
 * (`io_pp_uninstall`): drop the ifq's device reference and clear the given rxq's params.
 * devmem: remove the given rxq from the binding's set (params untouched); empty set → no device.
 */
export function providerUninstall(
  state: ModelState,
  index: BindingIndex,
  rxq: QueueRef,
): ModelState {
  const b = state.bindings[index];
  if (!b) return state;
  if (b.kind === "io-uring") {
    let s = state;
    if (b.dev !== null) {
      s = addRefs(s, b.dev, -1);
      s = updateBinding(s, index, (x) => ({ ...x, dev: null }));
    }
    if (s.devices[rxq.dev].rxq[rxq.queue].mp === index) {
      s = updateRxq(s, rxq.dev, rxq.queue, (q) => ({ ...q, mp: null }));
    }
    return s;
  }
  if (b.kind === "devmem") {
    if (b.dev !== rxq.dev || !b.queues.includes(rxq.queue)) return state; // DM-7: no match
    const queues = b.queues.filter((q) => q !== rxq.queue);
    return updateBinding(state, index, (x) => ({
      ...x,
      queues,
      dev: queues.length === 0 ? null : x.dev,
    }));
  }
  return state;
}

/**
 * `__netif_mp_close_rxq(dev, idx, old_params)` (MP-C3): silent return on an unregistering device
 * whose rxq has no provider; WARN and return if the params are not the caller's; else clear them
 * (and restart the queue, which the model does not track).
 */
function closeLocal(state: ModelState, at: QueueRef, binding: BindingIndex): ModelState {
  const dev = state.devices[at.dev];
  const rxq = dev.rxq[at.queue];
  if (dev.reg !== "registered" && rxq.mp === null) return state; // already uninstalled
  if (rxq.mp !== binding) {
    return recordOops(
      state,
      `WARN: __netif_mp_close_rxq params mismatch on ${dev.name} rx ${at.queue}`,
    );
  }
  return updateRxq(state, at.dev, at.queue, (q) => ({ ...q, mp: null }));
}

/**
 * `netdev_queue_get_dma_dev(dev, idx, RX)` (DMA-1..4): the DMA device (named by the physical
 * device index that owns it) or null. Hook point `netdevQueueGetDmaDev`.
 */
export function netdevQueueGetDmaDev(
  state: ModelState,
  dev: DeviceIndex,
  queue: number,
): DeviceIndex | null {
  // DMA-1 / INV-K4: the caller holds dev's instance lock (the programs take it before calling).
  const d = state.devices[dev];
  const own = isPhysical(d) && d.dma ? dev : null; // DMA-2: parent with dma_mask, else NULL
  if (!rxqIsLeased(d, queue)) return own; // DMA-2
  if (isPhysical(d)) return null; // DMA-3
  const lease = d.rxq[queue].lease!; // DMA-4: the physical device's DMA device
  const p = state.devices[lease.dev];
  return isPhysical(p) && p.dma ? lease.dev : null;
}

/** True for an ops-locked device (`netdev_need_ops_lock`): netkit and queue-mgmt NICs. */
export function needsOpsLock(state: ModelState, dev: DeviceIndex): boolean {
  const d = state.devices[dev];
  return d.kind === "netkit" || (isPhysical(d) && d.queueMgmt);
}

/**
 * The lease branch of `netif_mp_open_rxq(dev, idx, params)` (MP-03..06): the rx queue the
 * provider lands on. An unleased queue is its own (MP-03); the physical side of a lease is busy
 * (MP-04); a virtual queue leased to another virtual device is refused (MP-05); a leased virtual
 * queue proxies to its physical partner (MP-06: lock the physical device, open on its index).
 * Hook point `netifMpOpenRxqLease`.
 */
export function netifMpOpenRxqLease(
  state: ModelState,
  dev: DeviceIndex,
  queue: number,
): QueueRef | OpFailure {
  const d = state.devices[dev];
  if (!rxqIsLeased(d, queue)) return { dev, queue }; // MP-03
  if (isPhysical(d)) {
    return failure("EBUSY", { extack: "rx queue leased to a virtual netdev" }); // MP-04
  }
  const lease = d.rxq[queue].lease!;
  if (!isPhysical(state.devices[lease.dev])) {
    return failure("EOPNOTSUPP", { extack: "rx queue belongs to a virtual netdev" }); // MP-05
  }
  return lease; // MP-06
}

/**
 * `netif_mp_open_rxq(dev, idx, params)` (MP-01..06, MP-10..17): installs `binding` as the
 * provider of the rx queue, proxied to the physical queue for a leased virtual queue. Returns the
 * new state and the queue the params landed on, or a failure (with the extack text; io_uring
 * callers drop it, IOU-4).
 */
export function mpOpenRxq(
  state: ModelState,
  dev: DeviceIndex,
  queue: number,
  binding: BindingIndex,
  options?: ModelOptions,
): { state: ModelState; at: QueueRef } | OpFailure {
  const d = state.devices[dev];
  if (!needsOpsLock(state, dev)) return failure("EOPNOTSUPP"); // MP-01
  if (queue >= d.realRx) return failure("ERANGE", { extack: "rx queue index out of range" }); // MP-02
  const at = hook(options, "netifMpOpenRxqLease", netifMpOpenRxqLease)(state, dev, queue);
  if ("ok" in at) return at;
  const t = state.devices[at.dev];
  if (!isPhysical(t) || !t.queueMgmt) {
    // MP-10 (no queue_mgmt_ops). A netkit has qops but no hds config, MP-11 would reject it;
    // both are unreachable for netkit because the DMA lookup fails first (IOU-3, DM-4).
    if (!isPhysical(t) && t.kind === "netkit") {
      return failure("EINVAL", { extack: "tcp-data-split is disabled" });
    }
    return failure("EOPNOTSUPP");
  }
  if (!t.tcpDataSplit) return failure("EINVAL", { extack: "tcp-data-split is disabled" }); // MP-11
  // MP-12 (hds-thresh) is folded into tcpDataSplit; MP-13 (XDP program) and MP-14
  // (rx_page_size) are not modelled: no operation attaches XDP or asks for a page size.
  const rxq = t.rxq[at.queue];
  if (rxq.mp !== null) {
    return failure("EEXIST", { extack: "designated queue already memory provider bound" }); // MP-15
  }
  if (rxq.pool !== null) {
    return failure("EBUSY", { extack: "designated queue already in use by AF_XDP" }); // MP-16
  }
  // MP-17: store params and restart the queue (the model's restart never fails).
  return { state: updateRxq(state, at.dev, at.queue, (q) => ({ ...q, mp: binding })), at };
}

/**
 * `netif_mp_close_rxq(dev, idx, old_params)` (MP-C1..C3): proxied to the physical queue for a
 * leased virtual queue; a no-op (WARN) for the physical side of a lease or an index out of range.
 */
export function mpCloseRxq(
  state: ModelState,
  dev: DeviceIndex,
  queue: number,
  binding: BindingIndex,
): ModelState {
  const d = state.devices[dev];
  if (queue >= d.realRx) return state; // MP-C1
  if (!rxqIsLeased(d, queue)) return closeLocal(state, { dev, queue }, binding);
  if (isPhysical(d)) return recordOops(state, `WARN: mp close on leased physical ${d.name}`); // MP-C2
  return closeLocal(state, d.rxq[queue].lease!, binding);
}

/**
 * `xsk_reg_pool_at_qid(dev, pool, qid)` (XSK-3): registers the pool at `qid`, proxied to the
 * physical index for a leased virtual queue; the physical side of a lease is busy. Hook point
 * `xskRegPoolAtQid`.
 */
export function xskRegPoolAtQid(
  state: ModelState,
  dev: DeviceIndex,
  qid: number,
  binding: BindingIndex,
): { state: ModelState; at: QueueRef } | OpFailure {
  const d = state.devices[dev];
  if (qid >= Math.max(d.realRx, d.realTx)) return failure("EINVAL");
  let at: QueueRef = { dev, queue: qid };
  if (rxqIsLeased(d, qid)) {
    if (isPhysical(d)) return failure("EBUSY");
    at = d.rxq[qid].lease!; // proxied: register at the physical index
  }
  if (state.devices[at.dev].rxq[at.queue].pool !== null) return failure("EBUSY");
  return { state: updateRxq(state, at.dev, at.queue, (q) => ({ ...q, pool: binding })), at };
}

/** `xsk_clear_pool_at_qid(dev, qid)` (XSK-8): proxied for a leased virtual queue. */
export function xskClearPool(
  state: ModelState,
  dev: DeviceIndex,
  qid: number,
  binding: BindingIndex,
): ModelState {
  const d = state.devices[dev];
  let at: QueueRef = { dev, queue: qid };
  if (rxqIsLeased(d, qid)) {
    if (isPhysical(d)) return state; // WARN
    at = d.rxq[qid].lease!;
  }
  if (at.queue >= state.devices[at.dev].numRx) return state;
  if (state.devices[at.dev].rxq[at.queue].pool !== binding) return state;
  return updateRxq(state, at.dev, at.queue, (q) => ({ ...q, pool: null }));
}

/**
 * `xp_clear_dev` for AF_XDP binding `index` (XSK-8, XSK-9): clear the pool (proxied), drop the
 * reference on the bound device, and detach the socket from it.
 */
export function xskUnbind(state: ModelState, index: BindingIndex): ModelState {
  const b = state.bindings[index];
  if (!b || b.kind !== "xsk" || b.dev === null) return state;
  let s = xskClearPool(state, b.dev, b.queues[0], index);
  s = addRefs(s, b.dev, -1);
  return updateBinding(s, index, (x) => ({ ...x, dev: null, zeroCopy: false }));
}

/** The lessor of the first leased queue among `queues` of virtual device `dev`, or null. */
export function proxiedLessor(
  state: ModelState,
  dev: DeviceIndex | null,
  queues: readonly number[],
): DeviceIndex | null {
  if (dev === null) return null;
  const d = state.devices[dev];
  if (d === undefined || isPhysical(d)) return null;
  for (const q of queues) if (rxqIsLeased(d, q)) return d.rxq[q].lease!.dev;
  return null;
}
