/**
 * io_uring zero-copy rx registration (`IORING_REGISTER_ZCRX_IFQ`, io_uring/zcrx.c
 * `io_register_zcrx_ifq`, `zcrx_register_netdev`; IOU-1..4): an ifq bound to "ifindex + rx
 * queue", proxied to the physical queue through a lease. io_uring passes no extack, so errors
 * carry none. Stepped ({@linkcode ZCRX_REGISTER}): the named device's instance lock
 * (`netdev_get_by_index_lock`), and for a leased netkit queue the physical lock nested inside it
 * (DMA-4, MP-06).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import { lockedProgram, type Program } from "../process.ts";
import { addBinding, addRefs, deviceByIfindex, type ModelState } from "../state.ts";
import { mpOpenRxq, netdevQueueGetDmaDev, proxiedLessor } from "./_queues.ts";
import type { BindingReply, Caller, OpResult } from "./types.ts";

/** An io_uring zcrx registration (`struct io_uring_zcrx_ifq_reg`: `if_idx`, `if_rxq`). */
export interface ZcrxRegisterRequest {
  /** Device, in the task's netns. */
  readonly ifindex: number;
  /** rx queue index on that device. */
  readonly "queue-id": number;
}

type ZcrxStep = { readonly caller: Caller; readonly request: ZcrxRegisterRequest };

/** The registration as a stepped program. */
export const ZCRX_REGISTER: Program = lockedProgram({
  name: "zcrx-register",
  // IOU-2: netdev_get_by_index_lock (the reference, then the instance lock).
  lookup: (state, step) => {
    const { caller, request } = step as ZcrxStep;
    if (caller.admin === false) return null;
    return deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
  },
  // IOU-3/IOU-4 through a lease: the physical lock, nested (DMA-4, MP-06).
  nested: (state, step) => {
    const { caller, request } = step as ZcrxStep;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
    return proxiedLessor(state, dev, [request["queue-id"]]);
  },
  body: (state, step, options) => {
    const { caller, request } = step as ZcrxStep;
    return zcrxRegister(state, caller, request, options);
  },
});

/**
 * Runs the registration atomically.
 *
 * @example Usage
 * ```ts
 * import { zcrxRegister } from "./zcrx_register.ts";
 * import { initialState } from "../init.ts";
 * import { SELFTEST_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * // netdevsim has no DMA device: IOU-3 refuses with EOPNOTSUPP.
 * const r = zcrxRegister(initialState(SELFTEST_CONFIG), { netns: 0 }, { ifindex: 2, "queue-id": 0 });
 * assert.equal(r.reply.ok ? "ok" : r.reply.errno, "EOPNOTSUPP");
 * ```
 */
export function zcrxRegister(
  state: ModelState,
  caller: Caller,
  request: ZcrxRegisterRequest,
  options?: ModelOptions,
): OpResult<BindingReply> {
  const fail = (f: OpFailure): OpResult<BindingReply> => ({ state, reply: failure(f.errno) });
  if (caller.admin === false) return fail(failure("EPERM")); // IOU-1
  const dev = deviceByIfindex(state, caller.netns, request.ifindex); // IOU-2
  if (dev === undefined) return fail(failure("ENODEV"));
  // IOU-3: the DMA device of the queue (proxied for a leased netkit queue).
  const dmaDev = hook(options, "netdevQueueGetDmaDev", netdevQueueGetDmaDev);
  if (dmaDev(state, dev, request["queue-id"]) === null) return fail(failure("EOPNOTSUPP"));
  // IOU-4: netif_mp_open_rxq with the ifq as provider.
  const slot = addBinding(state, {
    kind: "io-uring",
    dev,
    queues: [request["queue-id"]],
    zeroCopy: false,
  });
  const opened = mpOpenRxq(slot.state, dev, request["queue-id"], slot.index, options);
  if ("ok" in opened) return fail(opened);
  // IOU-2: netdev_hold on the named device (the netkit through a lease), REF-3.
  const s = addRefs(opened.state, dev, 1);
  return { state: s, reply: success({ binding: slot.index }) };
}
