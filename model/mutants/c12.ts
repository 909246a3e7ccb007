/**
 * The C-12 mutant of bugs.md section C: notifier drops the already-queued skip (and netkit_del_link
 * its peer guard).
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-12: notifier drops the already-queued skip (and netkit_del_link its peer guard).
 * `unregister_netdevice_queued` always answers no, so the notifier's skip and `netkit_del_link`'s
 * peer guard never fire: a netkit with two leases, or a pair whose peer is already queued, is
 * queued twice for unregistration (list corruption, INV-T4).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-12"])[0].caughtBy, "invariant INV-T4");
 * ```
 */
export const C12: Mutant = {
  id: "C-12",
  mutation: "notifier drops the already-queued skip (and netkit_del_link its peer guard)",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  invisibleToReplies: "the same device queued twice in one unregister batch: INV-T4",
  patch: {
    unregisterNetdeviceQueued: () => () => false,
  },
};
