/**
 * A parallel exploration worker (see `parallel.ts`). It builds the spec from its source, keeps
 * its own part of the current and next breadth-first levels, and inserts into the shared seen
 * set. It answers each orchestrator message with one reply.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { Expander, type ExpansionTarget, keepSite, type PendingEdge } from "./_expand.ts";
import { LockGraph } from "./lock_graph.ts";
import { loadSpec, type ToWorker, type WorkerReply } from "./parallel.ts";
import { SharedSeenSet } from "./shared_seen_set.ts";
import type { Spec } from "./spec.ts";

/** One worker's queue: states with their indices. */
class Level<S> {
  states: S[] = [];
  indices: number[] = [];
  head = 0;
  get length(): number {
    return this.states.length - this.head;
  }
  push(state: S, index: number): void {
    this.states.push(state);
    this.indices.push(index);
  }
  /** Removes `count` entries from the end. */
  take(count: number): { states: S[]; indices: number[] } {
    const n = Math.min(count, this.length);
    return {
      states: this.states.splice(this.states.length - n, n),
      indices: this.indices.splice(this.indices.length - n, n),
    };
  }
}

let spec: Spec<unknown>;
let seen: SharedSeenSet;
let control: Int32Array;
let expander: Expander<unknown>;
let current = new Level<unknown>();
let next = new Level<unknown>();
let maxStates = Infinity;
let edges: PendingEdge[] = [];
let sentPending = 0;
let lockGraph: LockGraph<PendingEdge["site"]> | undefined;
let target: ExpansionTarget<unknown>;
let stats: Float64Array;
let workerId = 0;

const STOP = 0;

function reply(message: WorkerReply): void {
  self.postMessage(message);
}

function expandLevel(): void {
  let n = 0;
  while (current.length > 0) {
    if (seen.full || Atomics.load(control, STOP) !== 0) break;
    const i = current.head++;
    const state = current.states[i];
    const index = current.indices[i];
    current.states[i] = undefined; // let it be collected
    if (!expander.expand(state, index, target)) {
      if (expander.pending.length > sentPending || maxStates <= seen.size) {
        Atomics.store(control, STOP, 1);
      }
      break;
    }
    if ((++n & 255) === 0) stats[workerId] = expander.generated;
  }
  stats[workerId] = expander.generated;
  if (current.length === 0) current = new Level();
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case "init": {
        spec = await loadSpec(message.source);
        workerId = message.workerId;
        seen = SharedSeenSet.attach(message.seen);
        control = new Int32Array(message.control);
        stats = new Float64Array(message.stats);
        maxStates = message.maxStates ?? Infinity;
        expander = new Expander(spec, {
          checkDeadlock: message.checkDeadlock,
          stopAtFirst: message.stopAtFirst,
          coverage: message.coverage,
        });
        lockGraph = spec.locks
          ? new LockGraph<PendingEdge["site"]>(
            (e) => edges.push({ ...e, site: e.witness }),
            keepSite,
          )
          : undefined;
        target = {
          add: (key, parent, a, ordinal) => seen.add(key, parent, a, ordinal),
          push: (state, index) => {
            if (state !== undefined) next.push(state, index);
          },
          observeLocks: lockGraph &&
            ((before, after, site) => {
              lockGraph!.observe(before, after, site); // new edges go to the orchestrator
              return false;
            }),
          full: () => seen.size >= maxStates,
        };
        message.states.forEach((s, i) => current.push(s, message.indices[i]));
        reply({ type: "ready" });
        return;
      }
      case "expand": {
        if (message.seen) seen = SharedSeenSet.attach(message.seen);
        if (message.advance) {
          current = next;
          next = new Level();
        }
        expandLevel();
        const pending = expander.pending.slice(sentPending);
        sentPending = expander.pending.length;
        reply({
          type: "expanded",
          current: current.length,
          next: next.length,
          pending,
          edges,
          generated: expander.generated,
          deadlocked: expander.deadlocked,
          generatedBy: [...expander.generatedBy],
          distinctBy: [...expander.distinctBy],
          coverage: Object.fromEntries(expander.coverage),
        });
        edges = [];
        return;
      }
      case "give": {
        const { states, indices } = next.take(message.count);
        reply({ type: "given", states, indices });
        return;
      }
      case "take": {
        message.states.forEach((s, i) => next.push(s, message.indices[i]));
        reply({ type: "taken" });
        return;
      }
    }
  } catch (error) {
    reply({
      type: "failed",
      message: error instanceof Error ? error.stack ?? error.message : String(error),
    });
  }
};
