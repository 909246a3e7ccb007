/**
 * The C-28 mutant of bugs.md section C: A-01 tracker order in netdev_put_lock.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-28: A-01 tracker order in netdev_put_lock. The first `netdev_put_lock` (A-01, fixed by
 * 0aa72fc37e15) freed the tracker before locking and re-checking, then dropped the reference
 * untracked: a ref_tracker WARN (INV-R2), seen as a failing create that changes the state (INV-M3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-28"])[0].caughtBy, "property INV-M3");
 * ```
 */
export const C28: Mutant = {
  id: "C-28",
  mutation: "A-01 tracker order in netdev_put_lock",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "tracker order inside netdev_put_lock: INV-M3 (the step's bookkeeping)",
  patch: {
    // The tracker is freed before the lock.
    netdevPutLock: (original) => (proc, phys) =>
      original({
        ...proc,
        holds: proc.holds.map((h) => (h.dev === phys ? { dev: phys, tracked: false } : h)),
      }, phys),
  },
};
