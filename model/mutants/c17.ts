/**
 * The C-17 mutant of bugs.md section C: queue-create ignores netns-id.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-17: queue-create ignores netns-id. The lessor is always looked up in the caller's namespace: a
 * valid cross-namespace create fails with -ENODEV.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-17"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C17: Mutant = {
  id: "C-17",
  mutation: "queue-create ignores netns-id",
  implemented: true,
  kill: { config: "selftest", check: "differential" },
  patch: {
    leaseNetns: () => (_state, caller) => ({ netns: caller, ref: false }),
  },
};
