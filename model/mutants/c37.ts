/**
 * The C-37 mutant of bugs.md section C: queue-create requires IFF_UP.
 *
 * @module
 */

import { failure } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-37: queue-create requires IFF_UP. An IFF_UP requirement the kernel does not have: creating on a
 * down device fails (`lease_devices_down`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-37"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C37: Mutant = {
  id: "C-37",
  mutation: "queue-create requires IFF_UP",
  implemented: true,
  kill: { config: "selftest", check: "differential" },
  patch: {
    netdevCanCreateQueue: (original) => (dev) =>
      original(dev) ?? (dev.up ? null : failure("ENETDOWN")),
  },
};
