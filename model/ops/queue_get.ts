/**
 * `queue-get` (NETDEV_CMD_QUEUE_GET), do and dump. Kernel: net/core/netdev-genl.c
 * `netdev_nl_queue_get_doit`, `netdev_nl_queue_get_dumpit`, `netdev_nl_queue_fill_one`,
 * `netdev_nl_queue_fill_lease`, `netdev_nl_queue_fill_mp` (operations.md §2, QG-01..QG-M3).
 *
 * The only state change is the netns-id allocation of the lease nest (QG-L3). The helpers that
 * fill the lease and provider attributes, and the up test, are hook points (model/hooks.ts).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import {
  done,
  drop,
  type Exec,
  hold,
  newProc,
  type Program,
  releaseAll,
  runAtomic,
  type Seg,
  waitFor,
  yieldTo,
} from "../process.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  intValue,
  QUEUE_GET_DO_POLICY,
  QUEUE_GET_DUMP_POLICY,
  QUEUE_TYPE,
  validateStrict,
} from "../netlink.ts";
import {
  allocPeerId,
  type Device,
  deviceByIfindex,
  type DeviceIndex,
  devicesOfNetns,
  isPhysical,
  type LockId,
  type ModelState,
  NSID_NOT_ASSIGNED,
  peerId,
  type Proc,
  type QueueRef,
  rxqIsLeased,
  type RxQueue,
} from "../state.ts";
import { kernelHas } from "../versions.ts";
import { needsOpsLock } from "./_queues.ts";
import type { Caller, EmptyNest, OpResult } from "./types.ts";

/** A queue-get do request (ynl-specs.md §1.5). */
export interface QueueGetRequest {
  /** Device, in the caller's netns. */
  readonly ifindex?: number;
  /** Queue index. */
  readonly id?: number;
  /** `"rx"` or `"tx"`. */
  readonly type?: string | number;
  /** Any other attribute (validated strictly). */
  readonly [attr: string]: unknown;
}

/** A queue-get dump request. */
export interface QueueGetDumpRequest {
  /** Only this device. */
  readonly ifindex?: number;
  /** Any other attribute (validated strictly). */
  readonly [attr: string]: unknown;
}

/** The lease nest of a physical queue (QG-L2): the VIRTUAL side of the lease. */
export interface LeaseInfo {
  /** The virtual queue. */
  readonly queue: { readonly id: number; readonly type: "rx" };
  /** The virtual device's ifindex. */
  readonly ifindex: number;
  /** The virtual device's netns as the physical device's netns names it (QG-L3). */
  readonly "netns-id"?: number;
}

/** One queue in a queue-get reply, keys in kernel emission order (QG-06). */
export interface QueueInfo {
  /** Queue index. */
  readonly id: number;
  /** Queue type. */
  readonly type: "rx" | "tx";
  /** The queried device. */
  readonly ifindex: number;
  /**
   * NAPI id: present on physical rx queues (QG-08). The value is a model placeholder
   * (`1000 * device index + queue + 1`); kernel values are per boot, compare presence only.
   */
  readonly "napi-id"?: number;
  /** Lease nest (physical rx only, QG-L1). */
  readonly lease?: LeaseInfo;
  /** io_uring provider (QG-M3: `rx-buf-len` from 7.2, QG-M4; empty in 7.1, QG-M5). */
  readonly "io-uring"?: IoUringNest;
  /** devmem binding id (model id: binding slot + 1). */
  readonly dmabuf?: number;
  /** AF_XDP pool registered (always an empty nest). */
  readonly xsk?: EmptyNest;
}

/**
 * Builds one queue message (`netdev_nl_queue_fill_one`). With `allocate` false the lease nest's
 * netns id is the one that WOULD be reported, without recording the allocation (for invariants).
 */
export function fillQueue(
  state: ModelState,
  dev: DeviceIndex,
  type: "rx" | "tx",
  id: number,
  options?: ModelOptions,
  allocate = true,
): { state: ModelState; info: QueueInfo } {
  const d = state.devices[dev];
  let s = state;
  const info: {
    id: number;
    type: "rx" | "tx";
    ifindex: number;
    "napi-id"?: number;
    lease?: LeaseInfo;
    "io-uring"?: IoUringNest;
    dmabuf?: number;
    xsk?: EmptyNest;
  } = { id, type, ifindex: d.ifindex };
  if (type === "tx") {
    // QG-06 item 5: xsk if the txq has a pool (the model keeps rx and tx pools together).
    const pool = d.rxq[id]?.pool;
    if (pool !== null && pool !== undefined) info.xsk = {};
    return { state: s, info };
  }
  // QG-06 item 2 / QG-08: physical rx queues have a NAPI, netkit queues never do.
  if (isPhysical(d)) info["napi-id"] = 1000 * dev + id + 1;
  // QG-L1: lease nest only for a PHYSICAL rx queue whose lease points to another device.
  const lease = hook(options, "netifGetRxQueueLease", netifGetRxQueueLease)(d, id);
  if (lease !== null && lease.dev !== dev) {
    const r = hook(options, "netdevNlQueueFillLease", netdevNlQueueFillLease)(
      s,
      dev,
      lease,
      allocate,
    );
    s = r.state;
    info.lease = r.lease;
  }
  // QG-M1/M2: provider and xsk state.
  const fillMp = hook(options, "netdevNlQueueFillMp", netdevNlQueueFillMp);
  Object.assign(info, fillMp(state, dev, id, options?.kernel));
  return { state: s, info };
}

/**
 * `__netif_get_rx_queue_lease(dev, idx, NETIF_PHYS_TO_VIRT)` (QG-L1): the virtual partner of a
 * PHYSICAL device's leased rx queue, or null (a virtual device's queue never shows its lease).
 * Hook point `netifGetRxQueueLease`.
 */
function netifGetRxQueueLease(dev: Device, idx: number): QueueRef | null {
  return isPhysical(dev) ? dev.rxq[idx].lease : null;
}

/**
 * `netdev_nl_queue_fill_lease` (QG-L2, QG-L3): the lease nest of physical device `dev`'s queue
 * leased to `lease`. `netns-id` only across namespaces, from the PHYSICAL netns's table,
 * allocated on demand (`allocate` false: the id that would be allocated, without recording it).
 * Hook point `netdevNlQueueFillLease`.
 */
function netdevNlQueueFillLease(
  state: ModelState,
  dev: DeviceIndex,
  lease: QueueRef,
  allocate: boolean,
): { readonly state: ModelState; readonly lease: LeaseInfo } {
  const d = state.devices[dev];
  const v = state.devices[lease.dev];
  const nest = { queue: { id: lease.queue, type: "rx" as const }, ifindex: v.ifindex };
  if (v.netns === d.netns) return { state, lease: nest };
  if (!allocate) {
    return { state, lease: { ...nest, "netns-id": wouldAllocate(state, d.netns, v.netns) } };
  }
  const r = allocPeerId(state, d.netns, v.netns);
  return { state: r.state, lease: { ...nest, "netns-id": r.id } };
}

/** The io-uring nest of a queue-get reply (`io_pp_nl_fill`). */
export interface IoUringNest {
  /** The ifq's rx buffer length, from 7.2 (QG-M4). */
  readonly "rx-buf-len"?: number;
}

/** The provider and AF_XDP attributes of a queue-get reply (QG-06 item 4). */
export interface QueueMpInfo {
  /** io_uring provider (QG-M3: `rx-buf-len` from 7.2, QG-M4; empty in 7.1, QG-M5). */
  readonly "io-uring"?: IoUringNest;
  /** devmem binding id (model id: binding slot + 1). */
  readonly dmabuf?: number;
  /** AF_XDP pool registered (always an empty nest). */
  readonly xsk?: EmptyNest;
}

/**
 * `netdev_nl_queue_fill_mp` (QG-M1, QG-M2): a leased VIRTUAL queue reports its physical
 * partner's provider and pool, any other rx queue its own. Hook point `netdevNlQueueFillMp`.
 */
function netdevNlQueueFillMp(
  state: ModelState,
  dev: DeviceIndex,
  idx: number,
  kernel?: string,
): QueueMpInfo {
  const d = state.devices[dev];
  const rxq = d.rxq[idx];
  const src = !isPhysical(d) && rxqIsLeased(d, idx)
    ? state.devices[rxq.lease!.dev].rxq[rxq.lease!.queue]
    : rxq;
  return queueMpInfo(state, src, kernel);
}

/**
 * The rx buffer length of the model's io_uring ifqs: they register without `rx_buf_len`, so the
 * kernel uses PAGE_SIZE buffers (`io_zcrx_create_area`: `niov_shift` = PAGE_SHIFT).
 */
export const ZCRX_RX_BUF_LEN = 4096;

/**
 * The provider and pool attributes of one rx queue's own state (the `nl_fill` of its provider:
 * `io_pp_nl_fill`, `mp_dmabuf_devmem_nl_fill`; an AF_XDP pool is an empty nest). The io-uring
 * nest carries `rx-buf-len` from 7.2 (QG-M4) and is empty before (QG-M5).
 *
 * @example Usage
 * ```ts
 * import { queueMpInfo } from "./queue_get.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * assert.deepEqual(queueMpInfo(s, s.devices[1].rxq[0]), {});
 * ```
 */
export function queueMpInfo(state: ModelState, rxq: RxQueue, kernel?: string): QueueMpInfo {
  const info: { "io-uring"?: IoUringNest; dmabuf?: number; xsk?: EmptyNest } = {};
  if (rxq.mp !== null) {
    const b = state.bindings[rxq.mp];
    if (b?.kind === "io-uring") {
      info["io-uring"] = kernelHas(kernel, "QG-M4") ? { "rx-buf-len": ZCRX_RX_BUF_LEN } : {};
    } else if (b?.kind === "devmem") info.dmabuf = rxq.mp + 1;
  }
  if (rxq.pool !== null) info.xsk = {};
  return info;
}

/**
 * queue-get's `netdev->up` test (QG-04 for do, QG-D2 for dump): a device that is not up shows
 * no queues. Hook point `queueGetDeviceUp`.
 */
function queueGetDeviceUp(dev: Device): boolean {
  return dev.up;
}

function wouldAllocate(state: ModelState, from: number, peer: number): number {
  if (!state.netns[from].alive || !state.netns[peer].alive) return NSID_NOT_ASSIGNED;
  const existing = peerId(state, from, peer);
  if (existing !== NSID_NOT_ASSIGNED) return existing;
  const used = new Set(state.netns[from].nsids);
  let id = 0;
  while (used.has(id)) id++;
  return id;
}

/**
 * Runs queue-get do.
 *
 * @example Usage
 * ```ts
 * import { queueGet } from "./queue_get.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = queueGet(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 2, id: 0, type: "rx" });
 * assert.ok(r.reply.ok);
 * ```
 */
export function queueGet(
  state: ModelState,
  caller: Caller,
  request: QueueGetRequest,
  options?: ModelOptions,
): OpResult<QueueInfo> {
  const r = runAtomic(state, { caller, request, dump: false }, QUEUE_GET, options);
  return r as OpResult<QueueInfo>;
}

/**
 * Runs queue-get dump: every up device of the caller's netns (or just `ifindex`), rx queues
 * then tx queues (QG-D1..D4).
 *
 * @example Usage
 * ```ts
 * import { queueGetDump } from "./queue_get.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = queueGetDump(initialState(DEFAULT_CONFIG), { netns: 1 }, {});
 * assert.ok(r.reply.ok);
 * ```
 */
export function queueGetDump(
  state: ModelState,
  caller: Caller,
  request: QueueGetDumpRequest,
  options?: ModelOptions,
): OpResult<QueueInfo[]> {
  const r = runAtomic(state, { caller, request, dump: true }, QUEUE_GET, options);
  return r as OpResult<QueueInfo[]>;
}

type QgStep = {
  readonly caller: Caller;
  readonly dump?: boolean;
  readonly request: QueueGetRequest & QueueGetDumpRequest;
};

/** Where a queue-get stands between its steps. */
interface QgCtx {
  /** The device being looked up or filled. */
  readonly dev: DeviceIndex;
  /** The next ifindex a dump of the whole netns looks at (`ctx->ifindex`); undefined: one device. */
  readonly cursor?: number;
  /** The entries so far (kept when the reply is wanted: atomic runs and replays). */
  readonly out?: readonly QueueInfo[];
}

/**
 * The lock `netdev_lock_ops_compat` takes for a device: its instance lock when it is ops-locked
 * (netkit, queue-management NICs), RTNL otherwise (`lo`).
 */
function compatLock(state: ModelState, dev: DeviceIndex): LockId {
  return needsOpsLock(state, dev) ? dev : "rtnl";
}

/**
 * `queue-get` as a stepped program. Do: the device looked up and referenced, its lock
 * (`netdev_get_by_index_lock_ops_compat`), QG-04/QG-05, the fill — for a leased netkit rx queue
 * the physical lock nested inside (QG-M1). Dump: per device in ifindex order
 * (`netdev_xa_find_lock_ops_compat`: find, reference, lock, re-check), the fill of its queues,
 * the unlock; the next device is found in the same step as the unlock.
 */
export const QUEUE_GET: Program = {
  name: "queue-get",
  start: (state, step, x) => {
    const { caller, request, dump } = step as QgStep;
    const proc = newProc("queue-get", step, null);
    // QG-01: no admin flag. Strict policy validation.
    const invalid = validateStrict(request, dump ? QUEUE_GET_DUMP_POLICY : QUEUE_GET_DO_POLICY);
    if (invalid) return done(state, proc, invalid);
    const collect = x.slot < 0 || x.collect === true;
    if (dump) {
      if (request.ifindex === undefined) return findNext(state, proc, 1, collect ? [] : undefined);
      const dev = deviceByIfindex(state, caller.netns, request.ifindex);
      if (dev === undefined) return done(state, proc, failure("ENODEV")); // QG-D1
      return lookedUp(state, proc, { dev, ...(collect ? { out: [] } : {}) });
    }
    // QG-02: id, type, ifindex required, in that order.
    for (const name of ["id", "type", "ifindex"] as const) {
      if (request[name] === undefined) {
        return done(state, proc, failure("EINVAL", { missType: name }));
      }
    }
    // QG-03: lookup with a reference, then the lock (next step).
    const dev = deviceByIfindex(state, caller.netns, request.ifindex!);
    if (dev === undefined) return done(state, proc, failure("ENODEV"));
    return lookedUp(state, proc, { dev });
  },
  resume: (state, proc, x) => {
    const ctx = proc.ctx as QgCtx;
    const { dump } = proc.step as QgStep;
    if (proc.pc === "locked") {
      // __netdev_put_lock_ops_compat: re-check (registered, settled, same netns), drop the ref.
      const p = drop(proc, (h) => h.dev === ctx.dev);
      const d = state.devices[ctx.dev];
      const caller = (proc.step as QgStep).caller;
      if (d.reg !== "registered" || d.movingNs === true || d.netns !== caller.netns) {
        if (dump && ctx.cursor !== undefined) return unlockAndNext(state, p, ctx);
        return done(state, releaseAll(p), failure("ENODEV"));
      }
      return dump ? fillDevice(state, p, x) : queueGetDo(state, p, x);
    }
    // "fill" (dump) or "do-fill" (do): the physical lock of a leased netkit queue was granted.
    return proc.pc === "do-fill" ? queueGetDo(state, proc, x) : fillDevice(state, proc, x);
  },
};

/** The device found and referenced; its lock next. */
function lookedUp(state: ModelState, proc: Proc, ctx: QgCtx): Seg {
  const p = hold({ ...proc, ctx }, { dev: ctx.dev });
  return yieldTo(state, waitFor(p, "locked", compatLock(state, ctx.dev)));
}

/** A whole-netns dump: the device with the lowest ifindex >= `cursor`, or the end. */
function findNext(state: ModelState, proc: Proc, cursor: number, out?: readonly QueueInfo[]): Seg {
  const { caller } = proc.step as QgStep;
  const devs = devicesOfNetns(state, caller.netns).filter((i) =>
    state.devices[i].reg === "registered" && state.devices[i].movingNs !== true &&
    state.devices[i].ifindex >= cursor
  );
  if (devs.length === 0) return done(state, releaseAll(proc), success(out ?? []));
  const dev = devs[0];
  return lookedUp(state, proc, {
    dev,
    cursor: state.devices[dev].ifindex + 1,
    ...(out === undefined ? {} : { out }),
  });
}

/** A dump's device is done: unlock it and find the next (or reply, for a one-device dump). */
function unlockAndNext(state: ModelState, proc: Proc, ctx: QgCtx): Seg {
  const p = releaseAll(proc);
  if (ctx.cursor === undefined) return done(state, p, success(ctx.out ?? []));
  return findNext(state, p, ctx.cursor, ctx.out);
}

/** The lessor whose lock the fill of netkit `dev`'s leased rx queues needs (QG-M1), or null. */
function fillLessor(state: ModelState, dev: DeviceIndex): DeviceIndex | null {
  const d = state.devices[dev];
  if (isPhysical(d)) return null;
  for (let q = 0; q < d.realRx; q++) {
    if (rxqIsLeased(d, q)) return d.rxq[q].lease!.dev;
  }
  return null;
}

/** Dump: the fill of one locked device (QG-D2: a down device is skipped). */
function fillDevice(state: ModelState, proc: Proc, x: Exec): Seg {
  const ctx = proc.ctx as QgCtx;
  const d = state.devices[ctx.dev];
  if (!hook(x.options, "queueGetDeviceUp", queueGetDeviceUp)(d)) {
    return unlockAndNext(state, proc, ctx); // QG-D2: skipped silently (QG-D4)
  }
  const lessor = fillLessor(state, ctx.dev);
  if (lessor !== null && !proc.held.includes(lessor)) {
    return yieldTo(state, waitFor(proc, "fill", lessor));
  }
  let s = state;
  const out: QueueInfo[] = [];
  for (let q = 0; q < d.realRx; q++) {
    const r = fillQueue(s, ctx.dev, "rx", q, x.options);
    s = r.state;
    out.push(r.info);
  }
  for (let q = 0; q < d.realTx; q++) out.push(fillQueue(s, ctx.dev, "tx", q, x.options).info);
  const next = ctx.out === undefined ? ctx : { ...ctx, out: [...ctx.out, ...out] };
  return unlockAndNext(s, proc, next);
}

/** Do: QG-04, QG-05 and the fill of the one queue, the device locked. */
function queueGetDo(state: ModelState, proc: Proc, x: Exec): Seg {
  const ctx = proc.ctx as QgCtx;
  const { request } = proc.step as QgStep;
  const d = state.devices[ctx.dev];
  const fail = (f: OpFailure): Seg => done(state, releaseAll(proc), f);
  // QG-04: a down device answers -ENOENT.
  if (!hook(x.options, "queueGetDeviceUp", queueGetDeviceUp)(d)) return fail(failure("ENOENT"));
  const type = intValue(request.type, ".type", QUEUE_TYPE) === QUEUE_TYPE.rx ? "rx" : "tx";
  // QG-05: the index must be live for its type.
  const id = request.id!;
  if (id >= (type === "rx" ? d.realRx : d.realTx)) return fail(failure("EINVAL"));
  // QG-M1: a leased netkit rx queue's provider state is read under the physical lock.
  if (type === "rx" && !isPhysical(d) && rxqIsLeased(d, id)) {
    const lessor = d.rxq[id].lease!.dev;
    if (!proc.held.includes(lessor)) {
      return yieldTo(state, waitFor({ ...proc, ctx }, "do-fill", lessor));
    }
  }
  const r = fillQueue(state, ctx.dev, type, id, x.options);
  return done(r.state, releaseAll(proc), success(r.info));
}
