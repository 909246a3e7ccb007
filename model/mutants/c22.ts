/**
 * The C-22 mutant of bugs.md section C: drop MP-04 (open on the physical side of a lease).
 *
 * @module
 */

import { isPhysical, rxqIsLeased } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-22: drop MP-04 (open on the physical side of a lease). `netif_mp_open_rxq` installs a provider
 * directly on the physical side of a lease. Equivalent: the DMA-device lookup refuses that queue
 * first.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-22"])[0].caughtBy, null); // equivalent
 * ```
 */
export const C22: Mutant = {
  id: "C-22",
  mutation: "drop MP-04 (open on the physical side of a lease)",
  implemented: true,
  equivalent: true,
  note: "equivalent behind DMA-3: io_uring (IOU-3) and devmem (DM-4) look the DMA device up " +
    "before netif_mp_open_rxq, and it is NULL for the physical side of a lease, so MP-04 is " +
    "unreachable for both providers (C-35 removes that first guard)",
  kill: { config: "mlx5", check: "differential" },
  invisibleToReplies:
    "equivalent: the DMA-device lookup fails before MP-04 for io_uring and devmem",
  patch: {
    netifMpOpenRxqLease: (original) => (state, dev, queue) => {
      const d = state.devices[dev];
      return isPhysical(d) && rxqIsLeased(d, queue) ? { dev, queue } : original(state, dev, queue);
    },
  },
};
