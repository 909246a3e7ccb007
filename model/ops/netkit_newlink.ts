/**
 * RTM_NEWLINK for kind "netkit": create a pair or a single device. Kernel: net/core/rtnetlink.c
 * (`rtnl_newlink`, `rtnl_create_link`, `rtnl_get_peer_net`), drivers/net/netkit.c
 * (`netkit_policy`, `netkit_validate`, `netkit_alloc`, `netkit_new_link`); operations.md §8
 * (NK-NEW-01..20). Atomic: the whole request runs under RTNL.
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  DATA_PATH,
  intValue,
  NETKIT_MODE,
  NETKIT_PAIRING,
  NETKIT_POLICY,
  NETKIT_SCRUB,
} from "../netlink.ts";
import {
  allocPeerId,
  appendDevice,
  type DeviceIndex,
  emptyQueues,
  type ModelState,
  type NetkitDevice,
  type NetkitMode,
  type NetkitPairing,
  type NetkitPolicy,
  type NetkitScrub,
  type NetnsIndex,
  reserveIfindex,
  updateDevice,
} from "../state.ts";
import type { Caller, OpResult } from "./types.ts";

/**
 * `IFLA_NETKIT_PEER_INFO` content. On the wire it is a `struct ifinfomsg` followed by IFLA_*
 * attributes; the model takes those attributes as an object.
 */
export interface NetkitPeerInfo {
  /** Peer name. */
  readonly ifname?: string;
  /** Peer MAC address, `aa:bb:cc:dd:ee:ff`. */
  readonly address?: string;
  /** Peer `num_rx_queues`. */
  readonly "num-rx-queues"?: number;
  /** Peer `num_tx_queues`. */
  readonly "num-tx-queues"?: number;
  /** Peer namespace (index or name); default the caller's. */
  readonly "net-ns"?: number | string;
}

/** netkit `IFLA_INFO_DATA` (ynl-specs.md §3). */
export interface NetkitData {
  /** PEER_INFO (pair only). */
  readonly "peer-info"?: NetkitPeerInfo;
  /** PRIMARY: read-only, always rejected. */
  readonly primary?: number;
  /** POLICY. */
  readonly policy?: string | number;
  /** PEER_POLICY. */
  readonly "peer-policy"?: string | number;
  /** MODE. */
  readonly mode?: string | number;
  /** SCRUB. */
  readonly scrub?: string | number;
  /** PEER_SCRUB. */
  readonly "peer-scrub"?: string | number;
  /** HEADROOM. */
  readonly headroom?: number;
  /** TAILROOM. */
  readonly tailroom?: number;
  /** PAIRING. */
  readonly pairing?: string | number;
}

/** An RTM_NEWLINK request for a netkit device (ynl-specs.md §3.3). */
export interface NetkitNewlinkRequest {
  /** Name of the (primary) device; default `nk%d`. */
  readonly ifname?: string;
  /** MAC address of the (primary) device. */
  readonly address?: string;
  /** `num_rx_queues` (also the peer's without PEER_INFO, NK-NEW-15). */
  readonly "num-rx-queues"?: number;
  /** `num_tx_queues`. */
  readonly "num-tx-queues"?: number;
  /** Link info. */
  readonly linkinfo: { readonly kind: "netkit"; readonly data?: NetkitData };
}

/** NEWLINK acknowledges without payload; the model reports the created devices' ifindexes. */
export interface NetkitNewlinkReply {
  /** ifindex of the (primary) device. */
  readonly ifindex: number;
  /** ifindex of the peer (pair mode). */
  readonly "peer-ifindex"?: number;
}

/** Parsed, validated creation parameters (also used to build the initial state). */
export interface NetkitParams {
  /**
   * Primary name; absent: the lowest free `nk%d` of its netns once the peer is registered (the
   * peer takes its `nk%d` first, NK-NEW-13).
   */
  readonly name?: string;
  /** Primary netns. */
  readonly netns: NetnsIndex;
  /** Pairing. */
  readonly pairing: NetkitPairing;
  /** Mode. */
  readonly mode: NetkitMode;
  /** Primary policy. */
  readonly policy: NetkitPolicy;
  /** Peer policy. */
  readonly peerPolicy: NetkitPolicy;
  /** Primary scrub. */
  readonly scrub: NetkitScrub;
  /** Peer scrub. */
  readonly peerScrub: NetkitScrub;
  /** Headroom (both ends). */
  readonly headroom: number;
  /** Tailroom (both ends). */
  readonly tailroom: number;
  /** Primary `num_rx_queues`. */
  readonly numRx: number;
  /** Peer name (pair). */
  readonly peerName?: string;
  /** Peer netns (pair). */
  readonly peerNetns: NetnsIndex;
  /** Peer `num_rx_queues` (pair). */
  readonly peerNumRx: number;
}

const DATA_RANGES: Readonly<Record<string, { max?: number; enums?: Record<string, number> }>> = {
  policy: { enums: NETKIT_POLICY },
  "peer-policy": { enums: NETKIT_POLICY },
  mode: { max: 1, enums: NETKIT_MODE },
  scrub: { max: 1, enums: NETKIT_SCRUB },
  "peer-scrub": { max: 1, enums: NETKIT_SCRUB },
  headroom: { max: 0xffff },
  tailroom: { max: 0xffff },
  pairing: { max: 1, enums: NETKIT_PAIRING },
};

/**
 * Parses netkit `IFLA_INFO_DATA` with `netkit_policy` in attribute order (NK-NEW-01/02,
 * NK-CHG-5): PRIMARY is NLA_REJECT with "Primary attribute is read-only", enums have `max`.
 */
export function parseNetkitData(data: NetkitData): OpFailure | undefined {
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined || name === "peer-info") continue;
    const at = `${DATA_PATH}.${name}`;
    if (name === "primary") {
      return failure("EINVAL", { extack: "Primary attribute is read-only", badAttr: at });
    }
    const range = DATA_RANGES[name];
    if (range === undefined) continue; // liberal parse: unknown types are ignored
    const n = intValue(value, at, range.enums);
    if (n < 0 || (range.max !== undefined && n > range.max)) {
      // NK-NEW-01: the policy core's range check returns -ERANGE (lib/nlattr.c), not the -EINVAL
      // operations.md states; the 7.2.13 kernel agrees with this line.
      return failure("ERANGE", { extack: "integer out of range", badAttr: at });
    }
  }
  return undefined;
}

function nameOf<T extends string>(table: Readonly<Record<string, number>>, n: number): T {
  return Object.keys(table).find((k) => table[k] === n) as T;
}

/** `netkit_validate` on one attribute table: IFLA_ADDRESS length and validity (NK-NEW-03/04). */
/**
 * NK-NEW-10 in `netkit_new_link`: a single-mode device refuses PEER_INFO, PEER_SCRUB,
 * PEER_POLICY, SCRUB (`seen_scrub`) and a primary policy other than PASS (`policy`, as parsed).
 * Hook point `netkitNewLinkSingle`.
 */
function netkitNewLinkSingle(data: NetkitData, policy: number): OpFailure | null {
  if (
    data["peer-info"] !== undefined || data["peer-scrub"] !== undefined ||
    data["peer-policy"] !== undefined || data.scrub !== undefined ||
    policy !== NETKIT_POLICY.forward
  ) return failure("EOPNOTSUPP");
  return null;
}

function validateAddress(address: string | undefined): OpFailure | undefined {
  if (address === undefined) return undefined;
  const octets = address.split(":").map((h) => parseInt(h, 16));
  if (octets.length !== 6 || octets.some((o) => Number.isNaN(o) || o < 0 || o > 255)) {
    return failure("EINVAL"); // NK-NEW-03: nla_len != ETH_ALEN
  }
  // NK-NEW-04: is_valid_ether_addr: not multicast and not all zero.
  if ((octets[0] & 1) === 1 || octets.every((o) => o === 0)) return failure("EADDRNOTAVAIL");
  return undefined;
}

/** NK-NEW-05 (rtnl_create_link) then NK-NEW-06 (netkit_alloc) for one device's queue counts. */
function checkQueueCounts(tx: number, rx: number): OpFailure | undefined {
  if (tx < 1 || tx > 4096) {
    return failure("EINVAL", { extack: "Invalid number of transmit queues" });
  }
  if (rx < 1 || rx > 4096) return failure("EINVAL", { extack: "Invalid number of receive queues" });
  if (tx > 1 || rx > 1024) return failure("EOPNOTSUPP"); // NK-NEW-06, LIM-1
  return undefined;
}

function resolveNetns(state: ModelState, ref: number | string, fallback: NetnsIndex): NetnsIndex {
  if (typeof ref === "number") return ref;
  const i = state.netns.findIndex((n) => n.name === ref && n.alive);
  return i < 0 ? fallback : i;
}

function freeName(state: ModelState, netns: NetnsIndex, taken: readonly string[]): string {
  for (let n = 0;; n++) {
    const name = `nk${n}`;
    const used = taken.includes(name) ||
      state.devices.some((d) => d.netns === netns && d.reg !== "gone" && d.name === name);
    if (!used) return name;
  }
}

/**
 * Runs RTM_NEWLINK for a netkit device in the caller's namespace.
 *
 * @example Usage
 * ```ts
 * import { netkitNewlink } from "./netkit_newlink.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = netkitNewlink(initialState(DEFAULT_CONFIG), { netns: 0 }, {
 *   "num-rx-queues": 2, linkinfo: { kind: "netkit", data: { mode: "l2", pairing: "single" } },
 * });
 * assert.ok(r.reply.ok);
 * ```
 */
export function netkitNewlink(
  state: ModelState,
  caller: Caller,
  request: NetkitNewlinkRequest,
  options?: ModelOptions,
): OpResult<NetkitNewlinkReply> {
  const fail = (f: OpFailure): OpResult<NetkitNewlinkReply> => ({ state, reply: f });
  const data = request.linkinfo.data ?? {};
  // NK-NEW-01/02: netkit_policy over IFLA_INFO_DATA, in attribute order.
  const bad = parseNetkitData(data);
  if (bad) return fail(bad);
  const peerInfo = data["peer-info"];
  // NK-NEW-03/04: netkit_validate on the primary's table.
  const addr = validateAddress(request.address);
  if (addr) return fail(addr);
  // NK-NEW-04b: PEER_INFO's nested attributes are parsed and validated in every pairing mode.
  if (peerInfo) {
    const peerAddr = validateAddress(peerInfo.address);
    if (peerAddr) return fail(peerAddr);
  }
  // NK-NEW-05/06: rtnl_create_link and netkit_alloc for the primary (defaults 1/1, NK-NEW-13).
  const numTx = request["num-tx-queues"] ?? 1;
  const numRx = request["num-rx-queues"] ?? 1;
  const counts = checkQueueCounts(numTx, numRx);
  if (counts) return fail(counts);

  const get = (name: Exclude<keyof NetkitData, "peer-info">, dflt: number): number =>
    data[name] === undefined
      ? dflt
      : intValue(data[name], `${DATA_PATH}.${name}`, DATA_RANGES[name]?.enums);
  const mode = get("mode", NETKIT_MODE.l3);
  const pairing = get("pairing", NETKIT_PAIRING.pair);
  const policy = get("policy", NETKIT_POLICY.forward);
  const peerPolicy = get("peer-policy", NETKIT_POLICY.forward);
  // NK-NEW-07/08: netkit_check_policy for POLICY then PEER_POLICY.
  for (const [name, value] of [["policy", policy], ["peer-policy", peerPolicy]] as const) {
    if (value !== NETKIT_POLICY.forward && value !== NETKIT_POLICY.blackhole) {
      return fail(failure("EINVAL", {
        extack: "Provided default xmit policy not supported",
        badAttr: `${DATA_PATH}.${name}`,
      }));
    }
  }
  // NK-NEW-09: only L2 devices may be given an address (own or peer's).
  if (
    mode !== NETKIT_MODE.l2 && (request.address !== undefined || peerInfo?.address !== undefined)
  ) {
    return fail(failure("EOPNOTSUPP"));
  }
  // NK-NEW-10: single mode rejects PEER_INFO, PEER_SCRUB, PEER_POLICY, SCRUB and a non-PASS
  // policy.
  if (pairing === NETKIT_PAIRING.single) {
    const refused = hook(options, "netkitNewLinkSingle", netkitNewLinkSingle)(data, policy);
    if (refused !== null) return fail(refused);
  }
  // NK-NEW-11 / NK-NEW-15: the peer's queue counts come from PEER_INFO, else the top level.
  const peerRx = peerInfo?.["num-rx-queues"] ?? (peerInfo ? 1 : numRx);
  const peerTx = peerInfo?.["num-tx-queues"] ?? (peerInfo ? 1 : numTx);
  if (pairing === NETKIT_PAIRING.pair) {
    const peerCounts = checkQueueCounts(peerTx, peerRx);
    if (peerCounts) return fail(peerCounts);
  }
  const peerNetns = peerInfo?.["net-ns"] === undefined
    ? caller.netns
    : resolveNetns(state, peerInfo["net-ns"], caller.netns);
  const params: NetkitParams = {
    ...(request.ifname === undefined ? {} : { name: request.ifname }),
    netns: caller.netns,
    pairing: nameOf(NETKIT_PAIRING, pairing),
    mode: nameOf(NETKIT_MODE, mode),
    policy: nameOf(NETKIT_POLICY, policy),
    peerPolicy: nameOf(NETKIT_POLICY, peerPolicy),
    scrub: nameOf(NETKIT_SCRUB, get("scrub", NETKIT_SCRUB.default)),
    peerScrub: nameOf(NETKIT_SCRUB, get("peer-scrub", NETKIT_SCRUB.default)),
    headroom: get("headroom", 0),
    tailroom: get("tailroom", 0),
    numRx,
    peerName: peerInfo?.ifname,
    peerNetns,
    peerNumRx: peerRx,
  };
  const created = createNetkit(state, params);
  const s = { ...created.state, netkitBudget: Math.max(0, created.state.netkitBudget - 1) };
  const primary = s.devices[created.primary];
  const reply: NetkitNewlinkReply = created.peer === undefined
    ? { ifindex: primary.ifindex }
    : { ifindex: primary.ifindex, "peer-ifindex": s.devices[created.peer].ifindex };
  return { state: s, reply: success(reply) };
}

/**
 * Creates the devices of a validated NEWLINK (NK-NEW-16..19): in pair mode the peer is
 * registered first (lower ifindex), then the primary, then the peer pointers are published; the
 * primary's RTM_NEWLINK notification names the peer's netns with `peernet2id_alloc` when it
 * differs (`rtnl_fill_link_netnsid`). Devices start down with 1 real rx and 1 real tx queue.
 */
export function createNetkit(
  state: ModelState,
  p: NetkitParams,
): { state: ModelState; primary: DeviceIndex; peer?: DeviceIndex } {
  const base = (name: string, netns: NetnsIndex, ifindex: number, numRx: number) => ({
    name,
    netns,
    ifindex,
    reg: "registered" as const,
    up: false,
    numRx,
    realRx: 1,
    realTx: 1,
    rxq: emptyQueues(numRx),
    refs: 0,
    kind: "netkit" as const,
    pairing: p.pairing,
    mode: p.mode,
    headroom: p.headroom,
    tailroom: p.tailroom,
  });
  let s = state;
  if (p.pairing === "single") {
    const r = reserveIfindex(s, p.netns);
    const dev: NetkitDevice = {
      ...base(p.name ?? freeName(s, p.netns, []), p.netns, r.ifindex, p.numRx),
      primary: true,
      peer: null,
      policy: p.policy,
      scrub: p.scrub,
    };
    const a = appendDevice(r.state, dev);
    return { state: a.state, primary: a.index };
  }
  // NK-NEW-13: netkit_new_link() registers the peer first, so an unnamed peer takes the lowest
  // free nk%d of its netns before the primary's name is chosen (an unnamed pair in one netns is
  // peer nk0, primary nk1). An explicitly named primary is kept clear of (the kernel would fail
  // its register_netdevice() with EEXIST; not modelled).
  const peerName = p.peerName ?? freeName(s, p.peerNetns, p.name === undefined ? [] : [p.name]);
  const rp = reserveIfindex(s, p.peerNetns);
  const peerIndex = rp.state.devices.length;
  const primaryIndex = peerIndex + 1;
  const peer: NetkitDevice = {
    ...base(peerName, p.peerNetns, rp.ifindex, p.peerNumRx),
    primary: false,
    peer: null,
    policy: p.peerPolicy,
    scrub: p.peerScrub,
  };
  s = appendDevice(rp.state, peer).state;
  const r = reserveIfindex(s, p.netns);
  const primary: NetkitDevice = {
    ...base(p.name ?? freeName(s, p.netns, []), p.netns, r.ifindex, p.numRx),
    primary: true,
    peer: null,
    policy: p.policy,
    scrub: p.scrub,
  };
  s = appendDevice(r.state, primary).state;
  s = updateDevice(s, peerIndex, (d) => ({ ...d, peer: primaryIndex }));
  s = updateDevice(s, primaryIndex, (d) => ({ ...d, peer: peerIndex }));
  if (p.netns !== p.peerNetns) s = allocPeerId(s, p.netns, p.peerNetns).state;
  return { state: s, primary: primaryIndex, peer: peerIndex };
}
