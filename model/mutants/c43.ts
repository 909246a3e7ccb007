/**
 * The C-43 mutant of bugs.md section C: netkit CHANGELINK takes a lessor's lock before the
 * netkit's.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-43: RTNL path against instance-lock path order. After `netkit_change_link` accepted a change,
 * RTM_NEWLINK takes the instance lock of each physical device a queue of the netkit is leased
 * from, and only then `do_setlink`'s lock of the netkit itself: physical → virtual under RTNL,
 * while queue-create, bind-rx and queue-get take virtual → physical without RTNL (LOCK-2). The
 * two paths deadlock against each other.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.match(killTable(["C-43"])[0].caughtBy ?? "", /^lock-order/);
 * ```
 */
export const C43: Mutant = {
  id: "C-43",
  mutation: "netkit CHANGELINK locks the lessors before the netkit",
  implemented: true,
  kill: { config: "stepped-changelink", check: "spec" },
  invisibleToReplies: "a lock-order inversion between RTNL and instance-lock paths: LOCK-2",
  patch: {
    netkitChangeLinkLocks: (original) => (state, dev) => {
      const lessors = state.devices[dev].rxq.flatMap((q) => q.lease === null ? [] : [q.lease.dev]);
      return [...new Set(lessors), ...original(state, dev)];
    },
  },
};
