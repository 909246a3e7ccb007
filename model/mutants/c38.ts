/**
 * The C-38 mutant of bugs.md section C: queue-get without the up check.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-38: queue-get without the up check. queue-get answers for a down device instead of -ENOENT
 * (QG-04).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-38"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C38: Mutant = {
  id: "C-38",
  mutation: "queue-get without the up check",
  implemented: true,
  kill: { config: "selftest", check: "differential" },
  patch: {
    queueGetDeviceUp: () => () => true,
  },
};
