/**
 * The C-33 mutant of bugs.md section C: unlease loop stops one early.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-33: unlease loop stops one early. The last lease survives its netkit, dangling (INV-T1,
 * `multiple_leases` + delete).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-33"])[0].caughtBy, "invariant INV-T1");
 * ```
 */
export const C33: Mutant = {
  id: "C-33",
  mutation: "unlease loop stops one early",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    // The loop ends at real_num_rx_queues - 1.
    netkitQueueUnlease: (original) => (pc, at) =>
      pc === "unlease-nk" && at.q >= at.state.devices[at.dev].realRx - 1
        ? { kind: "return", unlock: [at.dev] }
        : original(pc, at),
  },
};
