/**
 * What an exploration of the device model covers, for every result's scope (the engine's
 * `Spec.scope`): how each enabled operation runs (stepped, and its lock path; or atomic, and
 * why), the bounds of the topology and of the requests the exploration makes, and the reductions
 * the model makes — each one named, so that an "ok" never reads as more than was checked.
 *
 * @module
 */

import type { ScopeEntry, SpecScope } from "../checker/scope.ts";
import { OP_NAMES, type OpName } from "../spec/operations.ts";
import { DEFAULT_KERNEL, kernelHas, VERSIONED_FACTS, type VersionedFactId } from "./versions.ts";
import type { ModelConfig } from "./config.ts";
import { LABELLED_FACTS } from "./facts_of.ts";

/** How each operation runs as a process: its kernel code path's lock acquisitions, in order. */
export const LOCK_PATHS: Readonly<Record<OpName, string>> = {
  "queue-create":
    "lookup + reference; virtual instance lock (QC-10..18); physical lock nested (QC-19..25, the lease)",
  "queue-get":
    "do: lookup + reference; the device's ops lock (RTNL for lo); the lessor's lock nested for a " +
    "leased netkit queue. dump: per device in ifindex order, the same (find, reference, lock)",
  "bind-rx": "lookup + reference; the device's instance lock; the lessor's lock nested (lease)",
  newlink:
    "RTNL; create: the whole request. change: netkit_change_link, then do_setlink's ops lock",
  getlink: "lookup + reference; RTNL; the fill",
  dellink:
    "RTNL; the batch unregister: mark (each device's lock), notifiers, netkit_queue_unlease " +
    "(netkit lock, then each lessor's lock), netdev_run_todo's wait for references",
  "channels-set":
    "lookup + reference; RTNL (netdevsim and mlx5 set op_needs_rtnl); the device's ops lock",
  "link-set": "RTNL; the device's ops lock (do_setlink)",
  "netns-move":
    "RTNL; first section under the device's lock (close, moving_ns, notifiers); the switch " +
    "under the device's lock",
  "phys-remove":
    "RTNL; the batch unregister with the netkit notifier (physical lock for the scan, released " +
    "before the nested batch); netdev_run_todo's wait for references",
  "netns-delete":
    "RTNL; each physical device moved home (two sections under its lock); one batch for the " +
    "netkits and lo; the ids forgotten at the end",
  "netns-set-id": "none the model tracks (RTNL_FLAG_DOIT_UNLOCKED; the table's spinlock)",
  "zcrx-register":
    "lookup + reference; the device's instance lock; the lessor's lock nested (lease)",
  "bind-tx": "lookup + reference; the device's instance lock; the NIC's lock nested (netkit)",
  "xsk-bind": "RTNL; lookup + reference; the device's ops lock; the lessor's lock nested (lease)",
  close: "RTNL for AF_XDP; the bound device's lock; the lessor's lock nested (lease)",
};

/**
 * The scope of an exploration of `config`: operations, bounds, reductions.
 *
 * @example Usage
 * ```ts
 * import { modelScope } from "./scope.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const scope = modelScope(DEFAULT_CONFIG);
 * assert.match(scope.bounds ?? "", /2 operations in flight/);
 * assert.ok(scope.sections.some((s) => s.title === "reductions"));
 * ```
 */
export function modelScope(config: ModelConfig): SpecScope {
  const stepped = config.concurrency >= 2;
  const operations: ScopeEntry[] = config.operations.map((op) =>
    stepped
      ? { name: op, value: "stepped", note: LOCK_PATHS[op] }
      : { name: op, value: "atomic", note: "concurrency 1: every request is one step" }
  );
  const netkits = config.netkits.map((k) =>
    k.pairing === "pair"
      ? `${k.name}/${k.peerName ?? `${k.name}p`} (pair, ${k.numRxQueues} rx)`
      : `${k.name} (single, ${k.numRxQueues} rx)`
  );
  const physical = config.physical.map((p) =>
    `${p.name} (${p.driver}, ${p.queues} queues, max ${p.maxChannels ?? p.queues})`
  );
  const kernel = config.kernel ?? DEFAULT_KERNEL;
  const versioned = (Object.keys(VERSIONED_FACTS) as VersionedFactId[])
    .filter((id) => kernelHas(kernel, id));
  const topology: ScopeEntry[] = [
    {
      name: "kernel",
      value: kernel,
      note: `version-dependent facts that hold: ${
        versioned.join(", ") || "none"
      } (model/versions.ts)`,
    },
    { name: "namespaces", value: config.namespaces.join(", ") },
    { name: "physical devices", value: physical.join(", ") || "none" },
    { name: "netkit devices", value: netkits.join(", ") || "none" },
    { name: "netkit creations", value: config.netkitCreations },
    { name: "queue users at once", value: config.maxBindings },
    { name: "operations in flight", value: config.concurrency },
    { name: "loopback", value: config.loopback ? "lo in every namespace" : "none" },
  ];
  const allRequests: ScopeEntry[] = [
    {
      name: "queue-create",
      value: "every netkit x every lessor seen from its netns x queue ids 0..real",
      note: "plus a physical target (QC-11), a self-lease (QC-16), an unknown lessor ifindex 99 " +
        "(QC-15) and an unknown netns id 7 (QC-14)",
    },
    { name: "queue-get", value: "a dump of each namespace" },
    {
      name: "newlink",
      value: "a single netkit while creations last; a single netkit with scrub (NK-NEW-10); " +
        "a mode change of each netkit (NK-CHG-1/2); an accepted change with nothing to change of " +
        "each primary (do_setlink's lock)",
    },
    {
      name: "bind-rx, zcrx-register, xsk-bind",
      value: config.bindQueues === "leased-or-physical"
        ? "physical queues and leased netkit queues"
        : "every live rx queue of every device",
    },
    {
      name: "link-set",
      value: config.linkFlaps === "physical"
        ? "toggle physical devices; a netkit only back up"
        : "toggle every device",
    },
    {
      name: "netns-move",
      value: config.moves === "netkits"
        ? "netkits to every other namespace"
        : config.moves === "single-netkits"
        ? "single netkits to every other namespace (a pair's moves are left out)"
        : "every device to every other namespace",
      ...(config.netnsMoves === undefined
        ? {}
        : { note: `at most ${config.netnsMoves} per run (each request issued uses one)` }),
    },
    { name: "channels-set", value: "one channel more and one fewer per physical device" },
  ];
  // The request domains of the enabled operations (an entry may name several).
  const enabled = new Set<string>(config.operations);
  const requests = allRequests.filter((r) => r.name.split(", ").some((n) => enabled.has(n)));
  const reductions: ScopeEntry[] = stepped
    ? [
      {
        name: "interleaving points",
        value: "lock acquisitions",
        note: "code between two acquisitions runs as one step; the lookup before a request's " +
          "first lock is a step of its own when it takes a reference",
      },
      config.lateStart === false
        ? {
          name: "late start",
          value: "off",
          note: "every request starts at once and waits for its first lock in its slot",
        }
        : {
          name: "late start",
          value: "on",
          note: "a request that holds nothing before its first lock starts when that lock is " +
            "free (it cannot be part of a wait cycle); a leaked lock is waited for; " +
            "--param late-start=false turns it off",
        },
      {
        name: "process slots",
        value: "symmetric",
        note: "states that differ only in which slot runs which process are one state",
      },
      {
        name: "proxied sections",
        value: "one",
        note: "bind-rx, zcrx-register, xsk-bind and close through a lease take the lessor's " +
          "lock once for their short sections (DMA lookup, provider open, pool, zero-copy), " +
          "the netkit's lock held throughout",
      },
      {
        name: "unregister batch",
        value: "phase by phase",
        note: "all marks, then all notifiers, then all uninits of a batch",
      },
    ]
    : [{ name: "concurrency", value: "none", note: "atomic operations: no interleaving" }];
  const notExplored = (["getlink", "netns-move", "netns-set-id"] as OpName[]).filter((op) =>
    !config.operations.includes(op)
  );
  const sections = [
    { title: "operations", entries: operations },
    { title: "topology", entries: topology },
    { title: "requests", entries: requests },
    { title: "reductions", entries: reductions },
  ];
  if (notExplored.length > 0) {
    sections.push({
      title: "not explored",
      entries: notExplored.map((op) => ({
        name: op,
        value: "off",
        note: op === "getlink"
          ? "its only effect is the netns id it may allocate; scenarios cover it"
          : op === "netns-set-id"
          ? "the topology assigns the netns ids up front (NS-7); scenarios cover it"
          : "left out of this configuration: the kill table's stepped-move, --config moves " +
            "and the scenarios cover it",
      })),
    });
  }
  const left = OP_NAMES.filter((op) => !enabled.has(op));
  return {
    labels: [...new Set(config.operations.flatMap((op) => LABELLED_FACTS[op]))],
    bounds:
      `kernel ${kernel}, ${config.namespaces.length} namespaces, ${config.physical.length} physical and ` +
      `${config.netkits.length} netkit devices, ${config.concurrency} operations in flight, ` +
      `${config.maxBindings} queue user${config.maxBindings === 1 ? "" : "s"}, bounded requests` +
      (left.length
        ? `, ${config.operations.length} of ${OP_NAMES.length} operations (not ${left.join(", ")})`
        : ""),
    sections,
  };
}
