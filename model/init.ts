/**
 * Builds the initial state from a {@linkcode ModelConfig}.
 *
 * @module
 */

import { type ModelConfig, validateConfig } from "./config.ts";
import { createNetkit } from "./ops/netkit_newlink.ts";
import {
  appendDevice,
  emptyQueues,
  type ModelState,
  NSID_NOT_ASSIGNED,
  type PhysicalDevice,
  reserveIfindex,
  updateDevice,
  updateNetns,
} from "./state.ts";

/**
 * The initial state of `config`: namespaces with their preset netns ids and `lo`, then the
 * physical devices in order, then the netkits (a pair's peer registered before its primary).
 * Devices configured `up` are up. With `concurrency` >= 2 the state has that many free process
 * slots.
 *
 * @example Usage
 * ```ts
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * assert.equal(s.netns[1].nsids[0], 0);
 * ```
 */
export function initialState(config: ModelConfig): ModelState {
  const c = validateConfig(config);
  const nsIndex = (name: string) => c.namespaces.indexOf(name);
  let s: ModelState = {
    netns: c.namespaces.map((name) => ({
      name,
      alive: true,
      nsids: c.namespaces.map(() => NSID_NOT_ASSIGNED),
      nextIfindex: 1,
    })),
    devices: [],
    bindings: [],
    netkitBudget: c.netkitCreations,
    oops: null,
  };
  if (c.netnsMoves !== undefined) s = { ...s, movesLeft: c.netnsMoves };
  for (const e of c.nsids) {
    s = updateNetns(s, nsIndex(e.netns), (ns) => {
      const nsids = ns.nsids.slice();
      nsids[nsIndex(e.peer)] = e.id;
      return { ...ns, nsids };
    });
  }
  if (c.loopback) {
    c.namespaces.forEach((_, i) => {
      const r = reserveIfindex(s, i);
      s = appendDevice(r.state, {
        kind: "virtual",
        name: "lo",
        netns: i,
        ifindex: r.ifindex,
        reg: "registered",
        // NS-6: loopback_net_init registers lo without opening it; a new namespace's lo is
        // down (queue-get dumps skip it, QG-D2).
        up: false,
        numRx: 1,
        realRx: 1,
        realTx: 1,
        rxq: emptyQueues(1),
        refs: 0,
      }).state;
    });
  }
  for (const p of c.physical) {
    const netns = nsIndex(p.netns);
    const r = reserveIfindex(s, netns);
    const max = p.maxChannels ?? p.queues;
    const mlx5 = p.driver === "mlx5";
    const dev: PhysicalDevice = {
      kind: "physical",
      driver: p.driver,
      name: p.name,
      netns,
      ifindex: r.ifindex,
      reg: "registered",
      up: p.up ?? true,
      numRx: max,
      realRx: p.queues,
      realTx: p.queues,
      rxq: emptyQueues(max),
      refs: 0,
      queueMgmt: true,
      xskZeroCopy: mlx5,
      dma: mlx5,
      tcpDataSplit: mlx5,
      present: true,
      maxChannels: max,
    };
    s = appendDevice(r.state, dev).state;
  }
  for (const k of c.netkits) {
    const netns = nsIndex(k.netns);
    const created = createNetkit(s, {
      name: k.name,
      netns,
      pairing: k.pairing,
      mode: k.mode ?? "l2",
      policy: "forward",
      peerPolicy: "forward",
      scrub: "default",
      peerScrub: "default",
      headroom: 0,
      tailroom: 0,
      numRx: k.numRxQueues,
      peerName: k.pairing === "pair" ? (k.peerName ?? `${k.name}p`) : undefined,
      peerNetns: k.peerNetns === undefined ? netns : nsIndex(k.peerNetns),
      peerNumRx: k.numRxQueues,
    });
    s = created.state;
    if (k.up ?? true) {
      for (const d of [created.primary, created.peer]) {
        if (d !== undefined) s = updateDevice(s, d, (x) => ({ ...x, up: true }));
      }
    }
  }
  if (c.concurrency >= 2) s = { ...s, procs: Array.from({ length: c.concurrency }, () => null) };
  return s;
}
