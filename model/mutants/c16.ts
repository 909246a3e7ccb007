/**
 * The C-16 mutant of bugs.md section C: netns-id emitted in the same netns.
 *
 * @module
 */

import { peerId } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-16: netns-id emitted in the same netns. The lease nest always carries `netns-id`, read from the
 * virtual device's table instead of the physical one's (INV-V2, `same_ns_lease`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-16"])[0].caughtBy, "invariant INV-V2");
 * ```
 */
export const C16: Mutant = {
  id: "C-16",
  mutation: "netns-id emitted in the same netns",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netdevNlQueueFillLease: () => (state, dev, lease) => {
      const v = state.devices[lease.dev];
      const id = peerId(state, v.netns, state.devices[dev].netns);
      return {
        state,
        lease: { queue: { id: lease.queue, type: "rx" }, ifindex: v.ifindex, "netns-id": id },
      };
    },
  },
};
