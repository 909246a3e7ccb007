/**
 * The C-23 mutant of bugs.md section C: AF_XDP register on a leased physical queue allowed.
 *
 * @module
 */

import { failure } from "../errors.ts";
import { isPhysical, rxqIsLeased, updateRxq } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-23: AF_XDP register on a leased physical queue allowed. `xsk_reg_pool_at_qid` registers a pool
 * on the physical side of a lease (INV-L4).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-23"])[0].caughtBy, "invariant INV-L4");
 * ```
 */
export const C23: Mutant = {
  id: "C-23",
  mutation: "AF_XDP register on a leased physical queue allowed",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    xskRegPoolAtQid: (original) => (state, dev, qid, binding) => {
      const d = state.devices[dev];
      if (!isPhysical(d) || !rxqIsLeased(d, qid)) return original(state, dev, qid, binding);
      // No -EBUSY for the physical side: the pool registers locally.
      if (d.rxq[qid].pool !== null) return failure("EBUSY");
      const s = updateRxq(state, dev, qid, (q) => ({ ...q, pool: binding }));
      return { state: s, at: { dev, queue: qid } };
    },
  },
};
