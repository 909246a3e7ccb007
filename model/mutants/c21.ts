/**
 * The C-21 mutant of bugs.md section C: uninstall before close in unlease cleanup.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-21: uninstall before close in unlease cleanup. The CVE-2026-74285 order (MP-U2, 7.1.0-7.1.4,
 * the provider's `uninstall` runs before the physical queue is closed, so between the two
 * steps the queue runs with its provider's memory unmapped (INV-T3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-21"])[0].caughtBy, "invariant INV-T3");
 * ```
 */
export const C21: Mutant = {
  id: "C-21",
  mutation: "uninstall before close in unlease cleanup",
  implemented: true,
  kill: { config: "stepped-mlx5", check: "spec" },
  invisibleToReplies:
    "teardown order of the provider (uninstall before close): INV-T3, concurrency 2",
  patch: {
    netifRxqCleanupUnlease: (original) => (state, phys, virt, binding, half) =>
      original(state, phys, virt, binding, half === 1 ? 2 : 1),
  },
};
