/**
 * The C-27 mutant of bugs.md section C: single mode accepts scrub / peer attributes / blackhole.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-27: single mode accepts scrub / peer attributes / blackhole. NK-NEW-10 removed: a single device
 * is created with settings that mean nothing for it.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-27"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C27: Mutant = {
  id: "C-27",
  mutation: "single mode accepts scrub / peer attributes / blackhole",
  implemented: true,
  kill: { config: "single", check: "differential" },
  patch: {
    netkitNewLinkSingle: () => () => null,
  },
};
