/**
 * The C-08 mutant of bugs.md section C: a driver lowers `real_num_rx_queues` itself (an
 * environment action that shows a kernel gap).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { EnvironmentAction, Mutant } from "../hooks.ts";
import type { OpResult } from "../ops/types.ts";
import { type DeviceIndex, isPhysical, type ModelState, updateDevice } from "../state.ts";

/** Which device's driver drops its last rx queue. */
export interface DriverChannelsRequest {
  /** Device index in the model state. */
  readonly device: DeviceIndex;
}

/**
 * A driver dropping the highest live rx (and tx) queue of a physical device by itself,
 * without any busy check (kernel: net/core/dev.c `netif_set_real_num_rx_queues`, called by the
 * driver). Not a kernel operation of the model: the environment action of C-08.
 *
 * @example Usage
 * ```ts
 * import { driverChannels } from "./c08.ts";
 * import { initialState } from "../init.ts";
 * import { SELFTEST_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = driverChannels(initialState(SELFTEST_CONFIG), { device: 2 });
 * assert.equal(r.state.devices[2].realRx, 1);
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

/** `driver-channels`: any registered physical device with more than one rx queue shrinks. */
const DRIVER_CHANNELS: EnvironmentAction = {
  name: "driver-channels",
  requests: (s) =>
    s.devices.flatMap((d, i) =>
      isPhysical(d) && d.reg === "registered" && d.realRx > 1 ? [{ device: i }] : []
    ),
  apply: (s, request) => driverChannels(s, request as DriverChannelsRequest),
  locks: (_s, request) => [(request as DriverChannelsRequest).device], // the instance lock
};

/**
 * C-08: driver lowers real_num_rx_queues itself (environment action, kernel gap). Not a kernel
 * mutation but a kernel gap (ETH-6): nothing in the lease code watches a driver that lowers
 * `real_num_rx_queues` by itself (a device reset or firmware event), outside ethtool's busy
 * checks. The mutant adds that environment action, `driver-channels`, to the spec to show it
 * unsafe: a lease on a dead queue index (INV-L9).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-08"])[0].caughtBy, "invariant INV-L9");
 * ```
 */
export const C08: Mutant = {
  id: "C-08",
  mutation: "driver lowers real_num_rx_queues itself (environment action, kernel gap)",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies:
    "an environment action (a driver shrinking its queues) that no scenario step performs: INV-L9",
  actions: [DRIVER_CHANNELS],
};
