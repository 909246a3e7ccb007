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
import { type DeviceIndex, isPhysical, type ModelState } from "../state.ts";
import { enterMachine, UNREGISTER } from "./_unregister.ts";
import type { OpResult } from "./types.ts";

/** Which physical device goes away. */
export interface PhysUnregisterRequest {
  /** Device index in the model state. */
  readonly device: DeviceIndex;
}

/**
 * Unregisters a physical device.
 *
 * @example Usage
 * ```ts
 * import { physUnregister } from "./phys_unregister.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * const r = physUnregister(initialState(DEFAULT_CONFIG), { device: 2 });
 * console.assert(r.state.devices[2].reg === "gone");
 * ```
 */
export function physUnregister(
  state: ModelState,
  request: PhysUnregisterRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { request }, PHYS_UNREGISTER, options);
  return r as OpResult<Record<string, never>>;
}

/** Physical unregister as a stepped program (`unregister_netdevice` under RTNL). */
export const PHYS_UNREGISTER: Program = {
  name: "phys-unregister",
  start: (state, step) => ({
    kind: "yield",
    state,
    proc: waitFor(newProc("phys-unregister", step, null), "rtnl", "rtnl"),
  }),
  resume: (state, proc, x): Seg => {
    if (proc.pc !== "rtnl") return UNREGISTER.resume(state, proc, x);
    const { request } = proc.step as { request: PhysUnregisterRequest };
    const d = state.devices[request.device];
    if (d === undefined || !isPhysical(d) || d.reg !== "registered") {
      return done(state, release(proc, "rtnl"), failure("ENODEV"));
    }
    const list: DeviceIndex[] = [request.device];
    return UNREGISTER.resume(state, enterMachine(proc, list, list), x);
  },
};
