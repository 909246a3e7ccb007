/**
 * The C-36 mutant of bugs.md section C: AF_XDP rcv validation without the real_num_rx_queues bound.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-36: AF_XDP rcv validation without the real_num_rx_queues bound. Not modelled: the receive
 * path's queue-id validation (XSK-7) is not part of the model, and no modelled device could show
 * the difference.
 *
 * @example Usage
 * ```ts
 * import { C36 } from "./c36.ts";
 * import assert from "node:assert/strict";
 * assert.equal(C36.implemented, false);
 * ```
 */
export const C36: Mutant = {
  id: "C-36",
  mutation: "AF_XDP rcv validation without the real_num_rx_queues bound",
  implemented: false,
  note: "not observable in the modelled devices: every one has real tx <= real rx queues " +
    "(netkit 1 tx, netdevsim and mlx5 combined channels), so no socket queue id names a " +
    "tx-only queue and the receive check never reads past the rx queues",
};
