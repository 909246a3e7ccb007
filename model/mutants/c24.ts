/**
 * The C-24 mutant of bugs.md section C: ethtool busy loop skips RX.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-24: ethtool busy loop skips RX. A resize removes a leased queue (INV-L9, `resize_leased`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-24"])[0].caughtBy, "invariant INV-L9");
 * ```
 */
export const C24: Mutant = {
  id: "C-24",
  mutation: "ethtool busy loop skips RX",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    ethnlRxQueuesBusy: () => () => null,
  },
};
