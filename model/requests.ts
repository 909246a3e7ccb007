/**
 * The requests the exploration makes: for each operation, the bounded set of requests enumerated
 * in a state — the valid ones, and invalid ones chosen to reach each error path of the kernel
 * function (operations.md). Bounds come from the configuration (`bindQueues`, `linkFlaps`,
 * `moves`, `maxBindings`, `netkitCreations`).
 *
 * @module
 */

import type { ModelConfig, OperationName } from "./config.ts";
import type { Caller } from "./ops/types.ts";
import {
  devicesOfNetns,
  isNetkit,
  isPhysical,
  type ModelState,
  type NetnsIndex,
  peerId,
} from "./state.ts";
import type { ModelStep } from "./step.ts";

const aliveNetns = (s: ModelState): NetnsIndex[] => s.netns.flatMap((n, i) => (n.alive ? [i] : []));

const registered = (s: ModelState, ns: NetnsIndex) =>
  devicesOfNetns(s, ns).filter((i) => s.devices[i].reg === "registered");

/** An ifindex no device uses in the model (for -ENODEV paths). */
const NO_SUCH_IFINDEX = 99;
/** A netns id no table assigns in the model (for -ENONET paths). */
const NO_SUCH_NSID = 7;

/** The queue-create requests enumerated in a state (QC checks reached by valid and bad input). */
function queueCreateSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const ns of aliveNetns(s)) {
    const caller = { netns: ns };
    // Lessor candidates as seen from `ns`: (ifindex, netns-id or none, device).
    const lessors: { ifindex: number; nsid?: number; dev: number }[] = [];
    s.devices.forEach((d, i) => {
      if (!isPhysical(d) || d.reg !== "registered") return;
      if (d.netns === ns) lessors.push({ ifindex: d.ifindex, dev: i });
      else {
        const nsid = peerId(s, ns, d.netns);
        if (nsid >= 0) lessors.push({ ifindex: d.ifindex, nsid, dev: i });
      }
    });
    for (const v of registered(s, ns)) {
      const vd = s.devices[v];
      if (!isNetkit(vd)) {
        if (lessors.length > 0 && vd.kind === "physical") { // QC-11 (phys_lessee)
          const l = lessors[0];
          out.push(create(caller, vd.ifindex, l.ifindex, 0, l.nsid));
        }
        continue;
      }
      for (const l of lessors) {
        const p = s.devices[l.dev];
        for (let q = 0; q <= p.realRx; q++) {
          out.push(create(caller, vd.ifindex, l.ifindex, q, l.nsid));
        }
      }
      out.push(create(caller, vd.ifindex, vd.ifindex, 0)); // QC-16 self-lease
      out.push(create(caller, vd.ifindex, NO_SUCH_IFINDEX, 0)); // QC-15
      out.push(create(caller, vd.ifindex, 1, 0, NO_SUCH_NSID)); // QC-14
    }
  }
  return out;
}

function create(
  caller: Caller,
  ifindex: number,
  lease: number,
  q: number,
  nsid?: number,
): ModelStep {
  const leaseAttr = nsid === undefined
    ? { ifindex: lease, queue: { id: q, type: "rx" } }
    : { ifindex: lease, queue: { id: q, type: "rx" }, "netns-id": nsid };
  return { op: "queue-create", caller, request: { ifindex, type: "rx", lease: leaseAttr } };
}

function newlinkSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const ns of aliveNetns(s)) {
    const caller = { netns: ns };
    if (s.netkitBudget > 0) {
      out.push({
        op: "newlink",
        caller,
        request: {
          "num-rx-queues": 2,
          linkinfo: { kind: "netkit", data: { mode: "l2", pairing: "single" } },
        },
      });
    }
    out.push({ // NK-NEW-10: single mode with scrub (a self-loop: always fails)
      op: "newlink",
      caller,
      request: {
        linkinfo: { kind: "netkit", data: { mode: "l2", pairing: "single", scrub: "default" } },
      },
    });
  }
  return out;
}

function deviceSteps(
  s: ModelState,
  op: "dellink" | "link-set",
  config?: ModelConfig,
): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d, i) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    if (op === "dellink") {
      if (isNetkit(d)) out.push({ op, caller, request: { "ifi-index": d.ifindex } });
    } else {
      // linkFlaps "physical": a netkit is only brought back up.
      if (config?.linkFlaps === "physical" && !isPhysical(d) && d.up) return;
      out.push({ op, caller, request: { ifindex: d.ifindex, up: !s.devices[i].up } });
    }
  });
  return out;
}

function changelinkSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const d of s.devices) {
    if (!isNetkit(d) || d.reg !== "registered") continue;
    const caller = { netns: d.netns };
    out.push({ // NK-CHG-2 on the primary, NK-CHG-1 on a peer
      op: "newlink",
      caller,
      request: { "ifi-index": d.ifindex, linkinfo: { kind: "netkit", data: { mode: "l3" } } },
    });
    // An accepted change with nothing to change (`ip link set DEV type netkit`): on the primary
    // it passes netkit_change_link and takes do_setlink's lock (the RTNL path's lock order;
    // net/core/rtnetlink.c rtnl_changelink: ops->changelink under RTNL alone, then do_setlink's
    // netdev_lock_ops, 7.2.13).
    if (d.primary) {
      out.push({
        op: "newlink",
        caller,
        request: { "ifi-index": d.ifindex, linkinfo: { kind: "netkit", data: {} } },
      });
    }
  }
  return out;
}

function moveSteps(s: ModelState, config: ModelConfig): ModelStep[] {
  const out: ModelStep[] = [];
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    if (config.moves === "netkits" && !isNetkit(d)) return;
    if (config.moves === "single-netkits" && !(isNetkit(d) && d.pairing === "single")) return;
    if (config.moves === "physical" && !isPhysical(d)) return;
    for (const ns of aliveNetns(s)) {
      if (ns === d.netns) continue;
      out.push({
        op: "netns-move",
        caller: { netns: d.netns },
        request: { ifindex: d.ifindex, netns: s.netns[ns].name },
      });
    }
  });
  return out;
}

/** The bind requests of one kind (bind-rx, zcrx-register, xsk-bind) in `s`. */
function bindSteps(
  s: ModelState,
  config: ModelConfig,
  op: "bind-rx" | "zcrx-register" | "xsk-bind",
): ModelStep[] {
  if (s.bindings.filter((b) => b !== null).length >= config.maxBindings) return [];
  const out: ModelStep[] = [];
  const bounded = config.bindQueues === "leased-or-physical";
  s.devices.forEach((d) => {
    if (d.reg !== "registered" || d.kind === "virtual") return;
    const caller = { netns: d.netns };
    for (let q = 0; q < d.realRx; q++) {
      if (bounded && !isPhysical(d) && d.rxq[q].lease === null) continue;
      if (op === "zcrx-register") {
        out.push({ op, caller, request: { ifindex: d.ifindex, "queue-id": q } });
      } else if (op === "bind-rx") {
        out.push({
          op,
          caller,
          request: { ifindex: d.ifindex, fd: 0, queues: [{ id: q, type: "rx" }] },
        });
      } else out.push({ op, caller, request: { ifindex: d.ifindex, "queue-id": q } });
    }
  });
  return out;
}

/**
 * bind-tx on every registered netkit and physical device, from its own namespace (DM-7b, DM-8:
 * a netkit finds the NIC through its leases, a NIC without netmem TX refuses).
 */
function bindTxSteps(s: ModelState, config: ModelConfig): ModelStep[] {
  if (s.bindings.filter((b) => b !== null).length >= config.maxBindings) return [];
  return s.devices.flatMap((d) =>
    d.reg === "registered" && d.kind !== "virtual"
      ? [{
        op: "bind-tx" as const,
        caller: { netns: d.netns },
        request: { ifindex: d.ifindex, fd: 0 },
      }]
      : []
  );
}

function closeSteps(s: ModelState): ModelStep[] {
  return s.bindings.flatMap((b, i) => {
    if (b === null) return [];
    // The socket's task: in the namespace of the device it was bound to (init once detached).
    const netns = b.dev === null ? 0 : s.devices[b.dev].netns;
    return [{ op: "close" as const, caller: { netns }, request: { binding: i } }];
  });
}

function channelSteps(s: ModelState): ModelStep[] {
  const out: ModelStep[] = [];
  for (const d of s.devices) {
    if (!isPhysical(d) || d.reg !== "registered") continue;
    const caller = { netns: d.netns };
    for (const n of [d.realRx - 1, d.realRx + 1]) {
      if (n < 1 || n > d.maxChannels) continue;
      out.push({
        op: "channels-set",
        caller,
        request: { header: { "dev-index": d.ifindex }, "combined-count": n },
      });
    }
  }
  return out;
}

/**
 * The requests of operation `op` the exploration makes in state `s`: valid ones, and invalid ones
 * that reach the operation's error paths (bounded by `config`).
 *
 * @example Usage
 * ```ts
 * import { stepsOf } from "./requests.ts";
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const steps = stepsOf(initialState(DEFAULT_CONFIG), "queue-create", DEFAULT_CONFIG);
 * assert.ok(steps.length > 0 && steps.every((s) => s.op === "queue-create"));
 * ```
 */
export function stepsOf(s: ModelState, op: OperationName, config: ModelConfig): ModelStep[] {
  switch (op) {
    case "queue-create":
      return queueCreateSteps(s);
    case "queue-get":
      return aliveNetns(s).map((ns) => ({
        op: "queue-get",
        caller: { netns: ns },
        dump: true,
        request: {},
      }));
    case "newlink":
      return [...newlinkSteps(s), ...changelinkSteps(s)];
    case "getlink":
      return s.devices.flatMap((d) =>
        isNetkit(d) && d.reg === "registered"
          ? [{
            op: "getlink" as const,
            caller: { netns: d.netns },
            request: { "ifi-index": d.ifindex },
          }]
          : []
      );
    case "dellink":
      return deviceSteps(s, "dellink");
    case "phys-remove":
      return s.devices.flatMap((d) =>
        isPhysical(d) && d.reg === "registered"
          ? [{
            op: "phys-remove" as const,
            caller: { netns: d.netns },
            request: { ifindex: d.ifindex },
          }]
          : []
      );
    case "netns-move":
      return s.movesLeft === 0 ? [] : moveSteps(s, config);
    case "link-set":
      return deviceSteps(s, "link-set", config);
    case "bind-rx":
    case "zcrx-register":
    case "xsk-bind":
      return bindSteps(s, config, op);
    case "bind-tx":
      return bindTxSteps(s, config);
    case "close":
      return closeSteps(s);
    case "channels-set":
      return channelSteps(s);
    case "netns-set-id":
      // Every live caller names every live peer: the lowest free id (`auto`) and id 0, which
      // is taken whenever the table has an entry (NS-7's two EEXIST paths and the allocation).
      return aliveNetns(s).flatMap((caller) =>
        aliveNetns(s).flatMap((peer) =>
          [-1, 0].map((nsid): ModelStep => ({
            op: "netns-set-id",
            caller: { netns: caller },
            request: { netns: s.netns[peer].name, nsid },
          }))
        )
      );
    case "netns-delete":
      return aliveNetns(s).filter((ns) => ns !== 0).map((ns) => ({
        op: "netns-delete",
        caller: { netns: 0 },
        request: { netns: s.netns[ns].name },
      }));
  }
}
