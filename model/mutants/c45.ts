/**
 * The C-45 mutant: bind-tx through a netkit looks only at its first rx queue.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-45: `netdev_find_netmem_tx_dev` looks only at rx queue 0 of a NO_DMA device. A netkit whose
 * lease is on another queue (the selftest leases queue 1 and up: queue 0 stays the netkit's own)
 * answers bind-tx with EOPNOTSUPP "No DMA-capable device found for netmem TX" instead of binding
 * to the NIC (DM-7b walks every real rx queue).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-45"])[0].caughtBy, "invariant REPLY-EQ");
 * ```
 */
export const C45: Mutant = {
  id: "C-45",
  mutation: "bind-tx through a netkit looks only at its first rx queue",
  implemented: true,
  kill: { config: "mlx5", check: "differential" },
  patch: {
    netdevFindNetmemTxDev: (original) => (state, dev, kernel) => {
      const d = state.devices[dev];
      if (d.kind !== "netkit") return original(state, dev, kernel);
      const first = { ...d, realRx: Math.min(d.realRx, 1) };
      const devices = state.devices.map((x, i) => (i === dev ? first : x));
      return original({ ...state, devices }, dev, kernel);
    },
  },
};
