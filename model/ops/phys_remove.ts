/**
 * Removal of a physical device by its driver (netdevsim `del_device`, PCI unbind):
 * `unregister_netdevice` of the port, which runs the netkit unregister notifier and its nested
 * batch (operations.md §13, UNREG-1..7). Not a netlink operation: it cannot fail. A program:
 * RTNL, then the batch machine of `_unregister.ts` (its steps: the notifier's physical lock, the
 * nested batch's unlease locks, and the refcount wait of `netdev_run_todo`).
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { done, newProc, type Program, release, runAtomic, type Seg, waitFor } from "../process.ts";
import { deviceByIfindex, type DeviceIndex, isPhysical, type ModelState } from "../state.ts";
import { enterMachine, UNREGISTER } from "./_unregister.ts";
import type { Caller, OpResult } from "./types.ts";

/** Which physical device goes away: its ifindex, in the caller's netns. */
export interface PhysRemoveRequest {
  /** ifindex of the physical device, in the caller's netns. */
  readonly ifindex: number;
}

/**
 * Unregisters a physical device.
 *
 * @example Usage
 * ```ts
 * import { physRemove } from "./phys_remove.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = physRemove(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 2 });
 * assert.equal(r.state.devices[2].reg, "gone");
 * ```
 */
export function physRemove(
  state: ModelState,
  caller: Caller,
  request: PhysRemoveRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { caller, request }, PHYS_REMOVE, options);
  return r as OpResult<Record<string, never>>;
}

/**
 * Physical removal as a stepped program: the driver finds its device (netdevsim `del_device` by
 * id, outside RTNL), then `unregister_netdevice` under RTNL.
 */
export const PHYS_REMOVE: Program = {
  name: "phys-remove",
  start: (state, step) => {
    const { caller, request } = step as { caller: Caller; request: PhysRemoveRequest };
    const dev = deviceByIfindex(state, caller.netns, request.ifindex);
    const proc = newProc("phys-remove", step, dev ?? null);
    if (dev === undefined || !isPhysical(state.devices[dev])) {
      return done(state, proc, failure("ENODEV"));
    }
    return { kind: "yield", state, proc: waitFor(proc, "rtnl", "rtnl") };
  },
  resume: (state, proc, x): Seg => {
    if (proc.pc !== "rtnl") return UNREGISTER.resume(state, proc, x);
    const device = proc.ctx as DeviceIndex;
    const d = state.devices[device];
    if (d === undefined || !isPhysical(d) || d.reg !== "registered") {
      return done(state, release(proc, "rtnl"), failure("ENODEV"));
    }
    const list: DeviceIndex[] = [device];
    return UNREGISTER.resume(state, enterMachine(proc, list, list), x);
  },
};
