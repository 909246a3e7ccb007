/**
 * The C-40 mutant of bugs.md section C: netdev_put_lock re-check without moving_ns.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-40: netdev_put_lock re-check without moving_ns. A create that looked the lessor up before a
 * netns move started leases it mid-move (NS-4).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-40"])[0].caughtBy, "property NS-4");
 * ```
 */
export const C40: Mutant = {
  id: "C-40",
  mutation: "netdev_put_lock re-check without moving_ns",
  implemented: true,
  kill: { config: "stepped-move", check: "spec" },
  invisibleToReplies: "a race window during a netns move: NS-4, concurrency 2",
  patch: {
    netdevPutLockRecheck: () => (dev, net) => dev.reg === "registered" && dev.netns === net,
  },
};
