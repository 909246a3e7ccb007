/**
 * The C-14 mutant of bugs.md section C: no netkit notifier.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-14: no netkit notifier. Nothing releases the leases of an unregistering physical device: its
 * unregister waits forever for the lease references (INV-R3, `remove_phys`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-14"])[0].caughtBy, "invariant INV-R3");
 * ```
 */
export const C14: Mutant = {
  id: "C-14",
  mutation: "no netkit notifier",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netkitNotifier: () => () => false,
  },
};
