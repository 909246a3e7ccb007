/**
 * The C-13 mutant of bugs.md section C: notifier keeps the physical lock while unregistering.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";

/**
 * C-13: notifier keeps the physical lock while unregistering. The notifier unlocks the physical
 * device only after the nested `unregister_netdevice_many`, whose netkit unlease needs that lock: a
 * self-deadlock (NO-DEADLOCK, `remove_phys`).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-13"])[0].caughtBy, "invariant NO-DEADLOCK");
 * ```
 */
export const C13: Mutant = {
  id: "C-13",
  mutation: "notifier keeps the physical lock while unregistering",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    // The physical lock stays held until the nested batch returns.
    netkitNotifierUnlock: (original) => (proc, ctx) => {
      const top = ctx.frames[ctx.frames.length - 1];
      if (ctx.scanned === null || top === undefined) return original(proc, ctx);
      return {
        proc,
        ctx: { ...ctx, scanned: null, frames: ctx.frames.with(-1, { ...top, keep: ctx.scanned }) },
      };
    },
  },
};
