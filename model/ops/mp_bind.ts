/**
 * Binding a queue user to "ifindex + queue": io_uring zcrx (`IORING_REGISTER_ZCRX_IFQ`,
 * io_uring/zcrx.c, IOU-1..4), devmem `bind-rx` (NETDEV_CMD_BIND_RX, net/core/netdev-genl.c,
 * DM-1..5) and AF_XDP `bind` (net/xdp/xsk.c `xsk_bind`, `xp_assign_dev`, drivers/net/netkit.c
 * `netkit_xsk`, XSK-1..5). Through a leased netkit queue each is proxied to the physical queue.
 * Stepped ({@linkcode MP_BIND}): RTNL for AF_XDP (XSK-1), the named device's instance lock
 * (`netdev_get_by_index_lock` / `netdev_lock_ops`), and for a leased netkit queue the physical
 * lock nested inside it (DMA-4, MP-06, XSK-3); the checks and changes run with all of them held.
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import { intValue, QUEUE_TYPE } from "../netlink.ts";
import { lockedProgram, type Program } from "../process.ts";
import {
  addBinding,
  addRefs,
  type BindingIndex,
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  minMpChannelCount,
  type ModelState,
  rxqIsLeased,
  updateBinding,
} from "../state.ts";
import { mpOpenRxq, needsOpsLock, netdevQueueGetDmaDev, xskRegPoolAtQid } from "./_queues.ts";
import type { Caller, OpResult } from "./types.ts";

/** io_uring zcrx registration (`struct io_uring_zcrx_ifq_reg`: `if_idx`, `if_rxq`). */
export interface ZcrxRegisterRequest {
  /** Discriminant. */
  readonly provider: "io-uring";
  /** Device, in the task's netns. */
  readonly ifindex: number;
  /** Queue index on that device. */
  readonly queue: number;
}

/** devmem bind-rx in ynl shape (ynl-specs.md §2.4). */
export interface BindRxRequest {
  /** Discriminant. */
  readonly provider: "devmem";
  /** Device, in the caller's netns. */
  readonly ifindex?: number;
  /** dmabuf fd (not interpreted by the model). */
  readonly fd?: number;
  /** Queues. */
  readonly queues?: readonly { readonly id?: number; readonly type?: string | number }[];
}

/** AF_XDP bind (`struct sockaddr_xdp`: ifindex, queue id, flags). */
export interface XskBindRequest {
  /** Discriminant. */
  readonly provider: "xsk";
  /** Device, in the socket's netns. */
  readonly ifindex: number;
  /** Queue id. */
  readonly "queue-id": number;
  /** XDP_COPY, XDP_ZEROCOPY, or neither (try zero-copy, fall back to copy). */
  readonly mode?: "copy" | "zerocopy";
}

/** Any bind request. */
export type MpBindRequest = ZcrxRegisterRequest | BindRxRequest | XskBindRequest;

/** The reply: the binding's model id (devmem: the dmabuf binding id = slot + 1). */
export interface MpBindReply {
  /** Model slot of the new user (pass it to mp-unbind). */
  readonly binding: BindingIndex;
  /** devmem binding id. */
  readonly id?: number;
  /** AF_XDP: whether zero-copy is active. */
  readonly "zero-copy"?: boolean;
}

/**
 * Runs one of the three bind operations.
 *
 * @example Usage
 * ```ts
 * import { mpBind } from "./mp_bind.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * const r = mpBind(initialState(DEFAULT_CONFIG), { netns: 0 }, {
 *   provider: "xsk", ifindex: 2, "queue-id": 0,
 * });
 * console.assert(r.reply.ok);
 * ```
 */
export function mpBind(
  state: ModelState,
  caller: Caller,
  request: MpBindRequest,
  options?: ModelOptions,
): OpResult<MpBindReply> {
  if (request.provider === "io-uring") return zcrxRegister(state, caller, request, options);
  if (request.provider === "devmem") return bindRx(state, caller, request, options);
  return xskBind(state, caller, request, options);
}

/** The queues a bind request names. */
function requestQueues(request: MpBindRequest): number[] {
  if (request.provider === "io-uring") return [request.queue];
  if (request.provider === "xsk") return [request["queue-id"]];
  return (request.queues ?? []).flatMap((q) => (q.id === undefined ? [] : [q.id]));
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

type BindStep = { readonly caller: Caller; readonly request: MpBindRequest };

/** The three bind operations as one stepped program. */
export const MP_BIND: Program = lockedProgram(
  "mp-bind",
  (state, step) => {
    const { caller, request } = step as BindStep;
    if (request.ifindex === undefined) return null;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex);
    if (request.provider === "xsk") return { rtnl: true, dev: dev ?? null };
    return dev === undefined ? null : { rtnl: false, dev };
  },
  (state, step) => {
    const { caller, request } = step as BindStep;
    if (request.ifindex === undefined) return null;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
    return proxiedLessor(state, dev, requestQueues(request));
  },
  (state, step, options) => {
    const { caller, request } = step as BindStep;
    return mpBind(state, caller, request, options);
  },
);

/** io_uring zcrx registration (IOU-1..4). io_uring passes no extack, so errors carry none. */
export function zcrxRegister(
  state: ModelState,
  caller: Caller,
  request: ZcrxRegisterRequest,
  options?: ModelOptions,
): OpResult<MpBindReply> {
  const fail = (f: OpFailure): OpResult<MpBindReply> => ({ state, reply: failure(f.errno) });
  if (caller.admin === false) return fail(failure("EPERM")); // IOU-1
  const dev = deviceByIfindex(state, caller.netns, request.ifindex); // IOU-2
  if (dev === undefined) return fail(failure("ENODEV"));
  // IOU-3: the DMA device of the queue (proxied for a leased netkit queue).
  const dmaDev = hook(options, "netdevQueueGetDmaDev", netdevQueueGetDmaDev);
  if (dmaDev(state, dev, request.queue) === null) return fail(failure("EOPNOTSUPP"));
  // IOU-4: netif_mp_open_rxq with the ifq as provider.
  const slot = addBinding(state, {
    kind: "io-uring",
    dev,
    queues: [request.queue],
    zeroCopy: false,
  });
  const opened = mpOpenRxq(slot.state, dev, request.queue, slot.index, options);
  if ("ok" in opened) return fail(opened);
  // IOU-2: netdev_hold on the named device (the netkit through a lease), REF-3.
  const s = addRefs(opened.state, dev, 1);
  return { state: s, reply: success({ binding: slot.index }) };
}

/** devmem bind-rx (DM-1..5). */
export function bindRx(
  state: ModelState,
  caller: Caller,
  request: BindRxRequest,
  options?: ModelOptions,
): OpResult<MpBindReply> {
  const fail = (f: OpFailure): OpResult<MpBindReply> => ({ state, reply: f });
  if (caller.admin === false) return fail(failure("EPERM")); // DM-1: GENL_ADMIN_PERM
  for (const name of ["ifindex", "fd", "queues"] as const) { // DM-1
    if (request[name] === undefined) return fail(failure("EINVAL", { missType: name }));
  }
  // DM-2: lookup + lock, present, ops-locked.
  const dev = deviceByIfindex(state, caller.netns, request.ifindex!);
  if (dev === undefined) return fail(failure("ENODEV"));
  const d = state.devices[dev];
  if (isPhysical(d) && !d.present) return fail(failure("ENODEV"));
  if (!needsOpsLock(state, dev)) return fail(failure("EOPNOTSUPP", { badAttr: ".ifindex" }));
  // DM-3: every queue nest: id and type present, rx, in range (netdev_nl_read_rxq_bitmap).
  const bitmap = new Set<number>();
  for (const q of request.queues!) {
    for (const name of ["id", "type"] as const) {
      if (q[name] === undefined) {
        return fail(failure("EINVAL", { missNest: ".queues", missType: name }));
      }
    }
    if (intValue(q.type, ".queues.type", QUEUE_TYPE) !== QUEUE_TYPE.rx) {
      return fail(failure("EINVAL", { badAttr: ".queues.type" }));
    }
    if (q.id! >= d.realRx) return fail(failure("EINVAL", { badAttr: ".queues.id" }));
    bitmap.add(q.id!);
  }
  const queues = [...bitmap].sort((a, b) => a - b);
  // DM-4: one DMA device for all queues (netdev_nl_get_dma_dev), then net_devmem_bind_dmabuf.
  const dmaDev = hook(options, "netdevQueueGetDmaDev", netdevQueueGetDmaDev);
  let dma: DeviceIndex | null = null;
  let prev = -1;
  for (const q of queues) {
    const qdma = dmaDev(state, dev, q);
    if (dma !== null && qdma !== dma) {
      return fail(failure("EOPNOTSUPP", {
        extack: `DMA device mismatch between queue ${q} and ${prev} (multi-PF device?)`,
      }));
    }
    dma = qdma;
    prev = q;
  }
  if (dma === null) return fail(failure("EOPNOTSUPP", { extack: "Device doesn't support DMA" }));
  // DM-5: open each queue (proxied through leases); on error the binding is unbound, which
  // closes the queues already opened: the state is as before.
  const slot = addBinding(state, { kind: "devmem", dev, queues, zeroCopy: false });
  let s = slot.state;
  for (const q of queues) {
    const opened = mpOpenRxq(s, dev, q, slot.index, options);
    if ("ok" in opened) return fail(opened);
    s = opened.state;
  }
  return { state: s, reply: success({ binding: slot.index, id: slot.index + 1 }) };
}

/** AF_XDP bind (XSK-1..5). Errors are socket errnos without extack. */
export function xskBind(
  state: ModelState,
  caller: Caller,
  request: XskBindRequest,
  options?: ModelOptions,
): OpResult<MpBindReply> {
  const fail = (f: OpFailure): OpResult<MpBindReply> => ({ state, reply: failure(f.errno) });
  const dev = deviceByIfindex(state, caller.netns, request.ifindex); // XSK-1
  if (dev === undefined) return fail(failure("ENODEV"));
  const d = state.devices[dev];
  const qid = request["queue-id"];
  // XSK-2: xp_assign_dev: the device's OWN arrays must have no pool at qid.
  if (qid < d.numRx && d.rxq[qid].pool !== null && qid < Math.max(d.realRx, d.realTx)) {
    return fail(failure("EBUSY"));
  }
  const slot = addBinding(state, { kind: "xsk", dev, queues: [qid], zeroCopy: false });
  // XSK-3
  const reg = hook(options, "xskRegPoolAtQid", xskRegPoolAtQid)(slot.state, dev, qid, slot.index);
  if ("ok" in reg) return fail(reg);
  let s = addRefs(reg.state, dev, 1); // XSK-4: dev_hold, REF-4
  if (request.mode === "copy") {
    return { state: s, reply: success({ binding: slot.index, "zero-copy": false }) };
  }
  // XSK-4/5: zero-copy attempt; any failure falls back to copy unless XDP_ZEROCOPY was asked.
  const zc = zeroCopyError(s, dev, qid);
  if (zc === undefined) {
    s = updateBinding(s, slot.index, (b) => ({ ...b, zeroCopy: true }));
    return { state: s, reply: success({ binding: slot.index, "zero-copy": true }) };
  }
  if (request.mode === "zerocopy") return fail(failure(zc)); // pool unregistered, ref dropped
  return { state: s, reply: success({ binding: slot.index, "zero-copy": false }) };
}

/** The zero-copy setup's errno (XSK-4, XSK-5), or undefined when it succeeds. */
function zeroCopyError(
  state: ModelState,
  dev: DeviceIndex,
  qid: number,
): "EOPNOTSUPP" | "EINVAL" | "EBUSY" | undefined {
  const d = state.devices[dev];
  if (d.kind === "virtual") return "EOPNOTSUPP"; // no ndo_bpf
  if (isPhysical(d)) {
    if (!d.xskZeroCopy) return "EOPNOTSUPP"; // xdp_features lack the XSK set
    if (minMpChannelCount(d) > 0) return "EBUSY";
    return undefined; // driver ndo_bpf(XDP_SETUP_XSK_POOL)
  }
  // netkit: only single mode advertises the XSK set (NK-NEW-17).
  if (d.pairing === "pair") return "EOPNOTSUPP";
  if (minMpChannelCount(d) > 0) return "EBUSY"; // netkit rxqs never carry a provider
  // netkit_xsk (XSK-5).
  if (qid >= d.realRx) return "EINVAL";
  if (!rxqIsLeased(d, qid)) return "EOPNOTSUPP";
  const lease = d.rxq[qid].lease!;
  const p = state.devices[lease.dev];
  if (!isPhysical(p) || !p.xskZeroCopy) return "EOPNOTSUPP"; // ops / xdp_features of the NIC
  if (minMpChannelCount(p) > 0) return "EBUSY";
  return undefined;
}
