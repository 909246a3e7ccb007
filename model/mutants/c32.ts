/**
 * The C-32 mutant of bugs.md section C: unlease loop starts at 0.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-32: unlease loop starts at 0. Queue 0 of a netkit is never leased: the unlease dereferences its
 * NULL lease (NO-OOPS).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-32"])[0].caughtBy, "invariant NO-OOPS");
 * ```
 */
export const C32: Mutant = {
  id: "C-32",
  mutation: "unlease loop starts at 0",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netkitQueueUnlease: (original) => (pc, at) => {
      const step = original(pc, at);
      return pc === "start" && step.kind === "lock" ? { ...step, q: 0 } : step;
    },
  },
};
