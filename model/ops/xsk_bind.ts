/**
 * AF_XDP socket bind to "ifindex + queue id" (net/xdp/xsk.c `xsk_bind`, `xp_assign_dev`,
 * drivers/net/netkit.c `netkit_xsk`; XSK-1..5), the pool proxied to the physical queue through a
 * lease. Errors are socket errnos without extack. Stepped ({@linkcode XSK_BIND}): RTNL (XSK-1),
 * the device's ops lock (`netdev_lock_ops`), and for a leased netkit queue the physical lock
 * nested inside it (XSK-3, XSK-5).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import { lockedProgram, type Program } from "../process.ts";
import {
  addBinding,
  addRefs,
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  minMpChannelCount,
  type ModelState,
  rxqIsLeased,
  updateBinding,
} from "../state.ts";
import { proxiedLessor, xskRegPoolAtQid } from "./_queues.ts";
import type { BindingReply, Caller, OpResult } from "./types.ts";

/** An AF_XDP bind (`struct sockaddr_xdp`: ifindex, queue id, flags). */
export interface XskBindRequest {
  /** Device, in the socket's netns. */
  readonly ifindex: number;
  /** Queue id. */
  readonly "queue-id": number;
  /** XDP_COPY, XDP_ZEROCOPY, or neither (try zero-copy, fall back to copy). */
  readonly mode?: "copy" | "zerocopy";
}

type XskStep = { readonly caller: Caller; readonly request: XskBindRequest };

/** The AF_XDP bind as a stepped program. */
export const XSK_BIND: Program = lockedProgram({
  name: "xsk-bind",
  // XSK-1: RTNL, then dev_get_by_index and netdev_lock_ops.
  rtnl: true,
  lookup: (state, step) => {
    const { caller, request } = step as XskStep;
    return deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
  },
  // XSK-3/XSK-5 through a lease: the physical lock, nested.
  nested: (state, step) => {
    const { caller, request } = step as XskStep;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
    return proxiedLessor(state, dev, [request["queue-id"]]);
  },
  body: (state, step, options) => {
    const { caller, request } = step as XskStep;
    return xskBind(state, caller, request, options);
  },
});

/**
 * Runs the AF_XDP bind atomically.
 *
 * @example Usage
 * ```ts
 * import { xskBind } from "./xsk_bind.ts";
 * import { initialState } from "../init.ts";
 * import { SELFTEST_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = xskBind(initialState(SELFTEST_CONFIG), { netns: 0 }, { ifindex: 2, "queue-id": 0 });
 * assert.ok(r.reply.ok);
 * ```
 */
export function xskBind(
  state: ModelState,
  caller: Caller,
  request: XskBindRequest,
  options?: ModelOptions,
): OpResult<BindingReply> {
  const fail = (f: OpFailure): OpResult<BindingReply> => ({ state, reply: failure(f.errno) });
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
