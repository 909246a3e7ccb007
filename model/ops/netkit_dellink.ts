/**
 * RTM_DELLINK. For a netkit (either end of a pair): `netkit_del_link` queues the device and its
 * peer, then the batch unregister runs `netkit_uninit` → `netkit_queue_unlease` (NK-DEL-1..7).
 * Devices without `rtnl_link_ops->dellink` (physical devices, `lo`) answer -EOPNOTSUPP
 * (net/core/rtnetlink.c `rtnl_dellink`). Atomic (RTNL).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { deviceByIfindex, isNetkit, type ModelState } from "../state.ts";
import { deleteDevices } from "./_unregister.ts";
import type { Caller, OpResult } from "./types.ts";

/** A DELLINK request. */
export interface DellinkRequest {
  /** Device, in the caller's netns. */
  readonly ifindex: number;
}

/**
 * Runs RTM_DELLINK.
 *
 * @example Usage
 * ```ts
 * import { netkitDellink } from "./netkit_dellink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * const r = netkitDellink(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 3 });
 * console.assert(r.state.devices.every((d) => d.kind !== "netkit" || d.reg === "gone"));
 * ```
 */
export function netkitDellink(
  state: ModelState,
  caller: Caller,
  request: DellinkRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const dev = deviceByIfindex(state, caller.netns, request.ifindex);
  if (dev === undefined) return { state, reply: failure("ENODEV") };
  if (!isNetkit(state.devices[dev])) return { state, reply: failure("EOPNOTSUPP") };
  return { state: deleteDevices(state, [dev], options), reply: success({}) };
}
