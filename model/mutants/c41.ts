/**
 * The C-41 mutant of bugs.md section C: an error path of queue-create that takes the physical
 * device's lock before the virtual device's.
 *
 * @module
 */

import { exitVia, release } from "../process.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-41: error-path lock order. On the QC-20 failure (the lease's queue id is out of range, both
 * devices locked) queue-create unlocks the virtual device first and then re-takes its lock while
 * it still holds the physical one before it returns -ERANGE: the only physical → virtual
 * acquisition of the model, against LOCK-2's virtual → physical order. No reply differs; only a
 * lock-order check that runs error paths as processes sees it.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.match(killTable(["C-41"])[0].caughtBy ?? "", /^lock-order/);
 * ```
 */
export const C41: Mutant = {
  id: "C-41",
  mutation: "queue-create's ERANGE path re-takes the virtual lock while holding the physical one",
  implemented: true,
  kill: { config: "stepped-create", check: "spec" },
  invisibleToReplies: "a lock-order inversion on an error path: LOCK-2, concurrency 2",
  patch: {
    queueCreateExit: (original) => (state, proc, reply, phys, virt) =>
      !reply.ok && reply.errno === "ERANGE"
        ? exitVia(state, release(proc, virt), reply, virt)
        : original(state, proc, reply, phys, virt),
  },
};
