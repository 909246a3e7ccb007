/**
 * The transition properties of the model (TLA+'s `[][P]_vars`), each named by its fact id: NS-4
 * (no lease on a device mid-move), INV-L7's monotonic netkit size, INV-N3 (fixed netkit
 * parameters), INV-V4 (moves and flaps keep leases) and INV-M3 (a failing queue-create changes
 * nothing, atomic mode).
 *
 * @module
 */

import type { ActionProperty } from "../checker/spec.ts";
import type { ModelOptions } from "./mutants.ts";
import { completionOf } from "./process.ts";
import { isNetkit, isPhysical, type ModelState } from "./state.ts";
import type { ModelStep } from "./step.ts";

function leaseSet(s: ModelState): string {
  const pairs: string[] = [];
  s.devices.forEach((d, i) => {
    if (!isPhysical(d)) return;
    d.rxq.forEach((q, n) => {
      if (q.lease) pairs.push(`${i}:${n}->${q.lease.dev}:${q.lease.queue}`);
    });
  });
  return pairs.join(",");
}

/** The operation a transition belongs to: the request's, or the stepping process's. */
function opOf(before: ModelState, param: unknown): string | undefined {
  if (typeof param === "number") return before.procs?.[param]?.op;
  return (param as ModelStep | undefined)?.op;
}

function newLeases(before: ModelState, after: ModelState): { phys: number; virt: number }[] {
  const out: { phys: number; virt: number }[] = [];
  after.devices.forEach((d, i) => {
    if (!isPhysical(d) || d === before.devices[i]) return;
    d.rxq.forEach((q, n) => {
      if (q.lease !== null && before.devices[i]?.rxq[n]?.lease === null) {
        out.push({ phys: i, virt: q.lease.dev });
      }
    });
  });
  return out;
}

/**
 * The properties, evaluated with `options`; `concurrent` says whether operations run as processes
 * (INV-M3 then holds per process, not per transition).
 *
 * @example Usage
 * ```ts
 * import { properties } from "./properties.ts";
 * import assert from "node:assert/strict";
 * assert.ok(properties({}, false).some((p) => p.name === "INV-M3"));
 * ```
 */
export function properties(
  _options: ModelOptions,
  concurrent: boolean,
): ActionProperty<ModelState>[] {
  return [
    {
      name: "NS-4",
      description: "no lease is created on a device that is moving between namespaces",
      holds: (before, after) =>
        newLeases(before, after).every(({ phys, virt }) =>
          before.devices[phys].movingNs !== true && before.devices[virt].movingNs !== true
        ),
    },
    {
      name: "INV-L7-monotonic",
      description: "a netkit's real rx count never decreases",
      holds: (before, after) =>
        before.devices.every((d, i) => !isNetkit(d) || after.devices[i].realRx >= d.realRx),
    },
    {
      name: "INV-N3",
      description: "mode, pairing, scrub, headroom and tailroom of a netkit never change",
      holds: (before, after) =>
        before.devices.every((d, i) => {
          const a = after.devices[i];
          return !isNetkit(d) || !isNetkit(a) ||
            (a.mode === d.mode && a.pairing === d.pairing && a.scrub === d.scrub &&
              a.headroom === d.headroom && a.tailroom === d.tailroom);
        }),
    },
    {
      name: "INV-V4",
      description: "netns moves and link flaps keep every lease",
      holds: (before, after, step) => {
        const op = opOf(before, step.param);
        if (op !== "link-set" && op !== "netns-move") return true;
        return leaseSet(before) === leaseSet(after);
      },
    },
    {
      name: "INV-M3",
      description: "a failing queue-create leaves the state unchanged (atomic mode)",
      holds: (before, after) => {
        if (concurrent) return true;
        // The reply of this very transition (process.ts completionOf): no second run.
        const done = completionOf(after);
        if (done === undefined || (done.step as ModelStep).op !== "queue-create") return true;
        return done.reply.ok || after === before;
      },
    },
  ];
}
