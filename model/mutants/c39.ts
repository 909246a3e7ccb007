/**
 * The C-39 mutant of bugs.md section C: lease reference taken on the virtual device.
 *
 * @module
 */

import { addRefs, updateRxq } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-39: lease reference taken on the virtual device. `netdev_rx_queue_lease` puts the tracked
 * reference on the virtual device, so the physical device can finish unregistering with live
 * leases: a use-after-free (INV-R1).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-39"])[0].caughtBy, "invariant INV-R1");
 * ```
 */
export const C39: Mutant = {
  id: "C-39",
  mutation: "lease reference taken on the virtual device",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "the lease reference taken on the wrong device: INV-R1",
  patch: {
    netdevRxQueueLease: (original) => (state, virt, phys, held) => {
      const tracker = state.devices[phys.dev].rxq[phys.queue].leaseTracker;
      let s = original(state, virt, phys, held);
      // The physical device's reference and tracker as before; the virtual device's instead.
      s = addRefs(s, phys.dev, -1);
      s = updateRxq(s, phys.dev, phys.queue, (q) => ({ ...q, leaseTracker: tracker }));
      s = addRefs(s, virt.dev, 1);
      return updateRxq(s, virt.dev, virt.queue, (q) => ({ ...q, leaseTracker: true }));
    },
  },
};
