/**
 * The C-18 mutant of bugs.md section C: netkit_queue_create returns the new count.
 *
 * @module
 */

import { success } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-18: netkit_queue_create returns the new count. The reply's queue id is off by one: the first
 * lease answers id 2 (`double_lease`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-18"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C18: Mutant = {
  id: "C-18",
  mutation: "netkit_queue_create returns the new count",
  implemented: true,
  kill: { config: "selftest", check: "differential" },
  patch: {
    netkitQueueCreate: (original) => (dev) => {
      const r = original(dev);
      return r.ok ? success({ ...r.reply, id: r.reply.id + 1 }) : r;
    },
  },
};
