/**
 * The C-34 mutant of bugs.md section C: queue-get on a leased netkit reports its own provider
 * state.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";
import { type QueueMpInfo, queueMpInfo } from "../ops/queue_get.ts";
import type { DeviceIndex, ModelState } from "../state.ts";

/** The provider and pool of rx queue `idx` of `dev` itself (QG-M2's rule for every queue). */
function ownMp(state: ModelState, dev: DeviceIndex, idx: number, kernel?: string): QueueMpInfo {
  return queueMpInfo(state, state.devices[dev].rxq[idx], kernel);
}

/**
 * C-34: queue-get on a leased netkit reports its own provider state.
 * `netdev_nl_queue_fill_mp` reads the virtual rxq's own (always empty) provider state instead of
 * the physical partner's (QG-M1), so the container cannot see the io_uring or AF_XDP binding
 * proxied through its queue (INV-V3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-34"])[0].caughtBy, "invariant INV-V3");
 * ```
 */
export const C34: Mutant = {
  id: "C-34",
  mutation: "queue-get on a leased netkit reports its own provider state",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netdevNlQueueFillMp: () => ownMp,
  },
};
