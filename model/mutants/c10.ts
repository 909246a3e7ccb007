/**
 * The C-10 mutant of bugs.md section C: unlease clears only the physical pointer.
 *
 * @module
 */

import { updateRxq } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-10: unlease clears only the physical pointer. The virtual rxq keeps pointing at the physical
 * queue after the unlease (INV-L1, `release_and_reuse`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-10"])[0].caughtBy, "invariant INV-L1");
 * ```
 */
export const C10: Mutant = {
  id: "C-10",
  mutation: "unlease clears only the physical pointer",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "one lease pointer left behind, never read back by a reply: INV-L1",
  patch: {
    // netdev_rx_queue_unlease leaves the virtual rxq's pointer.
    netdevRxQueueUnlease: (original) => (state, virt, phys, held) => {
      const kept = state.devices[virt.dev].rxq[virt.queue].lease;
      const s = original(state, virt, phys, held);
      return updateRxq(s, virt.dev, virt.queue, (q) => ({ ...q, lease: kept }));
    },
  },
};
