/**
 * The C-29 mutant of bugs.md section C: drop capable() for netns-id (equivalent).
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-29: drop capable() for netns-id (equivalent). QC-05's `capable(CAP_NET_ADMIN)` for a lease
 * `netns-id` always passes. Equivalent: QC-00a already refused every caller without it.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-29"])[0].caughtBy, null); // equivalent
 * ```
 */
export const C29: Mutant = {
  id: "C-29",
  mutation: "drop capable() for netns-id (equivalent)",
  implemented: true,
  equivalent: true,
  note: "GENL_ADMIN_PERM already requires CAP_NET_ADMIN in the initial user namespace",
  kill: { config: "selftest", check: "differential" },
  invisibleToReplies: "equivalent: QC-00a already requires CAP_NET_ADMIN",
  patch: {
    capable: () => () => true,
  },
};
