/**
 * The C-20 mutant of bugs.md section C: netkit max-queue check removed.
 *
 * @module
 */

import { success } from "../errors.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-20: netkit max-queue check removed. `num_rx_queues` no longer bounds the growth: the netkit
 * leases into queues it never allocated (INV-L7, `create_limit`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-20"])[0].caughtBy, "invariant INV-L7");
 * ```
 */
export const C20: Mutant = {
  id: "C-20",
  mutation: "netkit max-queue check removed",
  implemented: true,
  kill: { config: "small-pair", check: "spec" },
  patch: {
    netkitQueueCreate: (original) => (dev) => {
      const old = dev.realRx;
      if (old + 1 <= dev.numRx || (dev.pairing === "pair" && dev.primary)) return original(dev);
      const rxq = old + 1 > dev.rxq.length
        ? [...dev.rxq, { lease: null, leaseTracker: false, mp: null, pool: null }]
        : dev.rxq;
      return success({ dev: { ...dev, realRx: old + 1, rxq }, id: old });
    },
  },
};
