/**
 * The C-46 mutant: bind-tx through a netkit maps the dmabuf on the netkit.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-46: `net_devmem_bind_dmabuf` is given the named device (the netkit) instead of the NIC that
 * does the DMA. The reply is the same, but the binding's device is one that cannot transmit from
 * device memory, and the NIC's lease can end while the binding still points at the netkit
 * (INV-M5).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-46"])[0].caughtBy, "invariant INV-M5");
 * ```
 */
export const C46: Mutant = {
  id: "C-46",
  mutation: "bind-tx through a netkit maps the dmabuf on the netkit",
  implemented: true,
  kill: { config: "mlx5", check: "spec" },
  invisibleToReplies: "which device a TX binding is mapped on: INV-M5",
  patch: {
    bindTxBinding: (original) => (bindDev, named) => ({ ...original(bindDev, named), dev: named }),
  },
};
