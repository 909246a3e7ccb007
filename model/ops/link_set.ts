/**
 * Administrative up/down (`ip link set DEV up|down`; RTM_NEWLINK changing IFF_UP). Kernel:
 * net/core/rtnetlink.c `do_setlink` (under RTNL, `netdev_lock_ops(dev)` around the flags
 * change), net/core/dev.c `netif_change_flags` → `__dev_open`/`__dev_close`, drivers/net/netkit.c
 * `netkit_open` (NK-OP-1/2). Leases are unaffected (FLAP-1). Stepped ({@linkcode LINK_SET}):
 * RTNL, then the device's ops lock (ops-locked devices only; `lo` changes under RTNL alone).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import { lockedProgram, type Program } from "../process.ts";
import { deviceByIfindex, isPhysical, type ModelState, updateDevice } from "../state.ts";
import { needsOpsLock } from "./_queues.ts";
import type { Caller, OpResult } from "./types.ts";

/** A link up/down request. */
export interface LinkSetRequest {
  /** Device, in the caller's netns. */
  readonly ifindex: number;
  /** Bring it up (true) or down (false). */
  readonly up: boolean;
}

/**
 * Runs link up/down.
 *
 * @example Usage
 * ```ts
 * import { linkSet } from "./link_set.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = linkSet(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 2, up: false });
 * assert.ok(!r.state.devices[2].up);
 * ```
 */
export function linkSet(
  state: ModelState,
  caller: Caller,
  request: LinkSetRequest,
): OpResult<Record<string, never>> {
  const dev = deviceByIfindex(state, caller.netns, request.ifindex);
  if (dev === undefined) return { state, reply: failure("ENODEV") };
  const d = state.devices[dev];
  if (d.up === request.up) return { state, reply: success({}) }; // no change
  if (request.up) {
    // __dev_open: a detached device cannot be opened.
    if (isPhysical(d) && !d.present) return { state, reply: failure("ENODEV") };
    // NK-OP-1: a pair device whose peer is gone cannot be opened.
    if (d.kind === "netkit" && d.pairing === "pair" && d.peer === null) {
      return { state, reply: failure("ENOTCONN") };
    }
  }
  return { state: updateDevice(state, dev, (x) => ({ ...x, up: request.up })), reply: success({}) };
}

type LinkSetStep = { readonly caller: Caller; readonly request: LinkSetRequest };

/** link up/down as a stepped program (`rtnl_setlink` → `do_setlink`). */
export const LINK_SET: Program = lockedProgram({
  name: "link-set",
  rtnl: true,
  // do_setlink: netdev_lock_ops(dev) on a device found under RTNL (no reference, no re-check).
  lookup: (state, step) => {
    const { caller, request } = step as LinkSetStep;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex);
    return dev !== undefined && needsOpsLock(state, dev) ? dev : null;
  },
  referenced: true,
  body: (state, step) => {
    const { caller, request } = step as LinkSetStep;
    return linkSet(state, caller, request);
  },
});
