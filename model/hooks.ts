/**
 * Hook points: the kernel functions, and the named pieces of kernel code, that a mutant of the
 * model may replace. The correct model calls each of them through {@linkcode hook}, which returns
 * the correct function itself unless the active mutant ({@linkcode ModelOptions.mutant}) patches
 * it. A mutant ({@linkcode Mutant}, one file per mutant in `mutants/`) is a catalogue entry plus
 * a {@linkcode Patch}: for each hook point it changes, a function from the correct code to the
 * mutated one. A mutant may also add environment actions to the spec
 * ({@linkcode EnvironmentAction}): things the world does that no kernel operation models.
 *
 * Each hook point is named after the kernel code (`netdevQueueBusy` is `netdev_queue_busy`)
 * and documented here with its fact ids; its correct implementation sits beside its caller in
 * `ops/`, which this module never imports at run time.
 *
 * @module
 */

import type { OpFailure, OpReply } from "./errors.ts";
import type { MutantConfigName } from "./kill_table.ts";
import { mutantById } from "./mutants.ts";
import type { ModelOptions, MutantInfo } from "./mutants.ts";
import type { NetkitData } from "./ops/netkit_newlink.ts";
import type { NetkitInfoData } from "./ops/getlink.ts";
import type { LeaseInfo, QueueMpInfo } from "./ops/queue_get.ts";
import type { Caller } from "./ops/types.ts";
import type { Frame, UnleaseAt, UnleaseStep, UnregisterCtx } from "./ops/_unregister.ts";
import type { Seg } from "./process.ts";
import type {
  Binding,
  BindingIndex,
  Device,
  DeviceIndex,
  LockId,
  ModelState,
  NetkitDevice,
  NetnsIndex,
  Proc,
  QueueRef,
} from "./state.ts";

/**
 * Every hook point and its signature. The JSDoc names the kernel code, the spec facts and the
 * module that holds the correct implementation.
 */
export interface Hooks {
  // ---- queue-create: netdev_nl_queue_create_doit (ops/queue_create.ts) ----

  /** `capable(CAP_NET_ADMIN)` for a lease `netns-id` (QC-05; QC-00a already required it). */
  readonly capable: (caller: Caller) => boolean;
  /**
   * `netdev_can_create_queue(dev)` (QC-11..13): why `dev` cannot be the queue-create target, or
   * null (ops/_queues.ts).
   */
  readonly netdevCanCreateQueue: (dev: Device) => OpFailure | null;
  /**
   * The lessor's namespace (QC-14): the caller's, or the one `netns-id` names in the caller's
   * table (`get_net_ns_by_id`, `ref`: a reference was taken); undefined: -ENONET.
   */
  readonly leaseNetns: (
    state: ModelState,
    caller: NetnsIndex,
    nsid: number | undefined,
  ) => { readonly netns: NetnsIndex; readonly ref: boolean } | undefined;
  /** `put_net` of the `get_net_ns_by_id` reference on queue-create's failure paths (QC-S4). */
  readonly putNetOnFailure: (proc: Proc, net: NetnsIndex) => Proc;
  /** `netdev_put(phys, tracker)` on the QC-16..18 failure path (REF-2). */
  readonly netdevPutOnFailure: (proc: Proc, phys: DeviceIndex) => Proc;
  /**
   * `netdev_can_lease_queue(dev)` (QC-16..18): why `dev` cannot lend a queue, or null
   * (ops/_queues.ts).
   */
  readonly netdevCanLeaseQueue: (dev: Device) => OpFailure | null;
  /**
   * `netdev_put_lock(phys, net, tracker)` up to its `netdev_lock` (QC-19, A-01): the process
   * after it, waiting for the physical lock.
   */
  readonly netdevPutLock: (proc: Proc, phys: DeviceIndex) => Proc;
  /** `netdev_put_lock`'s re-check under the lock (QC-19, NS-4): registered, settled, in `net`. */
  readonly netdevPutLockRecheck: (dev: Device, net: NetnsIndex) => boolean;
  /** QC-20: the lease queue id names a live physical rx queue. */
  readonly leaseQueueInRange: (phys: Device, id: number) => boolean;
  /**
   * `netdev_queue_busy(phys, id, RX)` as queue-create calls it (QC-21..23): -EBUSY with the
   * reason, or null (ops/_queues.ts). ethtool's resize reaches the same kernel function through
   * its own hook point, `ethnlRxQueuesBusy`.
   */
  readonly netdevQueueBusy: (dev: Device, idx: number) => OpFailure | null;
  /** QC-24: the virtual device's last live rxq is not leased from a device other than `phys`. */
  readonly leaseSameLessor: (virt: Device, phys: DeviceIndex) => OpFailure | null;
  /**
   * `netkit_queue_create(dev)`, the netkit `ndo_queue_create` (NK-QC-1..3): the device with one
   * more real rx queue and the id replied; the lease takes the queue at the old count.
   */
  readonly netkitQueueCreate: (
    dev: NetkitDevice,
  ) => OpReply<{ readonly dev: NetkitDevice; readonly id: number }>;
  /**
   * `netdev_unlock(netdev)` on queue-create's failure paths under the virtual lock alone
   * (QC-11..QC-18, the err_unlock label): the process after it (ops/queue_create.ts).
   */
  readonly queueCreateUnlockVirt: (proc: Proc, virt: DeviceIndex, reply: OpFailure) => Proc;
  /**
   * queue-create's end with both devices locked (QC-S4, and the QC-19..QC-25 failure paths):
   * unlock physical then virtual, reply (ops/queue_create.ts).
   */
  readonly queueCreateExit: (
    state: ModelState,
    proc: Proc,
    reply: OpReply<unknown>,
    phys: DeviceIndex,
    virt: DeviceIndex,
  ) => Seg;
  /**
   * `netdev_rx_queue_lease(virt_rxq, phys_rxq)` (QC-S1, REF-1): both pointers and the tracked
   * reference (ops/_queues.ts).
   */
  readonly netdevRxQueueLease: (
    state: ModelState,
    virt: QueueRef,
    phys: QueueRef,
    held?: readonly LockId[],
  ) => ModelState;

  // ---- teardown: netkit_uninit, the netkit notifier (ops/_unregister.ts, ops/_queues.ts) ----

  /**
   * `netdev_rx_queue_unlease` after its provider cleanup (NK-DEL-4): both pointers cleared, the
   * tracked reference dropped (ops/_queues.ts).
   */
  readonly netdevRxQueueUnlease: (
    state: ModelState,
    virt: QueueRef,
    phys: QueueRef,
    held?: readonly LockId[],
  ) => ModelState;
  /**
   * `netif_rxq_cleanup_unlease(phys_rxq, virt_rxq)` in two visible steps (MP-U1..U4, INV-T3):
   * `half` 1 closes the physical queue's provider, 2 calls its `uninstall` with the virtual rxq
   * (ops/_queues.ts).
   */
  readonly netifRxqCleanupUnlease: (
    state: ModelState,
    phys: QueueRef,
    virt: QueueRef,
    binding: BindingIndex,
    half: 1 | 2,
  ) => ModelState;
  /**
   * `netkit_queue_unlease(dev)` (NK-DEL-3, LOCK-2): what it does next at step `pc`; the
   * unregister machine carries the steps out (steps and their contract: `UnleaseStep`).
   */
  readonly netkitQueueUnlease: (pc: string, at: UnleaseAt) => UnleaseStep;
  /**
   * The instance locks a batch's mark phase takes (`netdev_lock` around the UNREGISTERING mark,
   * NK-DEL-2): it waits for each (ops/_unregister.ts).
   */
  readonly unregisterMarkLocks: (frame: Frame) => readonly DeviceIndex[];
  /** `unregister_netdevice_queued(dev)` (UNREG-7, A-05): already on an unregister list. */
  readonly unregisterNetdeviceQueued: (queued: readonly DeviceIndex[], dev: DeviceIndex) => boolean;
  /**
   * `netkit_notifier`'s test (UNREG-1): it acts on this device's NETDEV_UNREGISTER (a netns move
   * runs the chain too, NS-1).
   */
  readonly netkitNotifier: (dev: Device) => boolean;
  /**
   * `netdev_unlock_ops(phys)` after `netkit_check_lease_unregister`'s scan (UNREG-3, LOCK-3),
   * before the nested `unregister_netdevice_many`: the process and machine locals after it.
   */
  readonly netkitNotifierUnlock: (
    proc: Proc,
    ctx: UnregisterCtx,
  ) => { readonly proc: Proc; readonly ctx: UnregisterCtx };

  // ---- queue-get: netdev_nl_queue_get_doit/dumpit (ops/queue_get.ts) ----

  /** queue-get's `netdev->up` test (QG-04 do, QG-D2 dump). */
  readonly queueGetDeviceUp: (dev: Device) => boolean;
  /**
   * `__netif_get_rx_queue_lease(dev, idx, NETIF_PHYS_TO_VIRT)` (QG-L1): the virtual partner of
   * a physical queue, or null.
   */
  readonly netifGetRxQueueLease: (dev: Device, idx: number) => QueueRef | null;
  /** `netdev_nl_queue_fill_lease` (QG-L2, QG-L3): the lease nest and its netns id. */
  readonly netdevNlQueueFillLease: (
    state: ModelState,
    dev: DeviceIndex,
    lease: QueueRef,
    allocate: boolean,
  ) => { readonly state: ModelState; readonly lease: LeaseInfo };
  /** `netdev_nl_queue_fill_mp` (QG-M1, QG-M2): provider and AF_XDP attributes of an rx queue. */
  readonly netdevNlQueueFillMp: (
    state: ModelState,
    dev: DeviceIndex,
    idx: number,
    kernel?: string,
  ) => QueueMpInfo;

  // ---- devmem TX (ops/bind_tx.ts) ----

  /** `netdev_find_netmem_tx_dev` (DM-7b): the device that does the DMA for bind-tx, or null. */
  readonly netdevFindNetmemTxDev: (
    state: ModelState,
    dev: DeviceIndex,
    kernel?: string,
  ) => DeviceIndex | null;
  /** The TX binding `net_devmem_bind_dmabuf` records (DM-15): `dev`, `vdev`, no rx queue. */
  readonly bindTxBinding: (bindDev: DeviceIndex, named: DeviceIndex) => Binding;

  // ---- memory providers and AF_XDP (ops/_queues.ts) ----

  /** `netdev_queue_get_dma_dev(dev, idx, RX)` (DMA-1..4): the DMA device, or null. */
  readonly netdevQueueGetDmaDev: (
    state: ModelState,
    dev: DeviceIndex,
    queue: number,
  ) => DeviceIndex | null;
  /** The lease branch of `netif_mp_open_rxq` (MP-03..06): the queue the provider lands on. */
  readonly netifMpOpenRxqLease: (
    state: ModelState,
    dev: DeviceIndex,
    queue: number,
  ) => QueueRef | OpFailure;
  /** `xsk_reg_pool_at_qid(dev, pool, qid)` (XSK-3): the pool registered, proxied if leased. */
  readonly xskRegPoolAtQid: (
    state: ModelState,
    dev: DeviceIndex,
    qid: number,
    binding: BindingIndex,
  ) => { readonly state: ModelState; readonly at: QueueRef } | OpFailure;

  // ---- ethtool and netkit links ----

  /** ETH-3's rx loop in `ethnl_set_channels` (ops/channels_set.ts). */
  readonly ethnlRxQueuesBusy: (dev: Device, from: number) => OpFailure | null;
  /** NK-NEW-10 in `netkit_new_link`: what single mode refuses (ops/netkit_newlink.ts). */
  readonly netkitNewLinkSingle: (data: NetkitData, policy: number) => OpFailure | null;
  /**
   * NK-CHG-2 in `netkit_change_link`: parameters fixed at creation; the state to continue with,
   * or the failure (ops/netkit_changelink.ts).
   */
  readonly netkitChangeLinkFixed: (
    state: ModelState,
    dev: DeviceIndex,
    data: NetkitData,
  ) => ModelState | OpFailure;
  /**
   * The locks RTM_NEWLINK takes, in order, after `netkit_change_link` accepted a change of
   * netkit `dev`: `do_setlink`'s `netdev_lock_ops(dev)` (ops/newlink.ts).
   */
  readonly netkitChangeLinkLocks: (state: ModelState, dev: DeviceIndex) => readonly LockId[];
  /** `netkit_fill_info` (operations.md §10, A-02) (ops/getlink.ts). */
  readonly netkitFillInfo: (state: ModelState, dev: DeviceIndex) => NetkitInfoData;
}

/** A hook point's name. */
export type HookName = keyof Hooks;

/**
 * What a mutant changes: for each hook point it patches, a function that takes the correct
 * implementation and returns the mutated one (which may call the correct one, to add a check or
 * change a result, or ignore it, to replace the function).
 */
export type Patch = { readonly [K in HookName]?: (original: Hooks[K]) => Hooks[K] };

/**
 * An environment action a mutant adds to the spec: something the world does that is no kernel
 * operation (a driver changing its queue count). It runs atomically; with processes in flight,
 * only when the instance locks it names are free.
 */
export interface EnvironmentAction {
  /** The action's name in traces (also the `op` of its parameters). */
  readonly name: string;
  /** The requests it may make in `state`. */
  readonly requests: (state: ModelState) => readonly unknown[];
  /** Runs `request` on `state`. */
  readonly apply: (
    state: ModelState,
    request: unknown,
  ) => { readonly state: ModelState; readonly reply: OpReply<unknown> };
  /** The locks `request` takes (it waits while any is held). */
  readonly locks: (state: ModelState, request: unknown) => readonly LockId[];
}

/**
 * One mutant: its catalogue entry (bugs.md section C, with what replies show of it), what it
 * changes, and how the kill table checks it.
 */
export interface Mutant extends MutantInfo {
  /** The hook points it overrides. */
  readonly patch?: Patch;
  /** Environment actions it adds to the spec. */
  readonly actions?: readonly EnvironmentAction[];
  /**
   * How the kill table checks it: the configuration (model/kill_table.ts MUTANT_CONFIGS) and the
   * check (`spec`: the model's invariants, properties and lock checks; `differential`: replies
   * compared with the correct model's).
   */
  readonly kill?: { readonly config: MutantConfigName; readonly check: "spec" | "differential" };
}

type Patched = { readonly original: unknown; readonly patched: unknown };
const patchedByMutant = new Map<string, Map<HookName, Patched>>();

/**
 * The implementation of hook point `name` under `options`: `original` (the correct code), or
 * the active mutant's replacement for it (built once, then cached).
 *
 * @example Usage
 * ```ts
 * import { hook } from "./hooks.ts";
 * import assert from "node:assert/strict";
 * const up = (dev: { up: boolean }) => dev.up;
 * assert.equal(hook({ mutant: null }, "queueGetDeviceUp", up), up);
 * assert.notEqual(hook({ mutant: "C-38" }, "queueGetDeviceUp", up), up);
 * ```
 */
export function hook<K extends HookName>(
  options: ModelOptions | undefined,
  name: K,
  original: Hooks[K],
): Hooks[K] {
  const id = options?.mutant;
  if (id === undefined || id === null) return original;
  return patchedHook(id, name, original);
}

function patchedHook<K extends HookName>(id: string, name: K, original: Hooks[K]): Hooks[K] {
  let table = patchedByMutant.get(id);
  if (table === undefined) {
    table = new Map();
    patchedByMutant.set(id, table);
  }
  const cached = table.get(name);
  if (cached !== undefined && cached.original === original) return cached.patched as Hooks[K];
  const wrap = mutantById(id)?.patch?.[name] as ((o: Hooks[K]) => Hooks[K]) | undefined;
  const patched = wrap === undefined ? original : wrap(original);
  table.set(name, { original, patched });
  return patched;
}
