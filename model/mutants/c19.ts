/**
 * The C-19 mutant of bugs.md section C: pair primary may create queues.
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-19: pair primary may create queues. `netkit_queue_create` without NK-QC-1: the management side
 * of a pair leases (INV-L8, `create_primary`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-19"])[0].caughtBy, "invariant INV-L8");
 * ```
 */
export const C19: Mutant = {
  id: "C-19",
  mutation: "pair primary may create queues",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netkitQueueCreate: () => (dev) => {
      const old = dev.realRx;
      if (old + 1 > dev.numRx) {
        return failure("EINVAL", { extack: "netkit maximum queue limit reached" });
      }
      return success({ dev: { ...dev, realRx: old + 1 }, id: old });
    },
  },
};
