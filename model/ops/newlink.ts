/**
 * RTM_NEWLINK (`rtnl_newlink`, net/core/rtnetlink.c): a request that names an existing device
 * (`ifi-index` > 0) changes it (`rtnl_changelink` → netkit's `netkit_change_link`,
 * netkit_changelink.ts); any other creates one (`rtnl_newlink_create` → `netkit_new_link`,
 * netkit_newlink.ts). The model creates and changes netkit devices only.
 *
 * @module
 */

import type { ModelOptions } from "../mutants.ts";
import type { ModelState } from "../state.ts";
import { netkitChangelink, type NetkitChangelinkRequest } from "./netkit_changelink.ts";
import { netkitNewlink, type NetkitNewlinkRequest } from "./netkit_newlink.ts";
import type { Caller, OpResult } from "./types.ts";

/** An RTM_NEWLINK request: a netkit device to create, or the changes of an existing one. */
export type NewlinkRequest = NetkitNewlinkRequest | NetkitChangelinkRequest;

/** True when the request names an existing device (`ifinfomsg.ifi_index` > 0): a change. */
export function isChange(request: NewlinkRequest): request is NetkitChangelinkRequest {
  const ifindex = (request as { "ifi-index"?: unknown })["ifi-index"];
  return typeof ifindex === "number" && ifindex > 0;
}

/**
 * Runs RTM_NEWLINK: changelink when the request names a device, else create.
 *
 * @example Usage
 * ```ts
 * import { newlink } from "./newlink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * const made = newlink(s, { netns: 0 }, {
 *   "num-rx-queues": 2, linkinfo: { kind: "netkit", data: { pairing: "single" } },
 * });
 * assert.ok(made.reply.ok);
 * const changed = newlink(s, { netns: 0 }, {
 *   "ifi-index": 3, linkinfo: { kind: "netkit", data: { mode: "l3" } },
 * });
 * assert.equal(changed.reply.ok ? "ok" : changed.reply.errno, "EACCES");
 * ```
 */
export function newlink(
  state: ModelState,
  caller: Caller,
  request: NewlinkRequest,
  options?: ModelOptions,
): OpResult<unknown> {
  return isChange(request)
    ? netkitChangelink(state, caller, request, options)
    : netkitNewlink(state, caller, request, options);
}
