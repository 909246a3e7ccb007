/**
 * The C-06 mutant of bugs.md section C: QC-20 uses > instead of >=.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-06: QC-20 uses > instead of >=. The queue whose id equals the real count (not live) can be
 * leased (INV-L9, `queue_out_of_range`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-06"])[0].caughtBy, "invariant INV-L9");
 * ```
 */
export const C06: Mutant = {
  id: "C-06",
  mutation: "QC-20 uses > instead of >=",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    leaseQueueInRange: () => (phys, id) => id <= phys.realRx,
  },
};
