/**
 * The C-42 mutant of bugs.md section C: an error path of queue-create that returns without
 * releasing the virtual device's instance lock.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-42: a leaked lock. The QC-14 failure (-ENONET: `netns-id` names no namespace) returns without
 * `netdev_unlock(netdev)` at err_unlock. The reply is the kernel's; the netkit's instance lock
 * stays taken with nobody to release it, and the next operation that needs it waits forever: a
 * deadlock (the trace's last state shows the lock held by "(leaked)").
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.match(killTable(["C-42"])[0].caughtBy ?? "", /^deadlock/);
 * ```
 */
export const C42: Mutant = {
  id: "C-42",
  mutation: "queue-create's ENONET path returns without unlocking the virtual device",
  implemented: true,
  kill: { config: "stepped-create", check: "spec" },
  invisibleToReplies: "a leaked instance lock: the next operation on the device never returns",
  patch: {
    queueCreateUnlockVirt: (original) => (proc, virt, reply) =>
      reply.errno === "ENONET" ? proc : original(proc, virt, reply),
  },
};
