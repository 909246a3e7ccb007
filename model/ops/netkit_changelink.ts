/**
 * RTM_NEWLINK without NLM_F_CREATE on an existing netkit (changelink). Kernel: drivers/net/netkit.c
 * `netkit_change_link`; operations.md §9 (NK-CHG-1..5). Atomic (RTNL).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import { DATA_PATH, intValue, NETKIT_POLICY } from "../netlink.ts";
import {
  deviceByIfindex,
  type DeviceIndex,
  isNetkit,
  type ModelState,
  type NetkitPolicy,
  updateDevice,
} from "../state.ts";
import { type NetkitData, parseNetkitData } from "./netkit_newlink.ts";
import type { Caller, OpResult } from "./types.ts";

/** A changelink request: RTM_NEWLINK naming an existing device. */
export interface NetkitChangelinkRequest {
  /** Device, in the caller's netns (`ifinfomsg.ifi_index`). */
  readonly "ifi-index": number;
  /** Link info (kind must be netkit). */
  readonly linkinfo: { readonly kind: string; readonly data?: NetkitData };
}

/** NK-CHG-2: attributes fixed after creation, in check order, with their %s text. */
const FIXED: readonly (readonly [keyof NetkitData, string])[] = [
  ["mode", "operating mode"],
  ["scrub", "scrubbing"],
  ["peer-scrub", "peer scrubbing"],
  ["peer-info", "peer info"],
  ["headroom", "headroom"],
  ["tailroom", "tailroom"],
  ["pairing", "pairing"],
];

function checkPolicy(value: number, name: string): OpFailure | undefined {
  if (value === NETKIT_POLICY.forward || value === NETKIT_POLICY.blackhole) return undefined;
  return failure("EINVAL", {
    extack: "Provided default xmit policy not supported",
    badAttr: `${DATA_PATH}.${name}`,
  });
}

/**
 * NK-CHG-2 in `netkit_change_link`: a parameter fixed at creation is refused (-EACCES, in
 * {@linkcode FIXED} order). Returns the state to continue with, or the failure. Hook point
 * `netkitChangeLinkFixed`.
 */
function netkitChangeLinkFixed(
  state: ModelState,
  _dev: DeviceIndex,
  data: NetkitData,
): ModelState | OpFailure {
  for (const [name, text] of FIXED) {
    if (data[name] === undefined) continue;
    return failure("EACCES", {
      extack: `netkit link ${text} cannot be changed after device creation`,
      badAttr: `${DATA_PATH}.${name}`,
    });
  }
  return state;
}

/**
 * Runs changelink.
 *
 * @example Usage
 * ```ts
 * import { netkitChangelink } from "./netkit_changelink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = netkitChangelink(initialState(DEFAULT_CONFIG), { netns: 0 }, {
 *   "ifi-index": 3, linkinfo: { kind: "netkit", data: { policy: "blackhole" } },
 * });
 * assert.ok(r.reply.ok);
 * ```
 */
export function netkitChangelink(
  state: ModelState,
  caller: Caller,
  request: NetkitChangelinkRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const fail = (f: OpFailure): OpResult<Record<string, never>> => ({ state, reply: f });
  const dev = deviceByIfindex(state, caller.netns, request["ifi-index"]);
  if (dev === undefined) return fail(failure("ENODEV"));
  const d = state.devices[dev];
  // rtnl_newlink: the kind given must match the device's link ops.
  if (!isNetkit(d) || request.linkinfo.kind !== "netkit") return fail(failure("EOPNOTSUPP"));
  const data = request.linkinfo.data ?? {};
  // NK-CHG-5: netkit_policy parse (PRIMARY is read-only).
  const bad = parseNetkitData(data);
  if (bad) return fail(bad);
  // NK-CHG-1: only through the primary.
  if (!d.primary) {
    return fail(failure("EACCES", {
      extack: "netkit link settings can be changed only through the primary device",
    }));
  }
  // NK-CHG-2: fixed parameters.
  const fixed = hook(options, "netkitChangeLinkFixed", netkitChangeLinkFixed)(state, dev, data);
  if ("ok" in fixed) return fail(fixed);
  let s = fixed;
  // NK-CHG-3: POLICY: single → -EOPNOTSUPP; pair: validated, then stored.
  if (data.policy !== undefined) {
    if (d.pairing === "single") {
      return { state: s === state ? state : s, reply: failure("EOPNOTSUPP") };
    }
    const v = intValue(data.policy, `${DATA_PATH}.policy`, NETKIT_POLICY);
    const e = checkPolicy(v, "policy");
    if (e) return { state: s, reply: e };
    s = updateDevice(s, dev, (x) => ({ ...x, policy: pick<NetkitPolicy>(NETKIT_POLICY, v) }));
  }
  // NK-CHG-4: PEER_POLICY needs a peer; validated after POLICY was already applied.
  if (data["peer-policy"] !== undefined) {
    const peer = d.peer;
    if (peer === null) return { state: s, reply: failure("EOPNOTSUPP") };
    const v = intValue(data["peer-policy"], `${DATA_PATH}.peer-policy`, NETKIT_POLICY);
    const e = checkPolicy(v, "peer-policy");
    if (e) return { state: s, reply: e };
    s = updateDevice(s, peer, (x) => ({ ...x, policy: pick<NetkitPolicy>(NETKIT_POLICY, v) }));
  }
  return { state: s, reply: success({}) };
}

function pick<T extends string>(table: Readonly<Record<string, number>>, n: number): T {
  return (Object.keys(table).find((k) => table[k] === n) ?? String(n)) as T;
}
