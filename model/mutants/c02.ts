/**
 * The C-02 mutant of bugs.md section C: skip QC-22 (already leased).
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-02: skip QC-22 (already leased). A second lease of the same physical queue overwrites its
 * pointer; the first virtual rxq dangles (INV-L1, `double_lease`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-02"])[0].caughtBy, "invariant INV-L1");
 * ```
 */
export const C02: Mutant = {
  id: "C-02",
  mutation: "skip QC-22 (already leased)",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    // netdev_queue_busy without the lease test.
    netdevQueueBusy: () => (dev, idx) => {
      const q = dev.rxq[idx];
      if (q === undefined) return null;
      if (q.pool !== null) return failure("EBUSY", { extack: "Device queue in use by AF_XDP" });
      if (q.mp !== null) {
        return failure("EBUSY", { extack: "Device queue in use by memory provider" });
      }
      return null;
    },
  },
};
