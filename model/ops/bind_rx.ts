/**
 * devmem `bind-rx` (NETDEV_CMD_BIND_RX, net/core/netdev-genl.c `netdev_nl_bind_rx_doit`,
 * net/core/devmem.c; DM-1..5): a dmabuf binding of "ifindex + rx queues", proxied to the physical
 * queues through a lease. Stepped ({@linkcode BIND_RX}): the named device's instance lock
 * (`netdev_get_by_index_lock`), and for a leased netkit queue the physical lock nested inside it
 * (DMA-4, MP-06).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  BIND_RX_POLICY,
  BIND_RX_POLICY_7_3,
  DMABUF_ATTRS,
  intValue,
  QUEUE_TYPE,
  rawOr,
  validateStrict,
} from "../netlink.ts";
import { lockedProgram, type Program } from "../process.ts";
import {
  addBinding,
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  type ModelState,
} from "../state.ts";
import { kernelHas } from "../versions.ts";
import { mpOpenRxq, needsOpsLock, netdevQueueGetDmaDev, proxiedLessor } from "./_queues.ts";
import type { BindingReply, Caller, OpResult } from "./types.ts";

/** A bind-rx request in ynl shape (ynl-specs.md §2.4). */
export interface BindRxRequest {
  /** Device, in the caller's netns. */
  readonly ifindex?: number;
  /** dmabuf fd (not interpreted by the model). */
  readonly fd?: number;
  /** The rx queues to bind. */
  readonly queues?: readonly { readonly id?: number; readonly type?: string | number }[];
  /** 7.3: the size of each device page in the dmabuf (DM-10, DM-11); unknown before (DM-12). */
  readonly "rx-page-size"?: number;
}

type BindRxStep = { readonly caller: Caller; readonly request: BindRxRequest };

/** bind-rx as a stepped program. */
export const BIND_RX: Program = lockedProgram({
  name: "bind-rx",
  // DM-2: netdev_get_by_index_lock (the reference, then the instance lock).
  lookup: (state, step, options) => {
    const { caller, request } = step as BindRxStep;
    if (caller.admin === false || request.ifindex === undefined) return null;
    // The policy fails at parse time, before the handler takes anything.
    const policy = kernelHas(options?.kernel, "DM-11") ? BIND_RX_POLICY_7_3 : BIND_RX_POLICY;
    if (validateStrict(request as Record<string, unknown>, policy)) return null;
    return deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
  },
  // DM-4/DM-5 through a lease: the physical lock, nested (DMA-4, MP-06).
  nested: (state, step) => {
    const { caller, request } = step as BindRxStep;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex!) ?? null;
    const queues = (request.queues ?? []).flatMap((q) => (q.id === undefined ? [] : [q.id]));
    return proxiedLessor(state, dev, queues);
  },
  body: (state, step, options) => {
    const { caller, request } = step as BindRxStep;
    return bindRx(state, caller, request, options);
  },
});

/**
 * Runs bind-rx atomically.
 *
 * @example Usage
 * ```ts
 * import { bindRx } from "./bind_rx.ts";
 * import { initialState } from "../init.ts";
 * import { SELFTEST_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = bindRx(initialState(SELFTEST_CONFIG), { netns: 0 }, {
 *   ifindex: 2, fd: 0, queues: [{ id: 0, type: "rx" }],
 * });
 * assert.equal(r.reply.ok ? "ok" : r.reply.extack, "Device doesn't support DMA");
 * ```
 */
export function bindRx(
  state: ModelState,
  caller: Caller,
  request: BindRxRequest,
  options?: ModelOptions,
): OpResult<BindingReply> {
  const fail = (f: OpFailure): OpResult<BindingReply> => ({ state, reply: f });
  if (caller.admin === false) return fail(failure("EPERM")); // DM-1: GENL_ADMIN_PERM
  // The policy, at parse time (strict): ifindex at least 1; before 7.3 it ends at fd (DM-12),
  // from 7.3 rx-page-size is a u32 of at least PAGE_SIZE (DM-11).
  const policy = kernelHas(options?.kernel, "DM-11") ? BIND_RX_POLICY_7_3 : BIND_RX_POLICY;
  const invalid = validateStrict(request as Record<string, unknown>, policy);
  if (invalid) return fail(invalid);
  const pageSize = rawOr(request, "rx-page-size", DMABUF_ATTRS);
  for (const name of ["ifindex", "fd", "queues"] as const) { // DM-1
    if (request[name] === undefined) return fail(failure("EINVAL", { missType: name }));
  }
  // DM-10 (7.3): after the required attributes, before the socket's state and the lookup.
  if (typeof pageSize === "number" && (pageSize & (pageSize - 1)) !== 0) {
    return fail(failure("EINVAL", {
      extack: "rx-page-size must be a power of 2",
      badAttr: ".rx-page-size",
    }));
  }
  // DM-2: lookup + lock, present, ops-locked (both with the bad-attribute pointer on ifindex).
  const dev = deviceByIfindex(state, caller.netns, request.ifindex!);
  if (dev === undefined) return fail(failure("ENODEV"));
  const d = state.devices[dev];
  if (isPhysical(d) && !d.present) return fail(failure("ENODEV", { badAttr: ".ifindex" }));
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
