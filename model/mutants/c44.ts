/**
 * The C-44 mutant of bugs.md section C: netns deletion that does not wait for an in-flight
 * operation holding a device's lock.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-44: teardown racing an in-flight operation. The batch unregister of a namespace's deletion
 * marks its devices UNREGISTERING without taking their instance locks (NK-DEL-2), so it does not
 * wait for a queue-create that holds the netkit's lock between its checks and the lease: the
 * netkit's queues are unleased and freed under it, and the create then leases a queue of a device
 * that is going away (a dangling lease, INV-T1).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.notEqual(killTable(["C-44"])[0].caughtBy, null);
 * ```
 */
export const C44: Mutant = {
  id: "C-44",
  mutation: "netns deletion marks its devices without their instance locks",
  implemented: true,
  kill: { config: "stepped-netns-delete", check: "spec" },
  invisibleToReplies: "a race with an in-flight create during a netns deletion: INV-T1",
  patch: {
    unregisterMarkLocks: (original) => (frame) =>
      frame.origin === "netns-delete" ? [] : original(frame),
  },
};
