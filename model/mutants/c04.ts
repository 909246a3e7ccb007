/**
 * The C-04 mutant of bugs.md section C: skip QC-24 (different lessors).
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-04: skip QC-24 (different lessors). A netkit leases from two NICs (INV-L5,
 * `different_lessors`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-04"])[0].caughtBy, "invariant INV-L5");
 * ```
 */
export const C04: Mutant = {
  id: "C-04",
  mutation: "skip QC-24 (different lessors)",
  implemented: true,
  kill: { config: "two-nics", check: "spec" },
  patch: {
    // No QC-24.
    leaseSameLessor: () => () => null,
  },
};
