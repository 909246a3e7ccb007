/**
 * The C-01 mutant of bugs.md section C: skip the virtual-target check QC-11.
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-01: skip the virtual-target check QC-11. A physical device as queue-create target passes QC-11
 * and fails at QC-12 instead: still -EINVAL, but with QC-12's extack, which only the replies show
 * (`phys_lessee`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-01"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C01: Mutant = {
  id: "C-01",
  mutation: "skip the virtual-target check QC-11",
  implemented: true,
  kill: { config: "selftest", check: "differential" },
  patch: {
    // netdev_can_create_queue without QC-11: a device with a parent goes on to QC-12.
    netdevCanCreateQueue: () => (dev) => {
      if (dev.kind !== "netkit") {
        return failure("EINVAL", { extack: "Device does not support queue creation" });
      }
      if (dev.realRx < 1 || dev.realTx < 1) {
        return failure("EINVAL", { extack: "Device must have at least one real queue" });
      }
      return null;
    },
  },
};
