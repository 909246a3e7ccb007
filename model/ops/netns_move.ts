/**
 * Moving a device to another network namespace (`ip link set DEV netns NS`; RTM_NEWLINK with
 * IFLA_NET_NS_FD). Kernel: net/core/dev.c `__dev_change_net_namespace`; operations.md §7
 * (NS-1..4), XSK-9, UNREG-1. Atomic (RTNL).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  allocPeerId,
  deviceByIfindex,
  type DeviceIndex,
  isNetkit,
  type ModelState,
  type NetnsIndex,
  reserveIfindex,
  updateDevice,
} from "../state.ts";
import { xskUnbind } from "./_queues.ts";
import { netkitNotifier, runTodo } from "./_unregister.ts";
import type { Caller, OpResult } from "./types.ts";

/** A netns move request. */
export interface NetnsMoveRequest {
  /** Device, in the caller's netns. */
  readonly ifindex: number;
  /** Target namespace: index in the model state, or its name. */
  readonly "net-ns": NetnsIndex | string;
}

/** Resolves a namespace reference of a request, or undefined if there is no live one. */
export function resolveNetnsRef(
  state: ModelState,
  ref: NetnsIndex | string,
): NetnsIndex | undefined {
  const i = typeof ref === "number" ? ref : state.netns.findIndex((n) => n.name === ref);
  return i >= 0 && i < state.netns.length && state.netns[i].alive ? i : undefined;
}

/**
 * Moves device `dev` to `target` (the body of `__dev_change_net_namespace`, also used by netns
 * deletion): close, NETDEV_UNREGISTER with reg_state still REGISTERED (xsk sockets bound to the
 * device are unbound; the netkit notifier ignores it, C-11 does not), IFLA_NEW_NETNSID
 * allocation in the old netns, the RTM_DELLINK fill, the move (new ifindex only if taken), and
 * the RTM_NEWLINK fill in the new netns. The device arrives down (NS-1).
 */
export function moveDevice(
  state: ModelState,
  dev: DeviceIndex,
  target: NetnsIndex,
  options?: ModelOptions,
): ModelState {
  const old = state.devices[dev].netns;
  let s = updateDevice(state, dev, (x) => ({ ...x, up: false }));
  s.bindings.forEach((b, i) => {
    if (b && b.kind === "xsk" && b.dev === dev) s = xskUnbind(s, i); // XSK-9
  });
  // UNREG-1: reg_state is still REGISTERED, so the netkit notifier does nothing (C-11 acts, and
  // the netkits it unregisters are freed when RTNL is released).
  const queued = new Set([dev]);
  s = netkitNotifier(s, dev, queued, options);
  s = runTodo(s, [...queued].filter((d) => d !== dev));
  s = allocPeerId(s, old, target).state; // new_nsid = peernet2id_alloc(old, new)
  const linkNet = (x: ModelState): NetnsIndex | undefined => {
    const d = x.devices[dev];
    return isNetkit(d) && d.peer !== null ? x.devices[d.peer].netns : undefined;
  };
  const before = linkNet(s);
  if (before !== undefined && before !== old) s = allocPeerId(s, old, before).state; // DELLINK fill
  const r = reserveIfindex(s, target, s.devices[dev].ifindex);
  s = updateDevice(r.state, dev, (x) => ({ ...x, netns: target, ifindex: r.ifindex }));
  const after = linkNet(s);
  if (after !== undefined && after !== target) s = allocPeerId(s, target, after).state; // NEWLINK fill
  return s;
}

/**
 * Runs a netns move. Leases survive (NS-2, NS-3, INV-V4).
 *
 * @example Usage
 * ```ts
 * import { netnsMove } from "./netns_move.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * const r = netnsMove(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 2, "net-ns": "ns1" });
 * console.assert(r.state.devices[2].netns === 1);
 * ```
 */
export function netnsMove(
  state: ModelState,
  caller: Caller,
  request: NetnsMoveRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const dev = deviceByIfindex(state, caller.netns, request.ifindex);
  if (dev === undefined) return { state, reply: failure("ENODEV") };
  const target = resolveNetnsRef(state, request["net-ns"]);
  // A dead namespace cannot be named (no fd or pid refers to it); the model answers -EINVAL.
  if (target === undefined) return { state, reply: failure("EINVAL") };
  // NETIF_F_NETNS_LOCAL / netns_local (lo): -EINVAL.
  if (state.devices[dev].kind === "virtual") return { state, reply: failure("EINVAL") };
  // Same namespace: nothing to do.
  if (target === state.devices[dev].netns) return { state, reply: success({}) };
  return { state: moveDevice(state, dev, target, options), reply: success({}) };
}
