/**
 * The C-25 mutant of bugs.md section C: changelink accepts fixed parameters.
 *
 * @module
 */

import type { Mutant } from "../hooks.ts";
import { DATA_PATH, intValue, NETKIT_MODE, NETKIT_SCRUB } from "../netlink.ts";
import type { NetkitData } from "../ops/netkit_newlink.ts";
import { type Device, updateDevice } from "../state.ts";

/** The NK-CHG-2 parameters the mutant applies, in NK-CHG-2's order. */
const APPLIED = ["mode", "scrub", "peer-scrub", "headroom", "tailroom"] as const;

function nameOf<T extends string>(table: Readonly<Record<string, number>>, n: number): T {
  return (Object.keys(table).find((k) => table[k] === n) ?? String(n)) as T;
}

/** Device `x` with parameter `name` of `data` applied (the peer's scrub is not modelled). */
function apply(x: Device, name: (typeof APPLIED)[number], data: NetkitData): Device {
  const at = `${DATA_PATH}.${name}`;
  switch (name) {
    case "mode":
      return { ...x, mode: nameOf(NETKIT_MODE, intValue(data.mode, at, NETKIT_MODE)) } as Device;
    case "scrub":
      return {
        ...x,
        scrub: nameOf(NETKIT_SCRUB, intValue(data.scrub, at, NETKIT_SCRUB)),
      } as Device;
    case "headroom":
      return { ...x, headroom: intValue(data.headroom, at) } as Device;
    case "tailroom":
      return { ...x, tailroom: intValue(data.tailroom, at) } as Device;
    default:
      return x;
  }
}

/**
 * C-25: changelink accepts fixed parameters. `netkit_change_link` applies mode, scrub and
 * headroom/tailroom (the parameters the model tracks) instead of refusing them; PEER_INFO and
 * PAIRING are still refused (INV-N3).
 *
 * @example Usage
 * ```ts
 * import { killTable } from "../kill_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(killTable(["C-25"])[0].caughtBy, "property INV-N3");
 * ```
 */
export const C25: Mutant = {
  id: "C-25",
  mutation: "changelink accepts fixed parameters",
  implemented: true,
  kill: { config: "selftest", check: "spec" },
  patch: {
    netkitChangeLinkFixed: (original) => (state, dev, data) => {
      let s = state;
      for (const name of APPLIED) {
        if (data[name] !== undefined) s = updateDevice(s, dev, (x) => apply(x, name, data));
      }
      const rest = Object.fromEntries(
        Object.entries(data).filter(([name]) => !(APPLIED as readonly string[]).includes(name)),
      ) as NetkitData;
      return original(s, dev, rest);
    },
  },
};
