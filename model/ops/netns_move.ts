/**
 * Moving a device to another network namespace (`ip link set DEV netns NS`; RTM_NEWLINK with
 * IFLA_NET_NS_FD). Kernel: net/core/dev.c `__dev_change_net_namespace`; operations.md §7
 * (NS-1..4), XSK-9, UNREG-1. A program under RTNL with two steps on the device's instance lock:
 * the first closes and unlists the device and sets `moving_ns`, then runs the NETDEV_UNREGISTER
 * notifiers; the second switches the namespace (and ifindex) and clears `moving_ns`. Between
 * them a concurrent queue-create that looked the device up before the move meets `moving_ns` at
 * QC-19 (NS-4).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  done,
  type Exec,
  isFree,
  newProc,
  type Program,
  release,
  runAtomic,
  type Seg,
  touch,
  waitFor,
} from "../process.ts";
import {
  allocPeerId,
  type Device,
  deviceByIfindex,
  type DeviceIndex,
  isNetkit,
  isPhysical,
  type LockId,
  type ModelState,
  type NetnsIndex,
  type Proc,
  reserveIfindex,
  rxqIsLeased,
  updateDevice,
} from "../state.ts";
import { xskUnbind } from "./_queues.ts";
import { netkitNotifier, unregisterAtomic } from "./_unregister.ts";
import type { Caller, OpResult } from "./types.ts";

/** A netns move request (`ip link set DEV netns NS`). */
export interface NetnsMoveRequest {
  /** Device, in the caller's netns. */
  readonly ifindex: number;
  /** The target namespace, by name. */
  readonly netns: string;
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
 * Moves device `dev` to `target` atomically (the body of `__dev_change_net_namespace`, also used
 * by netns deletion): {@linkcode moveBegin} then {@linkcode moveSwitch}. The device arrives down
 * (NS-1).
 */
export function moveDevice(
  state: ModelState,
  dev: DeviceIndex,
  target: NetnsIndex,
  options?: ModelOptions,
): ModelState {
  return moveSwitch(moveBegin(state, dev, target, options), dev, target);
}

/** The locks XSK-9's unbinds of sockets bound to `dev` take. */
function xskLocks(state: ModelState, dev: DeviceIndex): LockId[] {
  const locks: LockId[] = [];
  for (const b of state.bindings) {
    if (!b || b.kind !== "xsk" || b.dev !== dev) continue;
    locks.push(dev);
    const d = state.devices[dev];
    if (rxqIsLeased(d, b.queues[0]) && !isPhysical(d)) locks.push(d.rxq[b.queues[0]].lease!.dev);
  }
  return locks;
}

/**
 * First half of the move: close, unlist and set `moving_ns` under the instance lock, then the
 * NETDEV_UNREGISTER notifiers with reg_state still REGISTERED (xsk sockets bound to the device
 * are unbound, XSK-9; the netkit notifier ignores the device, UNREG-1 — were it to act, it would
 * unregister the leasing netkits, freed when RTNL is released), then the IFLA_NEW_NETNSID
 * allocation in the old netns and the RTM_DELLINK fill.
 */
export function moveBegin(
  state: ModelState,
  dev: DeviceIndex,
  target: NetnsIndex,
  options?: ModelOptions,
): ModelState {
  const old = state.devices[dev].netns;
  let s = updateDevice(state, dev, (x) => ({ ...x, up: false, movingNs: true }));
  s.bindings.forEach((b, i) => {
    if (b && b.kind === "xsk" && b.dev === dev) s = xskUnbind(s, i); // XSK-9
  });
  // UNREG-1: reg_state is still REGISTERED, so the netkit notifier does nothing.
  if (hook(options, "netkitNotifier", netkitNotifier)(s.devices[dev])) {
    s = unregisterAtomic(s, [dev], [dev], options, { notifyOnly: true, exclude: dev });
  }
  s = allocPeerId(s, old, target).state; // new_nsid = peernet2id_alloc(old, new)
  const before = linkNet(s, dev);
  if (before !== undefined && before !== old) s = allocPeerId(s, old, before).state; // DELLINK fill
  return s;
}

function linkNet(s: ModelState, dev: DeviceIndex): NetnsIndex | undefined {
  const d = s.devices[dev];
  return isNetkit(d) && d.peer !== null ? s.devices[d.peer].netns : undefined;
}

/**
 * Second half: under the instance lock, switch the namespace (a new ifindex only if taken),
 * clear `moving_ns`, relist, and the RTM_NEWLINK fill in the new netns.
 */
export function moveSwitch(state: ModelState, dev: DeviceIndex, target: NetnsIndex): ModelState {
  const r = reserveIfindex(state, target, state.devices[dev].ifindex);
  let s = updateDevice(r.state, dev, (x): Device => {
    const { movingNs: _moving, ...rest } = x;
    return { ...rest, netns: target, ifindex: r.ifindex } as Device;
  });
  const after = linkNet(s, dev);
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
 * import assert from "node:assert/strict";
 * const r = netnsMove(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 2, netns: "ns1" });
 * assert.equal(r.state.devices[2].netns, 1);
 * ```
 */
export function netnsMove(
  state: ModelState,
  caller: Caller,
  request: NetnsMoveRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { caller, request }, NETNS_MOVE, options);
  return r as OpResult<Record<string, never>>;
}

interface MoveCtx {
  readonly dev: DeviceIndex;
  readonly target: NetnsIndex;
}

/** The netns move as a stepped program (`__dev_change_net_namespace` under RTNL). */
export const NETNS_MOVE: Program = {
  name: "netns-move",
  start: (state, step) => ({
    kind: "yield",
    state,
    proc: waitFor(newProc("netns-move", step, null), "rtnl", "rtnl"),
  }),
  resume: (state, proc, x) => {
    if (proc.pc === "rtnl") return moveLookup(state, proc, x);
    if (proc.pc === "begin") return moveLocked(state, proc, x);
    const { dev, target } = proc.ctx as MoveCtx;
    const s = moveSwitch(state, dev, target);
    return done(s, release(proc, dev, "rtnl"), success({}));
  },
};

function moveLookup(state: ModelState, proc: Proc, x: Exec): Seg {
  const { caller, request } = proc.step as { caller: Caller; request: NetnsMoveRequest };
  const fail = (errno: "ENODEV" | "EINVAL") => done(state, release(proc, "rtnl"), failure(errno));
  const dev = deviceByIfindex(state, caller.netns, request.ifindex);
  if (dev === undefined) return fail("ENODEV");
  const target = resolveNetnsRef(state, request.netns);
  // A dead namespace cannot be named (no fd or pid refers to it); the model answers -EINVAL.
  if (target === undefined) return fail("EINVAL");
  // NETIF_F_NETNS_LOCAL / netns_local (lo): -EINVAL.
  if (state.devices[dev].kind === "virtual") return fail("EINVAL");
  // Same namespace: nothing to do.
  if (target === state.devices[dev].netns) {
    return done(state, release(proc, "rtnl"), success({}));
  }
  const p = { ...proc, ctx: { dev, target } };
  if (!isFree(state, p, dev, x)) {
    return { kind: "yield", state, proc: waitFor(p, "begin", dev, false) };
  }
  return moveLocked(state, p, x);
}

/** Under RTNL with the device's lock free: the first half, then wait for the lock again. */
function moveLocked(state: ModelState, proc: Proc, x: Exec): Seg {
  const { dev, target } = proc.ctx as MoveCtx;
  const locks = xskLocks(state, dev);
  const busy = locks.find((l) => l !== dev && !isFree(state, proc, l, x));
  if (busy !== undefined) {
    return { kind: "yield", state, proc: waitFor(proc, "begin", busy, false) };
  }
  // The first section under the device's lock (and XSK-9's, proxied): recorded for lockdep.
  touch(proc, [dev, ...locks], x);
  const s = moveBegin(state, dev, target, x.options);
  return { kind: "yield", state: s, proc: waitFor(proc, "switch", dev, true) };
}
