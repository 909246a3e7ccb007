/**
 * RTM_DELLINK. For a netkit (either end of a pair): `netkit_del_link` queues the device and its
 * peer, then the batch unregister runs `netkit_uninit` → `netkit_queue_unlease` (NK-DEL-1..7).
 * Devices without `rtnl_link_ops->dellink` (physical devices, `lo`) answer -EOPNOTSUPP
 * (net/core/rtnetlink.c `rtnl_dellink`). A program: RTNL, `netkit_del_link`, then the batch
 * machine of `_unregister.ts` (its steps: netkit lock and physical lock per leased queue).
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { done, newProc, type Program, release, runAtomic, type Seg, waitFor } from "../process.ts";
import { deviceByLinkId, type DeviceIndex, isNetkit, type ModelState } from "../state.ts";
import { enterMachine, netkitDelLink, UNREGISTER } from "./_unregister.ts";
import type { Caller, LinkIdRequest, OpResult } from "./types.ts";

/** A DELLINK request: the device, by `ifi-index` or `ifname`, in the caller's netns. */
export type DellinkRequest = LinkIdRequest;

/**
 * Runs RTM_DELLINK.
 *
 * @example Usage
 * ```ts
 * import { dellink } from "./dellink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * const r = dellink(s, { netns: 0 }, { "ifi-index": 3 }); // nk0: its peer nk1 goes with it
 * const gone = r.state.devices.flatMap((d) => (d.reg === "gone" ? [d.name] : []));
 * assert.deepEqual(gone.sort(), ["nk0", "nk1"]);
 * ```
 */
export function dellink(
  state: ModelState,
  caller: Caller,
  request: DellinkRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { caller, request }, DELLINK, options);
  return r as OpResult<Record<string, never>>;
}

/** RTM_DELLINK as a stepped program (`rtnl_dellink` → `netkit_del_link`, NK-DEL-1..7). */
export const DELLINK: Program = {
  name: "dellink",
  start: (state, step) => ({
    kind: "yield",
    state,
    proc: waitFor(newProc("dellink", step, null), "rtnl", "rtnl"),
  }),
  resume: (state, proc, x): Seg => {
    if (proc.pc !== "rtnl") return UNREGISTER.resume(state, proc, x);
    const { caller, request } = proc.step as { caller: Caller; request: DellinkRequest };
    // rtnl_dellink: by ifindex, else by name; neither given: -EINVAL.
    const dev = deviceByLinkId(state, caller.netns, request);
    if (dev === "missing") return done(state, release(proc, "rtnl"), failure("EINVAL"));
    if (dev === undefined) return done(state, release(proc, "rtnl"), failure("ENODEV"));
    if (!isNetkit(state.devices[dev])) {
      return done(state, release(proc, "rtnl"), failure("EOPNOTSUPP"));
    }
    const list: DeviceIndex[] = [];
    const queued: DeviceIndex[] = [];
    const s = netkitDelLink(state, dev, list, queued, proc.held, x.options);
    return UNREGISTER.resume(s, enterMachine(proc, list, queued), x);
  },
};
