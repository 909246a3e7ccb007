/**
 * Deleting a network namespace (`ip netns del`): `default_device_exit_net` moves devices without
 * `rtnl_link_ops` (physical devices) back to init_net, `default_device_exit_batch` deletes every
 * device with `rtnl_link_ops` (netkit: `dellink`, which also takes the peer in another netns) in
 * one batch, then the namespace and its ids disappear (`cleanup_net` removes the ids other
 * namespaces hold for it). Operations.md NS-5. Stepped: {@linkcode NETNS_DELETE}.
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  type DeviceIndex,
  isPhysical,
  type ModelState,
  type NetnsIndex,
  NSID_NOT_ASSIGNED,
  type Proc,
  updateNetns,
} from "../state.ts";
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
  yieldTo,
} from "../process.ts";
import { enterMachine, netkitDelLink, UNREGISTER } from "./_unregister.ts";
import { moveBegin, moveSwitch } from "./netns_move.ts";
import type { OpResult } from "./types.ts";

/** Which namespace to delete (`ip netns del NAME`). */
export interface NetnsDeleteRequest {
  /** The namespace's name (not `init`: init_net cannot be deleted). */
  readonly netns: string;
}

/**
 * Deletes a namespace.
 *
 * @example Usage
 * ```ts
 * import { netnsDelete } from "./netns_delete.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = netnsDelete(initialState(DEFAULT_CONFIG), { netns: "ns1" });
 * assert.ok(!r.state.netns[1].alive);
 * ```
 */
export function netnsDelete(
  state: ModelState,
  request: NetnsDeleteRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { caller: { netns: 0 }, request }, NETNS_DELETE, options);
  return r as OpResult<Record<string, never>>;
}

/** Where a namespace deletion stands before its batch unregister. */
interface DeleteCtx {
  /** The dying namespace. */
  readonly ns: NetnsIndex;
  /** Its physical devices, moved home one after the other. */
  readonly moves: readonly DeviceIndex[];
  /** The next of them. */
  readonly i: number;
}

/**
 * Namespace deletion as a stepped program (`cleanup_net` → `default_device_exit_batch`, under
 * RTNL): the namespace is dying from the start (no id names it any more for `get_net_ns_by_id`,
 * QC-14), each physical device goes home to init_net as a netns move does (its two sections
 * under the device's instance lock), then one batch unregisters its netkits and `lo` (the
 * machine of `_unregister.ts`), and at the end every table loses its id for the namespace.
 */
export const NETNS_DELETE: Program = {
  name: "netns-delete",
  start: (state, step) => {
    const { request } = step as { request: NetnsDeleteRequest };
    const proc = newProc("netns-delete", step, null);
    const ns = state.netns.findIndex((n) => n.name === request.netns);
    if (ns <= 0 || !state.netns[ns].alive) return done(state, proc, failure("EINVAL"));
    return yieldTo(state, waitFor({ ...proc, ctx: ns }, "rtnl", "rtnl"));
  },
  resume: (state, proc, x) => {
    if (proc.pc === "rtnl") {
      const ns = proc.ctx as NetnsIndex;
      // The namespace is dying: nothing can pin it or name it by id from now on.
      const s = updateNetns(state, ns, (n) => ({ ...n, alive: false }));
      const moves = s.devices.flatMap((d, i) =>
        d.netns === ns && d.reg === "registered" && isPhysical(d) ? [i] : []
      );
      return nextMove(s, { ...proc, ctx: { ns, moves, i: 0 } }, x);
    }
    if (proc.pc === "ns-begin") return moveHome(state, proc, x);
    if (proc.pc === "ns-switch") {
      const ctx = proc.ctx as DeleteCtx;
      const dev = ctx.moves[ctx.i];
      const s = moveSwitch(state, dev, 0);
      return nextMove(s, { ...release(proc, dev), ctx: { ...ctx, i: ctx.i + 1 } }, x);
    }
    return finish(UNREGISTER.resume(state, proc, x), proc);
  },
};

/** The next physical device to move home, or the batch unregister when there is none. */
function nextMove(state: ModelState, proc: Proc, x: Exec): Seg {
  const ctx = proc.ctx as DeleteCtx;
  if (ctx.i < ctx.moves.length) return moveHome(state, proc, x);
  // default_device_exit_batch: dellink every rtnl_link_ops device (netkit), then the others (lo).
  const list: DeviceIndex[] = [];
  const queued: DeviceIndex[] = [];
  let s = state;
  const inNs = (kind: string) =>
    s.devices.flatMap((d, i) =>
      d.netns === ctx.ns && d.reg === "registered" && d.kind === kind ? [i] : []
    );
  for (const d of inNs("netkit")) {
    if (!queued.includes(d)) s = netkitDelLink(s, d, list, queued, proc.held, x.options);
  }
  for (const d of inNs("virtual")) {
    list.push(d);
    queued.push(d);
  }
  const p = enterMachine(proc, list, queued, { origin: "netns-delete" });
  return finish(UNREGISTER.resume(s, p, x), p);
}

/**
 * `dev_change_net_namespace(dev, &init_net)` for the current device: the first section under
 * its instance lock (close, `moving_ns`, the notifiers), then the switch once the lock is ours.
 */
function moveHome(state: ModelState, proc: Proc, x: Exec): Seg {
  const ctx = proc.ctx as DeleteCtx;
  const dev = ctx.moves[ctx.i];
  if (!isFree(state, proc, dev, x)) return yieldTo(state, waitFor(proc, "ns-begin", dev, false));
  touch(proc, [dev], x);
  const s = moveBegin(state, dev, 0, x.options);
  return yieldTo(s, waitFor(proc, "ns-switch", dev));
}

/** After the batch: `cleanup_net` — the namespace is gone and every table forgets its id. */
function finish(seg: Seg, proc: Proc): Seg {
  if (seg.kind !== "done") return seg;
  const { request } = proc.step as { request: NetnsDeleteRequest };
  const ns = seg.state.netns.findIndex((n) => n.name === request.netns);
  const netns = seg.state.netns.map((n, i) =>
    i === ns
      ? { ...n, alive: false, nsids: n.nsids.map(() => NSID_NOT_ASSIGNED) }
      : { ...n, nsids: n.nsids.map((id, peer) => (peer === ns ? NSID_NOT_ASSIGNED : id)) }
  );
  return { ...seg, state: { ...seg.state, netns } };
}
