/**
 * The C-09 mutant of bugs.md section C: unlease forgets netdev_put.
 *
 * @module
 */

import { addRefs, updateRxq } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-09: unlease forgets netdev_put. The lease tracker's reference outlives the lease: the physical
 * device can never be freed (INV-R1).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-09"])[0].caughtBy, "invariant INV-R1");
 * ```
 */
export const C09: Mutant = {
  id: "C-09",
  mutation: "unlease forgets netdev_put",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "reference count only: INV-R1",
  patch: {
    // netdev_rx_queue_unlease without its netdev_put: the tracked reference stays.
    netdevRxQueueUnlease: (original) => (state, virt, phys, held) => {
      const holder = state.devices[phys.dev].rxq[phys.queue].leaseTracker ? phys : virt;
      const s = original(state, virt, phys, held);
      return addRefs(
        updateRxq(s, holder.dev, holder.queue, (q) => ({ ...q, leaseTracker: true })),
        holder.dev,
        1,
      );
    },
  },
};
