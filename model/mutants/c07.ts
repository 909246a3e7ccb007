/**
 * The C-07 mutant of bugs.md section C: netkit_queue_unlease locks the physical device before the
 * netkit.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-07: netkit_queue_unlease locks the physical device before the netkit. The unlease takes the
 * physical lock of its first lease, then the netkit's, and keeps the physical lock until the netkit
 * is unlocked: physical before virtual, against queue-create's order (LOCK-2). A lock-order cycle
 * with two operations in flight.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * const [row] = killTable(["C-07"]);
 * assert.equal(row.caughtBy, "lock-order netdev:physical -> netdev:virtual -> netdev:physical");
 * ```
 */
export const C07: Mutant = {
  id: "C-07",
  mutation: "netkit_queue_unlease locks the physical device before the netkit",
  implemented: true,
  kill: { config: "stepped-delete", check: "spec" },
  invisibleToReplies:
    "lock order only (physical before virtual): the checker's lock-order cycle, concurrency 2",
  patch: {
    netkitQueueUnlease: (original) => (pc, at) => {
      switch (pc) {
        case "start": {
          // The physical device of the first lease is locked before the netkit.
          const step = original(pc, at);
          const lease = at.state.devices[at.dev].rxq[1]?.lease;
          if (step.kind !== "lock" || !lease) return step;
          return { kind: "lock", lock: lease.dev, pc: "unlease-c07", q: step.q };
        }
        case "unlease-c07":
          return { kind: "lock", lock: at.dev, pc: "unlease-nk" };
        case "unlease-nk": {
          // The physical lock is still held from the queue before: unlease at once; at the end
          // both locks go.
          const step = original(pc, at);
          if (step.kind === "lock" && at.held.includes(step.lock)) return { kind: "unlease" };
          if (step.kind === "return") {
            return { ...step, unlock: at.held.filter((l) => l !== "rtnl") };
          }
          return step;
        }
        case "unlease-unlock": // the physical lock is kept
          return { kind: "unlock", locks: [], q: at.q + 1, pc: "unlease-nk" };
        default:
          return original(pc, at);
      }
    },
  },
};
