/**
 * Removal of a physical device by its driver (netdevsim `del_device`, PCI unbind):
 * `unregister_netdevice` of the port, which runs the netkit unregister notifier and its nested
 * batch (operations.md §13, UNREG-1..7). Not a netlink operation: it cannot fail. Atomic (RTNL).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { type DeviceIndex, isPhysical, type ModelState } from "../state.ts";
import { deleteDevices } from "./_unregister.ts";
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
  const d = state.devices[request.device];
  if (d === undefined || !isPhysical(d) || d.reg !== "registered") {
    return { state, reply: failure("ENODEV") };
  }
  return { state: deleteDevices(state, [request.device], options), reply: success({}) };
}
