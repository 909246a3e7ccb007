/**
 * The C-35 mutant of bugs.md section C: dma-dev lookup returns the NIC's DMA device on the physical
 * side.
 *
 * @module
 */

import { isPhysical, rxqIsLeased } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-35: dma-dev lookup returns the NIC's DMA device on the physical side.
 * `netdev_queue_get_dma_dev` without DMA-3: devmem and io_uring bind directly to a leased NIC queue
 * on the physical side and reach MP-04 (`bind_rx_leased_phys_queue`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-35"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C35: Mutant = {
  id: "C-35",
  mutation: "dma-dev lookup returns the NIC's DMA device on the physical side",
  implemented: true,
  kill: { config: "mlx5", check: "differential" },
  patch: {
    netdevQueueGetDmaDev: (original) => (state, dev, queue) => {
      const d = state.devices[dev];
      if (isPhysical(d) && rxqIsLeased(d, queue)) return d.dma ? dev : null;
      return original(state, dev, queue);
    },
  },
};
