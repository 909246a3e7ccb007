/**
 * The C-05 mutant of bugs.md section C: QC-24 inspects queue 0 instead of the last live queue.
 *
 * @module
 */

import { failure } from "../errors.ts";
import { rxqIsLeased } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-05: QC-24 inspects queue 0 instead of the last live queue. Queue 0 of a netkit is never leased,
 * so the check never fires (INV-L5, `different_lessors`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-05"])[0].caughtBy, "invariant INV-L5");
 * ```
 */
export const C05: Mutant = {
  id: "C-05",
  mutation: "QC-24 inspects queue 0 instead of the last live queue",
  implemented: true,
  kill: { config: "two-nics", check: "spec" },
  patch: {
    // QC-24 probes queue 0.
    leaseSameLessor: () => (virt, phys) =>
      rxqIsLeased(virt, 0) && virt.rxq[0].lease!.dev !== phys
        ? failure("EOPNOTSUPP", { extack: "Leasing queues from different devices not supported" })
        : null,
  },
};
