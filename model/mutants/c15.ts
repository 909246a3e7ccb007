/**
 * The C-15 mutant of bugs.md section C: queue-get shows lease on the virtual side.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-15: queue-get shows lease on the virtual side. A leased netkit queue shows its lease nest, so
 * the container sees physical-device information (INV-V1, `queue_get_virtual`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-15"])[0].caughtBy, "invariant INV-V1");
 * ```
 */
export const C15: Mutant = {
  id: "C-15",
  mutation: "queue-get shows lease on the virtual side",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    // The lease lookup ignores its direction.
    netifGetRxQueueLease: () => (dev, idx) => dev.rxq[idx].lease,
  },
};
