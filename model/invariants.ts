/**
 * The state invariants of invariants.md that are predicates on one state, each named by its
 * fact id, plus NO-OOPS (the model hit no kernel BUG/WARN) and NO-DEADLOCK. Transition
 * properties (INV-L7's monotonicity, INV-N3, INV-V4, INV-M3, NS-4, the lock order) live in
 * spec.ts.
 *
 * The lock invariants read the in-flight processes' lock lists (INV-K2, INV-K3) or the kernel
 * assertions the operations record when they run without a lock they need (INV-K1, INV-K4,
 * INV-K5: `netdev_assert_locked`, `ASSERT_RTNL`, recorded as an oops tagged with the id).
 * INV-T3 needs the two-step unlease cleanup of a stepped run; INV-T4 is checked on every batch
 * (atomic runs record list corruption as a tagged oops). INV-R3 reads the state: a device is
 * UNREGISTERING only while an in-flight batch unregisters it; that every in-flight process can
 * move on is the engine's deadlock rule (processes in flight and no progress step).
 *
 * @module
 */

import { netmemTx } from "./ops/bind_tx.ts";
import type { Invariant } from "../checker/spec.ts";
import type { ModelOptions } from "./mutants.ts";
import type { UnregisterCtx } from "./ops/_unregister.ts";
import { lockClass, waitForCycle } from "./process.ts";
import { netkitFillInfo } from "./ops/getlink.ts";
import { type NetkitData, netkitNewlink } from "./ops/netkit_newlink.ts";
import { fillQueue } from "./ops/queue_get.ts";
import {
  type Device,
  type DeviceIndex,
  isNetkit,
  isPhysical,
  type ModelState,
  NSID_NOT_ASSIGNED,
  peerId,
  type Proc,
  type QueueRef,
} from "./state.ts";

/** An invariant of the model. */
export type ModelInvariant = Invariant<ModelState>;

/** True when `p` is a process whose unregister batch has `dev` queued. */
function batchQueues(p: Proc, dev: DeviceIndex): boolean {
  const queued = (p.ctx as Partial<UnregisterCtx> | null)?.queued;
  return Array.isArray(queued) && queued.includes(dev);
}

/** Every (device, queue, lease) triple of devices that are not gone. */
function leases(s: ModelState): { dev: DeviceIndex; queue: number; lease: QueueRef }[] {
  const out: { dev: DeviceIndex; queue: number; lease: QueueRef }[] = [];
  s.devices.forEach((d, dev) => {
    d.rxq.forEach((q, queue) => {
      if (q.lease !== null) out.push({ dev, queue, lease: q.lease });
    });
  });
  return out;
}

const live = (d: Device) => d.reg !== "gone";

function lowestFree(s: ModelState, from: number, peer: number): number {
  if (!s.netns[from].alive || !s.netns[peer].alive) return NSID_NOT_ASSIGNED;
  const id = peerId(s, from, peer);
  if (id !== NSID_NOT_ASSIGNED) return id;
  const used = new Set(s.netns[from].nsids);
  let n = 0;
  while (used.has(n)) n++;
  return n;
}

/**
 * The invariants, evaluated with `options` (the active mutant changes what queue-get and
 * GETLINK report, which INV-V1..V3 and INV-N2 observe).
 *
 * @example Usage
 * ```ts
 * import { invariants } from "./invariants.ts";
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * assert.ok(invariants().every((i) => i.holds(s)));
 * ```
 */
export function invariants(options: ModelOptions = {}): readonly ModelInvariant[] {
  const tagged = (s: ModelState, tag: string) => s.oops === null || !s.oops.startsWith(tag);
  const procs = (s: ModelState) => (s.procs ?? []).filter((p) => p !== null);
  return [
    {
      name: "NO-DEADLOCK",
      description: "no in-flight operation waits, directly or in a cycle, for a lock it holds",
      holds: (s) => tagged(s, "DEADLOCK") && waitForCycle(s) === undefined,
    },
    {
      name: "INV-K1",
      description: "lease and unlease run with both devices' instance locks held",
      holds: (s) => tagged(s, "INV-K1"),
    },
    {
      name: "INV-K2",
      description: "no process takes a virtual instance lock while holding a physical one",
      holds: (s) =>
        procs(s).every((p) => {
          let physical = false;
          for (const l of p.held) {
            const c = lockClass(s, l);
            if (c === "netdev:physical") physical = true;
            else if (c === "netdev:virtual" && physical) return false;
          }
          return true;
        }),
    },
    {
      name: "INV-K3",
      description: "RTNL, when held, was taken before any instance lock",
      holds: (s) => procs(s).every((p) => p.held.indexOf("rtnl") <= 0),
    },
    {
      name: "INV-K4",
      description: "netif_set_real_num_rx_queues and the DMA-device lookup run under the lock",
      holds: (s) => tagged(s, "INV-K4"),
    },
    {
      name: "INV-K5",
      description: "unregister_netdevice_queued runs under RTNL",
      holds: (s) => tagged(s, "INV-K5"),
    },
    {
      name: "INV-T3",
      description:
        "no rx queue of a live device runs with an io_uring provider whose memory is unmapped",
      holds: (s) =>
        s.devices.every((d) =>
          d.reg === "gone" || d.rxq.every((q) => {
            if (q.mp === null) return true;
            const b = s.bindings[q.mp];
            return !b || b.kind !== "io-uring" || b.dev !== null;
          })
        ),
    },
    {
      name: "INV-T4",
      description: "no device is queued twice for unregistration in one batch",
      holds: (s) =>
        tagged(s, "INV-T4") && procs(s).every((p) => {
          const ctx = p.ctx as Partial<UnregisterCtx> | null;
          const queued = ctx?.queued;
          return queued === undefined || new Set(queued).size === queued.length;
        }),
    },
    {
      name: "NO-OOPS",
      description: "the model hit no kernel BUG or WARN",
      holds: (s) => s.oops === null,
    },
    {
      name: "INV-L1",
      description: "lease pointers are symmetric: q.lease = p implies p.lease = q",
      holds: (s) =>
        leases(s).every(({ dev, queue, lease }) => {
          const back = s.devices[lease.dev]?.rxq[lease.queue]?.lease;
          return back !== null && back !== undefined && back.dev === dev && back.queue === queue;
        }),
    },
    {
      name: "INV-L2",
      description: "a lease joins exactly one virtual and one physical rx queue",
      holds: (s) =>
        leases(s).every(({ dev, lease }) =>
          isPhysical(s.devices[dev]) !== isPhysical(s.devices[lease.dev])
        ),
    },
    {
      name: "INV-L3",
      description: "no two rx queues lease the same rx queue",
      holds: (s) => {
        const seen = new Set<string>();
        for (const { lease } of leases(s)) {
          const key = `${lease.dev}:${lease.queue}`;
          if (seen.has(key)) return false;
          seen.add(key);
        }
        return true;
      },
    },
    {
      name: "INV-L4",
      description:
        "a leased physical queue carries a provider or pool only if bound through the lease",
      holds: (s) =>
        s.devices.every((d, dev) =>
          !isPhysical(d) || d.rxq.every((q) => {
            if (q.lease === null) return true;
            return [q.mp, q.pool].every((b) => {
              if (b === null) return true;
              const owner = s.bindings[b]?.dev;
              return owner !== dev;
            });
          })
        ),
    },
    {
      name: "INV-L5",
      description: "all leased queues of one netkit point to one physical device",
      holds: (s) =>
        s.devices.every((d) => {
          if (!isNetkit(d)) return true;
          const lessors = new Set(d.rxq.filter((q) => q.lease !== null).map((q) => q.lease!.dev));
          return lessors.size <= 1;
        }),
    },
    {
      name: "INV-L6",
      description: "a registered netkit has queue 0 unleased and queues 1..real-1 leased",
      holds: (s) =>
        s.devices.every((d) =>
          !isNetkit(d) || d.reg !== "registered" ||
          d.rxq.every((q, i) => (i === 0 || i >= d.realRx) === (q.lease === null))
        ),
    },
    {
      name: "INV-L7",
      description: "netkit real rx <= num rx <= 1024 and real tx = 1",
      holds: (s) =>
        s.devices.every((d) =>
          !isNetkit(d) || (d.realRx <= d.numRx && d.numRx <= 1024 && d.realTx === 1)
        ),
    },
    {
      name: "INV-L8",
      description: "a pair primary never leases (real rx stays 1)",
      holds: (s) =>
        s.devices.every((d) =>
          !isNetkit(d) || d.pairing !== "pair" || !d.primary || d.realRx === 1
        ),
    },
    {
      name: "INV-L9",
      description: "a leased physical queue index is below the device's real rx count",
      holds: (s) =>
        s.devices.every((d) =>
          !isPhysical(d) || d.reg === "gone" ||
          d.rxq.every((q, i) => q.lease === null || i < d.realRx)
        ),
    },
    {
      name: "INV-R1",
      description:
        "lease trackers held on a physical device = its leased rx queues; none elsewhere",
      holds: (s) =>
        s.devices.every((d) => {
          const trackers = d.rxq.filter((q) => q.leaseTracker).length;
          if (!isPhysical(d)) return trackers === 0;
          return trackers === d.rxq.filter((q) => q.lease !== null).length;
        }),
    },
    {
      name: "INV-R2",
      description:
        "every reference is accounted for (leases, users; no in-flight reference lost its tracker)",
      holds: (s) =>
        tagged(s, "INV-R2") && s.netns.every((n) => (n.refs ?? 0) === 0) &&
        procs(s).every((p) => p.holds.every((h) => h.tracked !== false)) &&
        s.devices.every((d, dev) => {
          const users = s.bindings.filter((b) =>
            b !== null && b.dev === dev && (b.kind === "io-uring" || b.kind === "xsk")
          ).length;
          return d.refs === d.rxq.filter((q) =>
                q.leaseTracker
              ).length + users;
        }),
    },
    {
      name: "INV-R3",
      description:
        "no unregistration waits forever: a device is UNREGISTERING only while an in-flight " +
        "operation's batch unregisters it (atomic runs: never left UNREGISTERING); that every " +
        "in-flight operation can move is the deadlock rule's",
      holds: (s) =>
        s.devices.every((d, dev) =>
          d.reg !== "unregistering" || procs(s).some((p) => batchQueues(p, dev))
        ),
    },
    {
      name: "INV-T1",
      description: "no rx queue's lease points into a device that is gone",
      holds: (s) =>
        leases(s).every(({ dev, lease }) => live(s.devices[dev]) && live(s.devices[lease.dev])),
    },
    {
      name: "INV-T2",
      description:
        "an unleased queue's provider/pool belongs to its own device (unlease cleans up)",
      holds: (s) =>
        s.devices.every((d, dev) =>
          d.reg !== "registered" ||
          d.rxq.every((q) =>
            q.lease !== null || [q.mp, q.pool].every((b) => {
              if (b === null) return true;
              const owner = s.bindings[b];
              return owner !== null && owner !== undefined && owner.dev === dev;
            })
          )
        ),
    },
    {
      name: "INV-V1",
      description: "queue-get on a virtual device never shows a lease nest",
      holds: (s) =>
        s.devices.every((d, dev) =>
          isPhysical(d) || d.reg !== "registered" || !d.up ||
          Array.from({ length: d.realRx }, (_, q) => q).every((q) =>
            fillQueue(s, dev, "rx", q, options, false).info.lease === undefined
          )
        ),
    },
    {
      name: "INV-V2",
      description:
        "a physical queue's lease nest has netns-id iff the netkit is in another netns, valued " +
        "by the physical netns's table",
      holds: (s) =>
        s.devices.every((d, dev) => {
          if (!isPhysical(d) || d.reg !== "registered" || !d.up) return true;
          for (let q = 0; q < d.realRx; q++) {
            const lease = d.rxq[q].lease;
            if (lease === null) continue;
            const info = fillQueue(s, dev, "rx", q, options, false).info;
            const v = s.devices[lease.dev];
            if (info.lease === undefined || info.lease.ifindex !== v.ifindex) return false;
            if (info.lease.queue.id !== lease.queue) return false;
            const want = v.netns === d.netns ? undefined : lowestFree(s, d.netns, v.netns);
            if (info.lease["netns-id"] !== want) return false;
          }
          return true;
        }),
    },
    {
      name: "INV-V3",
      description:
        "a leased virtual queue reports its physical partner's provider/xsk state and has none itself",
      holds: (s) =>
        s.devices.every((d, dev) => {
          if (isPhysical(d) || d.reg !== "registered") return true;
          for (let q = 0; q < d.realRx; q++) {
            const lease = d.rxq[q].lease;
            if (lease === null) continue;
            if (d.rxq[q].mp !== null || d.rxq[q].pool !== null) return false;
            if (!d.up || !s.devices[lease.dev].up) continue;
            const mine = fillQueue(s, dev, "rx", q, options, false).info;
            const theirs = fillQueue(s, lease.dev, "rx", lease.queue, options, false).info;
            for (const k of ["io-uring", "dmabuf", "xsk"] as const) {
              if (JSON.stringify(mine[k]) !== JSON.stringify(theirs[k])) return false;
            }
          }
          return true;
        }),
    },
    {
      name: "INV-N1",
      description: "a single netkit has no peer, is primary and has policy forward",
      holds: (s) =>
        s.devices.every((d) =>
          !isNetkit(d) || d.pairing !== "single" ||
          (d.peer === null && d.primary && d.policy === "forward")
        ),
    },
    {
      name: "INV-N2",
      description: "GETLINK data minus PRIMARY fed back into NEWLINK recreates the same settings",
      holds: (s) =>
        s.devices.every((d, dev) => {
          if (!isNetkit(d) || d.reg !== "registered" || !d.primary) return true;
          const { primary: _primary, ...data } = netkitFillInfo(s, dev, options);
          const r = netkitNewlink(s, { netns: d.netns }, {
            "num-rx-queues": d.numRx,
            linkinfo: { kind: "netkit", data: data as NetkitData },
          }, options);
          if (!r.reply.ok) return false;
          const made = r.state.devices[r.state.devices.length - 1];
          return isNetkit(made) && made.mode === d.mode && made.pairing === d.pairing &&
            made.policy === d.policy && made.headroom === d.headroom &&
            made.tailroom === d.tailroom && (d.pairing === "single" || made.scrub === d.scrub);
        }),
    },
    {
      name: "INV-N4",
      description: "netkit peers point at each other and exactly one of them is primary",
      holds: (s) =>
        s.devices.every((d, dev) => {
          if (!isNetkit(d) || d.peer === null) return true;
          const p = s.devices[d.peer];
          return isNetkit(p) && p.peer === dev && p.primary !== d.primary;
        }),
    },
    {
      name: "INV-M1",
      description: "every lease's virtual device is a netkit",
      holds: (s) =>
        leases(s).every(({ dev, lease }) =>
          isPhysical(s.devices[dev]) ? isNetkit(s.devices[lease.dev]) : isNetkit(s.devices[dev])
        ),
    },
    {
      name: "INV-M5",
      description:
        "every devmem TX binding is mapped on a NIC that does DMA netmem TX (not the netkit)",
      holds: (s) =>
        s.bindings.every((b) => {
          if (b?.kind !== "devmem-tx" || b.dev === null) return true;
          const d = s.devices[b.dev];
          return isPhysical(d) && netmemTx(s, b.dev) === "dma";
        }),
    },
  ];
}
