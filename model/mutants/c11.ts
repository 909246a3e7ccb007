/**
 * The C-11 mutant of bugs.md section C: notifier ignores reg_state (acts on netns moves).
 *
 * @module
 */

import { isPhysical } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-11: notifier ignores reg_state (acts on netns moves). The netkit notifier drops its `reg_state
 * == NETREG_UNREGISTERING` test, so moving a physical device to another namespace unregisters the
 * netkits leasing from it (INV-V4, `move_phys_netns`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-11"])[0].caughtBy, "property INV-V4");
 * ```
 */
export const C11: Mutant = {
  id: "C-11",
  mutation: "notifier ignores reg_state (acts on netns moves)",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netkitNotifier: () => (dev) => isPhysical(dev),
  },
};
