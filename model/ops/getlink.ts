/**
 * RTM_GETLINK for a netkit device: the generic attributes the model tracks plus
 * `netkit_fill_info` (drivers/net/netkit.c, after e530b484b705); operations.md §10
 * (NK-GET-1..6), ynl-specs.md §3.3.
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  allocPeerId,
  deviceByLinkId,
  type DeviceIndex,
  isNetkit,
  isPhysical,
  type ModelState,
  type NetkitMode,
  type NetkitPairing,
  type NetkitPolicy,
  type NetkitScrub,
} from "../state.ts";
import type { Caller, LinkIdRequest, OpResult } from "./types.ts";
import {
  done,
  drop,
  hold,
  newProc,
  type Program,
  releaseAll,
  runAtomic,
  waitFor,
  yieldTo,
} from "../process.ts";

/** netkit `IFLA_INFO_DATA` as GETLINK reports it, keys in emission order. */
export interface NetkitInfoData {
  /** PRIMARY (u8). */
  readonly primary: 0 | 1;
  /** POLICY: own policy (always forward for single). */
  readonly policy: NetkitPolicy;
  /** MODE. */
  readonly mode: NetkitMode;
  /** SCRUB: pair only (after e530b484b705). */
  readonly scrub?: NetkitScrub;
  /** HEADROOM. */
  readonly headroom: number;
  /** TAILROOM. */
  readonly tailroom: number;
  /** PAIRING. */
  readonly pairing: NetkitPairing;
  /** PEER_POLICY: while a peer pointer exists (NK-GET-1). */
  readonly "peer-policy"?: NetkitPolicy;
  /** PEER_SCRUB: while a peer pointer exists. */
  readonly "peer-scrub"?: NetkitScrub;
}

/** The GETLINK reply (the attributes the model tracks). */
export interface NetkitLinkInfo {
  /** ifindex (`ifinfomsg.ifi_index`). */
  readonly "ifi-index": number;
  /** Name. */
  readonly ifname: string;
  /** IFLA_LINK: the peer's ifindex, 0 for single (NK-GET-4). */
  readonly link: number;
  /** IFLA_LINK_NETNSID: the peer's netns, named by the caller's netns, when it differs. */
  readonly "link-netnsid"?: number;
  /** `num_rx_queues` (not the real count, NK-GET-6). */
  readonly "num-rx-queues": number;
  /** `num_tx_queues`. */
  readonly "num-tx-queues": number;
  /** Link info. */
  readonly linkinfo: { readonly kind: "netkit"; readonly data: NetkitInfoData };
}

/**
 * The GETLINK reply for a physical device: the generic attributes the model tracks (LINK-GET-1).
 * There is no `link`, `link-netnsid` or `linkinfo`.
 */
export interface PhysicalLinkInfo {
  /** ifindex (`ifinfomsg.ifi_index`). */
  readonly "ifi-index": number;
  /** Name. */
  readonly ifname: string;
  /** `num_rx_queues` (netdevsim: the port's queue count at creation). */
  readonly "num-rx-queues": number;
  /** `num_tx_queues` (netdevsim: the same count). */
  readonly "num-tx-queues": number;
}

/** A GETLINK reply: a netkit's or a physical device's. */
export type LinkInfo = NetkitLinkInfo | PhysicalLinkInfo;

/** A GETLINK request: the device, by `ifi-index` or `ifname`, in the caller's netns. */
export type GetlinkRequest = LinkIdRequest;

/**
 * `netkit_fill_info` for device `dev` (table in operations.md §10), through its hook point
 * `netkitFillInfo`.
 */
export function netkitFillInfo(
  state: ModelState,
  dev: DeviceIndex,
  options?: ModelOptions,
): NetkitInfoData {
  return hook(options, "netkitFillInfo", fillInfo)(state, dev);
}

/** `netkit_fill_info` (operations.md §10): SCRUB only for a pair device (A-02, e530b484b705). */
function fillInfo(state: ModelState, dev: DeviceIndex): NetkitInfoData {
  const d = state.devices[dev];
  if (!isNetkit(d)) throw new TypeError(`Cannot fill netkit info of ${d.name}: not a netkit`);
  const peer = d.peer === null ? undefined : state.devices[d.peer];
  const single = d.pairing === "single";
  // Emission order: PRIMARY, POLICY, MODE, [SCRUB], HEADROOM, TAILROOM, PAIRING, [PEER_*].
  const head = {
    primary: d.primary ? 1 as const : 0 as const,
    policy: single ? "forward" as const : d.policy,
    mode: d.mode,
  };
  const scrub = single ? {} : { scrub: d.scrub };
  const tail = { headroom: d.headroom, tailroom: d.tailroom, pairing: d.pairing };
  const peerAttrs = peer !== undefined && isNetkit(peer)
    ? { "peer-policy": peer.policy, "peer-scrub": peer.scrub }
    : {};
  const out: NetkitInfoData = { ...head, ...scrub, ...tail, ...peerAttrs };
  return out;
}

/**
 * Runs RTM_GETLINK on a netkit or physical device of the caller's netns. `link-netnsid` is computed with
 * `peernet2id_alloc(caller_net, peer_net)`, which may allocate an id (`rtnl_fill_link_netnsid`).
 *
 * @example Usage
 * ```ts
 * import { getlink } from "./getlink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = getlink(initialState(DEFAULT_CONFIG), { netns: 0 }, { "ifi-index": 3 });
 * assert.ok(r.reply.ok);
 * ```
 */
export function getlink(
  state: ModelState,
  caller: Caller,
  request: GetlinkRequest,
  options?: ModelOptions,
): OpResult<LinkInfo> {
  const r = runAtomic(state, { caller, request }, GETLINK, options);
  return r as OpResult<LinkInfo>;
}

/**
 * `rtnl_getlink` as a stepped program: the device looked up and referenced (under RCU), then
 * RTNL, `dev_isalive`, the fill.
 */
export const GETLINK: Program = {
  name: "getlink",
  start: (state, step) => {
    const { caller, request } = step as { caller: Caller; request: GetlinkRequest };
    const proc = newProc("getlink", step, null);
    // rtnl_getlink: by ifindex, else by name; neither given: -EINVAL.
    const dev = deviceByLinkId(state, caller.netns, request);
    if (dev === "missing") return done(state, proc, failure("EINVAL"));
    if (dev === undefined) return done(state, proc, failure("ENODEV"));
    return yieldTo(state, waitFor(hold({ ...proc, ctx: dev }, { dev }), "rtnl", "rtnl"));
  },
  resume: (state, proc, x) => {
    const { caller } = proc.step as { caller: Caller };
    const dev = proc.ctx as DeviceIndex;
    const p = releaseAll(drop(proc, (h) => h.dev === dev));
    // dev_isalive: a device past REGISTERED answers -ENODEV.
    if (state.devices[dev].reg !== "registered") return done(state, p, failure("ENODEV"));
    const r = getlinkDevice(state, caller, dev, x.options);
    return done(r.state, p, r.reply);
  },
};

/** The GETLINK fill of device `dev` for `caller` (`rtnl_fill_ifinfo` with `netkit_fill_info`). */
function getlinkDevice(
  state: ModelState,
  caller: Caller,
  dev: DeviceIndex,
  options?: ModelOptions,
): OpResult<LinkInfo> {
  const d = state.devices[dev];
  // A physical device (LINK-GET-1): rtnl_fill_ifinfo's generic attributes only. Its iflink is
  // its own ifindex (no ndo_get_iflink), so nla_put_iflink emits no IFLA_LINK; it has no
  // rtnl_link_ops, so no IFLA_LINK_NETNSID and no IFLA_LINKINFO. netdevsim allocates
  // `num_queues` rx and tx queues (alloc_netdev_mq), the model's `numRx`.
  if (isPhysical(d)) {
    const reply: PhysicalLinkInfo = {
      "ifi-index": d.ifindex,
      ifname: d.name,
      "num-rx-queues": d.numRx,
      "num-tx-queues": d.numRx,
    };
    return { state, reply: success(reply) };
  }
  // Other devices (lo) are not modelled for GETLINK.
  if (!isNetkit(d)) return { state, reply: failure("EOPNOTSUPP") };
  let s = state;
  const peer = d.peer === null ? undefined : state.devices[d.peer];
  const info: {
    ifindex: number;
    ifname: string;
    link: number;
    "link-netnsid"?: number;
    "num-rx-queues": number;
    "num-tx-queues": number;
    linkinfo: { kind: "netkit"; data: NetkitInfoData };
  } = {
    ifindex: d.ifindex,
    ifname: d.name,
    link: peer?.ifindex ?? 0,
    "num-rx-queues": d.numRx,
    "num-tx-queues": 1,
    linkinfo: { kind: "netkit", data: netkitFillInfo(state, dev, options) },
  };
  if (peer !== undefined && peer.netns !== d.netns) {
    const r = allocPeerId(s, caller.netns, peer.netns);
    s = r.state;
    info["link-netnsid"] = r.id;
  }
  const ordered: NetkitLinkInfo = {
    "ifi-index": info.ifindex,
    ifname: info.ifname,
    link: info.link,
    ...(info["link-netnsid"] === undefined ? {} : { "link-netnsid": info["link-netnsid"] }),
    "num-rx-queues": info["num-rx-queues"],
    "num-tx-queues": info["num-tx-queues"],
    linkinfo: info.linkinfo,
  };
  return { state: s, reply: success(ordered) };
}
