/**
 * The C-03 mutant of bugs.md section C: skip QC-21 and QC-23 (AF_XDP / provider busy).
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-03: skip QC-21 and QC-23 (AF_XDP / provider busy). A queue with an AF_XDP pool or a memory
 * provider gets leased (INV-L4).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-03"])[0].caughtBy, "invariant INV-L4");
 * ```
 */
export const C03: Mutant = {
  id: "C-03",
  mutation: "skip QC-21 and QC-23 (AF_XDP / provider busy)",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    // netdev_queue_busy with only the lease test.
    netdevQueueBusy: () => (dev, idx) => {
      const lease = dev.rxq[idx]?.lease;
      if (lease === undefined || lease === null) return null;
      return failure("EBUSY", { extack: "Device queue in use due to queue leasing" });
    },
  },
};
