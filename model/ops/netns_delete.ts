/**
 * Deleting a network namespace (`ip netns del`): `default_device_exit_net` moves devices without
 * `rtnl_link_ops` (physical devices) back to init_net, `default_device_exit_batch` deletes every
 * device with `rtnl_link_ops` (netkit: `dellink`, which also takes the peer in another netns) in
 * one batch, then the namespace and its ids disappear (`cleanup_net` removes the ids other
 * namespaces hold for it). Operations.md NS-5. Atomic.
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { type DeviceIndex, isPhysical, type ModelState, NSID_NOT_ASSIGNED } from "../state.ts";
import { deleteDevices } from "./_unregister.ts";
import { moveDevice } from "./netns_move.ts";
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
  const ns = state.netns.findIndex((n) => n.name === request.netns);
  if (ns <= 0 || !state.netns[ns].alive) {
    return { state, reply: failure("EINVAL") };
  }
  let s = state;
  // default_device_exit_net: physical devices go home to init_net (leases survive).
  state.devices.forEach((d, i) => {
    if (d.netns === ns && d.reg === "registered" && isPhysical(d)) s = moveDevice(s, i, 0, options);
  });
  // default_device_exit_batch: dellink every rtnl_link_ops device, one batch; lo last.
  const victims: DeviceIndex[] = [];
  s.devices.forEach((d, i) => {
    if (d.netns === ns && d.reg === "registered" && d.kind === "netkit") victims.push(i);
  });
  s.devices.forEach((d, i) => {
    if (d.netns === ns && d.reg === "registered" && d.kind === "virtual") victims.push(i);
  });
  s = deleteDevices(s, victims, options);
  // cleanup_net: the namespace dies; every table loses its id for it.
  const netns = s.netns.map((n, i) =>
    i === ns
      ? { ...n, alive: false, nsids: n.nsids.map(() => NSID_NOT_ASSIGNED) }
      : { ...n, nsids: n.nsids.map((id, peer) => (peer === ns ? NSID_NOT_ASSIGNED : id)) }
  );
  return { state: { ...s, netns }, reply: success({}) };
}
