/**
 * RTM_NEWLINK (`rtnl_newlink`, net/core/rtnetlink.c): a request that names an existing device
 * (`ifi-index` > 0) changes it (`rtnl_changelink` → netkit's `netkit_change_link`,
 * netkit_changelink.ts); any other creates one (`rtnl_newlink_create` → `netkit_new_link`,
 * netkit_newlink.ts). The model creates and changes netkit devices only. Stepped
 * ({@linkcode NEWLINK}): all under RTNL; a change that netkit accepts then runs `do_setlink`,
 * which takes the device's ops lock (`netdev_lock_ops`) — a step of its own.
 *
 * @module
 */

import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  done,
  type Exec,
  newProc,
  type Program,
  releaseAll,
  type Seg,
  waitFor,
  yieldTo,
} from "../process.ts";
import {
  deviceByIfindex,
  type DeviceIndex,
  type LockId,
  type ModelState,
  type Proc,
} from "../state.ts";
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

type NewlinkStep = { readonly caller: Caller; readonly request: NewlinkRequest };

/**
 * The locks `rtnl_changelink` takes after `netkit_change_link` accepted a change, in order:
 * `do_setlink`'s `netdev_lock_ops(dev)` (net/core/rtnetlink.c: `ops->changelink` runs under RTNL
 * without the instance lock, then `do_setlink` takes it; 7.2.13).
 */
function netkitChangeLinkLocks(_state: ModelState, dev: DeviceIndex): readonly LockId[] {
  return [dev];
}

/** RTM_NEWLINK as a stepped program: RTNL, the change or the creation, `do_setlink`'s lock. */
export const NEWLINK: Program = {
  name: "newlink",
  start: (state, step) => yieldTo(state, waitFor(newProc("newlink", step, null), "rtnl", "rtnl")),
  resume: (state, proc, x) => {
    if (proc.pc === "rtnl") return underRtnl(state, proc, x);
    // The next of the locks after a change (do_setlink); then the reply.
    return nextLock(state, proc);
  },
};

function underRtnl(state: ModelState, proc: Proc, x: Exec): Seg {
  const { caller, request } = proc.step as NewlinkStep;
  if (!isChange(request)) {
    const r = netkitNewlink(state, caller, request, x.options);
    return done(r.state, releaseAll(proc), r.reply);
  }
  const r = netkitChangelink(state, caller, request, x.options);
  const dev = deviceByIfindex(state, caller.netns, request["ifi-index"]);
  if (!r.reply.ok || dev === undefined) return done(r.state, releaseAll(proc), r.reply);
  const locks = hook(x.options, "netkitChangeLinkLocks", netkitChangeLinkLocks)(state, dev);
  return nextLock(r.state, { ...proc, ctx: { locks, reply: r.reply } });
}

function nextLock(state: ModelState, proc: Proc): Seg {
  const { locks, reply } = proc.ctx as {
    locks: readonly LockId[];
    reply: OpResult<unknown>["reply"];
  };
  const lock = locks.find((l) => !proc.held.includes(l));
  if (lock === undefined) return done(state, releaseAll(proc), reply);
  return yieldTo(state, waitFor(proc, "locks", lock));
}
