/**
 * Batch unregistration (`unregister_netdevice_many_notify`, net/core/dev.c) with the pieces the
 * feature hooks into: `netkit_del_link` (NK-DEL-1), the per-device teardown order (NK-DEL-2),
 * `dev_memory_provider_uninstall` (UNREG-2), the AF_XDP notifier (XSK-9), the netkit
 * unregister notifier with its nested batch (UNREG-1..5), `netkit_uninit` →
 * `netkit_queue_unlease` (NK-DEL-3/4) and `netdev_run_todo`'s wait for the refcount (REF-5).
 * Private to model/ops; atomic (one RTNL section).
 *
 * @module
 */

import { isMutant, type ModelOptions } from "../mutants.ts";
import {
  type Device,
  type DeviceIndex,
  EMPTY_RXQ,
  isNetkit,
  isPhysical,
  type ModelState,
  recordOops,
  updateDevice,
} from "../state.ts";
import { providerUninstall, unleaseRxq, xskUnbind } from "./_queues.ts";

/**
 * `netkit_del_link(dev, list)` (NK-DEL-1): clear the device's own peer pointer and queue it;
 * clear the peer's pointer and queue the peer unless it is already queued
 * (`unregister_netdevice_queued`, A-05 / INV-T4).
 */
export function netkitDelLink(
  state: ModelState,
  dev: DeviceIndex,
  list: DeviceIndex[],
  queued: Set<DeviceIndex>,
): ModelState {
  const d = state.devices[dev];
  if (!isNetkit(d)) return state;
  const peer = d.peer;
  let s = updateDevice(state, dev, (x) => ({ ...x, peer: null }));
  queue(dev, list, queued);
  if (peer !== null) {
    s = updateDevice(s, peer, (x) => ({ ...x, peer: null }));
    if (!queued.has(peer)) queue(peer, list, queued);
  }
  return s;
}

function queue(dev: DeviceIndex, list: DeviceIndex[], queued: Set<DeviceIndex>): void {
  list.push(dev);
  queued.add(dev);
}

/**
 * Unregisters `list` as one batch (already marked in `queued`), runs the nested batches the
 * netkit notifier starts, then `netdev_run_todo`: each queued device whose refcount is zero is
 * gone; one still referenced stays UNREGISTERING (the kernel would wait forever, UNREG-6).
 */
export function unregisterMany(
  state: ModelState,
  list: readonly DeviceIndex[],
  queued: Set<DeviceIndex>,
  options?: ModelOptions,
): ModelState {
  const s = unregisterBatch(state, list, queued, options);
  return runTodo(s, [...queued]);
}

/** Convenience: unregister `devs` (netkits via `netkit_del_link` first, as RTM_DELLINK does). */
export function deleteDevices(
  state: ModelState,
  devs: readonly DeviceIndex[],
  options?: ModelOptions,
): ModelState {
  const queued = new Set<DeviceIndex>();
  const list: DeviceIndex[] = [];
  let s = state;
  for (const d of devs) {
    if (queued.has(d)) continue;
    if (isNetkit(s.devices[d])) s = netkitDelLink(s, d, list, queued);
    else queue(d, list, queued);
  }
  return unregisterMany(s, list, queued, options);
}

function unregisterBatch(
  state: ModelState,
  list: readonly DeviceIndex[],
  queued: Set<DeviceIndex>,
  options?: ModelOptions,
): ModelState {
  let s = state;
  // NK-DEL-2: close every device (dev_close_many), then unlist it and set UNREGISTERING.
  for (const d of list) {
    s = updateDevice(s, d, (x) => ({ ...x, up: false, reg: "unregistering" }));
  }
  // NK-DEL-2 / UNREG-2: under each device's ops lock, dev_memory_provider_uninstall calls the
  // provider's uninstall with each of the device's own rx queues that carries one.
  for (const d of list) {
    const dev = s.devices[d];
    for (let q = 0; q < dev.realRx; q++) {
      const mp = s.devices[d].rxq[q].mp;
      if (mp !== null) s = providerUninstall(s, mp, { dev: d, queue: q });
    }
  }
  // NETDEV_UNREGISTER notifiers, device by device.
  for (const d of list) {
    // XSK-9: xsk_notifier unbinds every socket bound to THIS device (ENETDOWN), clearing its
    // pool (proxied through a lease) and dropping its reference.
    s.bindings.forEach((b, i) => {
      if (b && b.kind === "xsk" && b.dev === d) s = xskUnbind(s, i);
    });
    s = netkitNotifier(s, d, queued, options);
  }
  // ndo_uninit: netkit_uninit → netkit_queue_unlease (NK-DEL-3).
  for (const d of list) {
    if (isNetkit(s.devices[d])) s = netkitQueueUnlease(s, d, options);
  }
  return s;
}

/**
 * `netkit_notifier` on NETDEV_UNREGISTER (UNREG-1, UNREG-3): for a physical device that is
 * UNREGISTERING, queue every netkit holding a lease on one of its live rx queues (skipping ones
 * already queued), release the physical lock, then unregister them as a nested batch.
 * Mutants: C-14 has no notifier; C-11 also acts when the device is only moving netns.
 */
export function netkitNotifier(
  state: ModelState,
  dev: DeviceIndex,
  queued: Set<DeviceIndex>,
  options?: ModelOptions,
): ModelState {
  if (isMutant(options, "C-14")) return state;
  const d = state.devices[dev];
  if (!isPhysical(d)) return state;
  if (d.reg !== "unregistering" && !isMutant(options, "C-11")) return state;
  const kill: DeviceIndex[] = [];
  let s = state;
  for (let q = 0; q < d.realRx; q++) {
    const lease = s.devices[dev].rxq[q].lease;
    if (lease === null || !isNetkit(s.devices[lease.dev])) continue;
    if (queued.has(lease.dev)) continue; // already queued: skip (INV-T4)
    s = netkitDelLink(s, lease.dev, kill, queued);
  }
  if (kill.length === 0) return s;
  // The physical lock is released here, before the nested unregister (LOCK-3).
  return unregisterBatch(s, kill, queued, options);
}

/**
 * `netkit_queue_unlease` (NK-DEL-3): with the netkit locked, for i = 1 .. real-1 take the
 * physical queue from the lease, lock its device, unlease. real_num_rx_queues is not reduced
 * (NK-DEL-5). Mutants: C-32 starts at 0 (NULL dereference: queue 0 is never leased), C-33 stops
 * one early (the last lease survives its netkit).
 */
export function netkitQueueUnlease(
  state: ModelState,
  dev: DeviceIndex,
  options?: ModelOptions,
): ModelState {
  const d = state.devices[dev];
  if (d.realRx === 1) return state;
  let s = state;
  const first = isMutant(options, "C-32") ? 0 : 1;
  const end = isMutant(options, "C-33") ? d.realRx - 1 : d.realRx;
  for (let i = first; i < end; i++) {
    const lease = s.devices[dev].rxq[i].lease;
    if (lease === null) {
      // INV-L6 says this cannot happen; the kernel dereferences the lease without a check.
      return recordOops(s, `BUG: NULL dereference in netkit_queue_unlease (${d.name} rx ${i})`);
    }
    s = unleaseRxq(s, { dev, queue: i }, lease, options);
  }
  return s;
}

/**
 * `netdev_run_todo` (REF-5): a queued device whose refcount dropped to zero is freed (gone; its
 * providers and pools are dropped with it), one still referenced stays UNREGISTERING.
 */
export function runTodo(state: ModelState, devs: readonly DeviceIndex[]): ModelState {
  let s = state;
  for (const d of [...devs].sort((a, b) => a - b)) {
    if (s.devices[d].refs !== 0) continue;
    s = updateDevice(s, d, (x): Device => {
      // Provider params and pools die with the device; lease pointers are kept so that a
      // mutant which forgets to clear one stays visible to INV-L1 / INV-T1.
      const rxq = x.rxq.map((
        q,
      ) => (q.lease === null && !q.leaseTracker ? EMPTY_RXQ : { ...q, mp: null, pool: null }));
      return isNetkit(x)
        ? { ...x, reg: "gone", up: false, rxq, peer: null }
        : { ...x, reg: "gone", up: false, rxq };
    });
  }
  return s;
}
