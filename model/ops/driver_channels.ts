/**
 * A driver lowering `real_num_rx_queues` by itself (a device reset or firmware event calling
 * `netif_set_real_num_rx_queues` directly), outside ethtool's busy checks. Not a user operation:
 * an environment action the model adds only for bugs.md C-08, the kernel gap that nothing in the
 * lease code watches such a change (ETH-6), to show it unsafe (INV-L9). Kernel:
 * net/core/dev.c `netif_set_real_num_rx_queues`.
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import { type DeviceIndex, isPhysical, type ModelState, updateDevice } from "../state.ts";
import type { OpResult } from "./types.ts";

/** Which device's driver drops its last rx queue. */
export interface DriverChannelsRequest {
  /** Device index in the model state. */
  readonly device: DeviceIndex;
}

/**
 * Drops the highest live rx (and tx) queue of a physical device, without any busy check.
 *
 * @example Usage
 * ```ts
 * import { driverChannels } from "./driver_channels.ts";
 * import { initialState } from "../init.ts";
 * import { SELFTEST_CONFIG } from "../config.ts";
 * const r = driverChannels(initialState(SELFTEST_CONFIG), { device: 2 });
 * console.assert(r.state.devices[2].realRx === 1);
 * ```
 */
export function driverChannels(
  state: ModelState,
  request: DriverChannelsRequest,
): OpResult<Record<string, never>> {
  const d = state.devices[request.device];
  if (d === undefined || !isPhysical(d) || d.reg !== "registered" || d.realRx <= 1) {
    return { state, reply: failure("EINVAL") };
  }
  const s = updateDevice(state, request.device, (x) => ({
    ...x,
    realRx: x.realRx - 1,
    realTx: x.realTx - 1,
  }));
  return { state: s, reply: success({}) };
}
