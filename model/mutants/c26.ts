/**
 * The C-26 mutant of bugs.md section C: SCRUB emitted for single devices.
 *
 * @module
 */

import { isNetkit } from "../state.ts";
import type { Mutant } from "../hooks.ts";

/**
 * C-26: SCRUB emitted for single devices. `netkit_fill_info` before e530b484b705: a single
 * device's GETLINK carries SCRUB, which its NEWLINK refuses, so the round trip fails (INV-N2).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-26"])[0].caughtBy, "invariant INV-N2");
 * ```
 */
export const C26: Mutant = {
  id: "C-26",
  mutation: "SCRUB emitted for single devices",
  implemented: true,
  kill: { config: "single", check: "spec" },
  patch: {
    netkitFillInfo: (original) => (state, dev) => {
      const info = original(state, dev);
      const d = state.devices[dev];
      if (!isNetkit(d) || d.pairing !== "single") return info;
      const { primary, policy, mode, ...tail } = info;
      return { primary, policy, mode, scrub: d.scrub, ...tail };
    },
  },
};
