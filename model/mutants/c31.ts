/**
 * The C-31 mutant of bugs.md section C: missing netdev_put on the QC-16..18 failure path.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-31: missing netdev_put on the QC-16..18 failure path. A create refused at QC-16..18 leaks the
 * lessor's reference: its later removal hangs (INV-M3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-31"])[0].caughtBy, "property INV-M3");
 * ```
 */
export const C31: Mutant = {
  id: "C-31",
  mutation: "missing netdev_put on the QC-16..18 failure path",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "a device reference leaked on a failure path: INV-M3",
  patch: {
    netdevPutOnFailure: () => (proc) => proc,
  },
};
