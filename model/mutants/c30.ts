/**
 * The C-30 mutant of bugs.md section C: missing put_net on a failure path.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-30: missing put_net on a failure path. A failing create with `netns-id` leaks the namespace
 * reference: the named namespace never finishes dying (INV-M3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-30"])[0].caughtBy, "property INV-M3");
 * ```
 */
export const C30: Mutant = {
  id: "C-30",
  mutation: "missing put_net on a failure path",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "a netns reference leaked on a failure path: INV-M3",
  patch: {
    putNetOnFailure: () => (proc) => proc,
  },
};
