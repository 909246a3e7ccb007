/**
 * A parallel exploration worker (see `parallel.ts`). It builds the spec from its source, keeps
 * its own part of the current and next breadth-first levels in chunked frontiers (encoded and
 * spilled to disk like the one-worker engine's), and inserts into the shared seen set. It
 * answers each orchestrator message with one reply.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { Expander, type ExpansionTarget, keepSite, type PendingEdge } from "./_expand.ts";
import { ByteSink, ByteSource, type StateCodec, STRUCTURAL_CODEC } from "./codec.ts";
import { fingerprintInto, lastHi, lastLo } from "./fingerprint.ts";
import { Frontier } from "./frontier.ts";
import { VerifyQueue } from "./immutable.ts";
import { collectGarbage, MemoryWatch } from "./memory.ts";
import { LockGraph } from "./lock_graph.ts";
import {
  BOARD,
  CONTROL,
  type FrontierFigures,
  loadSpec,
  type MovedChunk,
  type PeerMessage,
  STAT,
  STAT_STRIDE,
  type ToWorker,
  type WorkerReply,
} from "./parallel.ts";
import { SharedSeenSet } from "./shared_seen_set.ts";
import type { Spec } from "./spec.ts";

/** A growable FIFO of state indices, beside a level's frontier. */
class IndexQueue {
  #items = new Uint32Array(1024);
  #head = 0;
  #tail = 0;
  get length(): number {
    return this.#tail - this.#head;
  }
  push(index: number): void {
    if (this.#tail === this.#items.length) {
      const live = this.#tail - this.#head;
      if (live * 2 > this.#items.length) {
        const items = new Uint32Array(this.#items.length * 2);
        items.set(this.#items.subarray(this.#head, this.#tail));
        this.#items = items;
      } else {
        this.#items.copyWithin(0, this.#head, this.#tail);
      }
      this.#head = 0;
      this.#tail = live;
    }
    this.#items[this.#tail++] = index;
  }
  shift(): number {
    return this.#items[this.#head++];
  }
}

/** One level of this worker's share: states in a frontier, their indices beside them. */
interface Level<S> {
  readonly states: Frontier<S>;
  readonly indices: IndexQueue;
}

let spec: Spec<unknown>;
let seen: SharedSeenSet;
let control: Int32Array;
let expander: Expander<unknown>;
let current: Level<unknown>;
let next: Level<unknown>;
let maxStates = Infinity;
let edges: PendingEdge[] = [];
let sentPending = 0;
let lockGraph: LockGraph<PendingEdge["site"]> | undefined;
let target: ExpansionTarget<unknown>;
let stats: Float64Array;
let workerId = 0;
let newLevel: () => Level<unknown>;
let codec: StateCodec<unknown>;
const verify = new VerifyQueue();
const memory = new MemoryWatch(undefined);
let pressureSeen = 0;
let strikes = 0;
let nextMemoryCheck = 0;
let peakQueued = 0;
let encodedBytes = 0;
let encodedStates = 0;
let spilledBytes = 0;
let peakEncodedBytes = 0;
// Work stealing (see BOARD in parallel.ts).
let board: Int32Array;
let workerCount = 1;
let peers: readonly (MessagePort | undefined)[] = [];
let round = 0;
let stolen = 0;
const inbox: PeerMessage[] = [];
let wake: (() => void) | undefined;
/** A busy worker gives away states only when it has at least twice this many left. */
const MIN_DONATION = 64;

function reply(message: WorkerReply, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function stat(k: number, value: number): void {
  stats[workerId * STAT_STRIDE + k] = value;
}

/** Folds a finished level's figures into the worker's totals. */
function retire(level: Level<unknown>): void {
  encodedBytes += level.states.encodedBytes;
  encodedStates += level.states.encodedStates;
  spilledBytes += level.states.spilledTotal;
  level.states.close();
}

/** Spills both levels when the orchestrator or this heap says memory is short. */
function watchMemory(now: number): void {
  if (now < nextMemoryCheck) return;
  nextMemoryCheck = now + memory.intervalMs;
  const asked = Atomics.load(control, CONTROL.pressure);
  const short = memory.check() === "pressure";
  if (!short && asked === pressureSeen) {
    strikes = 0;
    return;
  }
  pressureSeen = asked;
  const freed = next.states.spill() + current.states.spill();
  if (freed > 0) collectGarbage();
  if (memory.check() === "pressure") {
    if (++strikes >= 3) {
      Atomics.store(control, CONTROL.stopReason, 1);
      Atomics.store(control, CONTROL.stop, 1);
    }
  } else {
    strikes = 0;
  }
}

function expandLevel(): void {
  const began = performance.now();
  let n = 0;
  const states = current.states;
  const indices = current.indices;
  while (states.length > 0) {
    if (seen.full || Atomics.load(control, CONTROL.stop) !== 0) break;
    const state = states.shift();
    const index = indices.shift();
    if (state === undefined) continue;
    const expected = verify.take(index);
    if (expected !== undefined && !sameFingerprint(state, expected, index)) {
      Atomics.store(control, CONTROL.stop, 1);
      break;
    }
    if (!expander.expand(state, index, target)) {
      if (expander.pending.length > sentPending || maxStates <= seen.size) {
        Atomics.store(control, CONTROL.stop, 1);
      }
      break;
    }
    if ((++n & 63) === 0) {
      if (workerCount > 1 && Atomics.load(board, BOARD.hungry) > 0) donate();
      if ((n & 255) === 0) {
        stat(STAT.generated, expander.generated);
        stat(STAT.queued, states.length + next.states.length);
        watchMemory(performance.now());
      }
    }
  }
  const queuedNow = states.length + next.states.length;
  if (queuedNow > peakQueued) peakQueued = queuedNow;
  const held = states.bytes + next.states.bytes;
  if (held > peakEncodedBytes) peakEncodedBytes = held;
  stat(STAT.generated, expander.generated);
  stat(STAT.queued, queuedNow);
  stat(STAT.busyMs, stats[workerId * STAT_STRIDE + STAT.busyMs] + performance.now() - began);
}

function sameFingerprint(state: unknown, expected: readonly [number, number], index: number) {
  fingerprintInto(spec.canonicalize ? spec.canonicalize(state) : state);
  if (lastHi === expected[0] && lastLo === expected[1]) return true;
  expander.pending.push({
    kind: "error",
    name: "immutability",
    message:
      "a state changed after it was stored: an action or hook modified a state in place (states " +
      "must be immutable; --check-immutable finds the step that does it)",
    site: { state: index },
  });
  return false;
}

/** Takes `count` states from the head of `level`, encoded, with their indices. */
function give(level: Level<unknown>, count: number): MovedChunk {
  const sink = new ByteSink();
  const indices = new Uint32Array(Math.min(count, level.states.length));
  let n = 0;
  while (n < indices.length && level.states.length > 0) {
    const state = level.states.shift();
    const index = level.indices.shift();
    if (state === undefined) continue;
    codec.encode(state, sink);
    indices[n++] = index;
  }
  const bytes = sink.bytes();
  return { bytes: bytes.buffer as ArrayBuffer, indices: indices.buffer.slice(0, n * 4), count: n };
}

function take(level: Level<unknown>, chunk: MovedChunk): void {
  const source = new ByteSource(new Uint8Array(chunk.bytes));
  const indices = new Uint32Array(chunk.indices);
  for (let i = 0; i < chunk.count; i++) {
    level.states.push(codec.decode(source));
    level.indices.push(indices[i]);
  }
}

/**
 * Gives half of this worker's remaining states of the round to a waiting worker it claims on
 * the board (flag 1 -> 2), over their port.
 */
function donate(): void {
  const remaining = current.states.length;
  if (remaining < 2 * MIN_DONATION) return;
  for (let w = 0; w < workerCount; w++) {
    if (w === workerId) continue;
    if (Atomics.compareExchange(board, BOARD.flags + w, 1, 2) !== 1) continue;
    Atomics.sub(board, BOARD.hungry, 1);
    const chunk = give(current, Math.floor(remaining / 2));
    const message: PeerMessage = { type: "states", chunk };
    peers[w]!.postMessage(message, [chunk.bytes, chunk.indices]);
    return;
  }
}

function onPeerMessage(event: MessageEvent<PeerMessage>): void {
  const m = event.data;
  if (m.type === "states") {
    // States of the level this worker is in (a round paused for the table to grow continues
    // the same level): they are expanded whenever they arrive.
    take(current, m.chunk);
    stolen += m.chunk.count;
    Atomics.store(board, BOARD.flags + workerId, 0);
  }
  inbox.push(m);
  const w = wake;
  wake = undefined;
  w?.();
}

/** Tells every other worker this round is over. */
function broadcastDone(): void {
  const message: PeerMessage = { type: "done", round };
  for (const port of peers) port?.postMessage(message);
}

/**
 * One round: expands this worker's states; when they run out, waits for states from busy
 * workers until every worker waits (the round is over) or the search stops.
 */
async function expandRound(): Promise<void> {
  for (;;) {
    expandLevel();
    if (workerCount === 1) return;
    if (seen.full || Atomics.load(control, CONTROL.stop) !== 0) {
      broadcastDone();
      return;
    }
    // Out of states: wait for some. The last worker to wait ends the round.
    const waiting = Atomics.add(board, BOARD.hungry, 1) + 1;
    Atomics.store(board, BOARD.flags + workerId, 1);
    if (waiting === workerCount) {
      broadcastDone();
      return;
    }
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const m = inbox.shift()!;
      if (m.type === "states") break; // expand them
      if (m.round === round) return; // the round is over
    }
  }
}

function figures(): FrontierFigures {
  const levels = [current, next];
  let bytes = encodedBytes;
  let states = encodedStates;
  let spilled = spilledBytes;
  for (const l of levels) {
    states += l.states.encodedStates;
    bytes += l.states.encodedBytes;
    spilled += l.states.spilledTotal;
  }
  return {
    peakQueued,
    peakEncodedBytes,
    encodedBytes: bytes,
    encodedStates: states,
    spilledBytes: spilled,
    storage: next.states.storage.replace(/ \+ disk \(spilled\)$/, "") +
      (spilled > 0 ? " + disk (spilled)" : ""),
  };
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    switch (message.type) {
      case "init": {
        spec = await loadSpec(message.source);
        codec = spec.codec ?? STRUCTURAL_CODEC;
        workerId = message.workerId;
        seen = SharedSeenSet.attach(message.seen, workerId + 1);
        control = new Int32Array(message.control);
        stats = new Float64Array(message.stats);
        maxStates = message.maxStates ?? Infinity;
        const frontier = message.frontier;
        const spillDir = message.spillDir;
        const bytes = spec.codec?.canonical === true;
        newLevel = () => ({
          states: new Frontier({ mode: frontier, codec: spec.codec, spillDir, bytes }),
          indices: new IndexQueue(),
        });
        current = newLevel();
        next = newLevel();
        expander = new Expander(spec, {
          checkDeadlock: message.checkDeadlock,
          stopAtFirst: message.stopAtFirst,
          coverage: message.coverage,
          freeze: message.checkImmutable,
        });
        board = new Int32Array(message.board);
        workerCount = message.workers;
        peers = message.peers;
        for (const port of peers) {
          if (port !== undefined) port.onmessage = onPeerMessage;
        }
        lockGraph = spec.locks && message.checkLockOrder
          ? new LockGraph<PendingEdge["site"]>(
            (e) => edges.push({ ...e, site: e.witness }),
            keepSite,
          )
          : undefined;
        target = {
          add: (key, parent, a, ordinal) => {
            const index = seen.add(key, parent, a, ordinal);
            if (index >= 0) verify.record(index, lastHi, lastLo);
            return index;
          }, // (with a canonical codec, states are queued as bytes: nothing to verify)
          push: (state, index) => {
            if (state === undefined) return;
            next.states.push(state);
            next.indices.push(index);
          },
          addBytes: (bytes, from, to, parent, a, ordinal) =>
            seen.addBytes(bytes, from, to, parent, a, ordinal),
          pushBytes: (bytes, from, to, index) => {
            next.states.pushBytes(bytes, from, to);
            next.indices.push(index);
          },
          observeLocks: lockGraph &&
            ((before, after, site) => {
              lockGraph!.observe(before, after, site); // new edges go to the orchestrator
              return false;
            }),
          full: maxStates === Infinity ? undefined : () => seen.size >= maxStates,
        };
        message.states.forEach((s, i) => {
          current.states.push(s);
          current.indices.push(message.indices[i]);
        });
        reply({ type: "ready" });
        return;
      }
      case "expand": {
        if (message.seen) seen = SharedSeenSet.attach(message.seen, workerId + 1);
        round = message.round;
        if (message.advance) {
          retire(current);
          current = next;
          next = newLevel();
        }
        await expandRound();
        const pending = expander.pending.slice(sentPending);
        sentPending = expander.pending.length;
        reply({
          type: "expanded",
          current: current.states.length,
          next: next.states.length,
          pending,
          edges,
          generated: expander.generated,
          deadlocked: expander.deadlocked,
          generatedBy: [...expander.generatedBy],
          distinctBy: [...expander.distinctBy],
          coverage: Object.fromEntries(expander.coverage),
          frontier: figures(),
          peakHeap: memory.peakHeap,
          stolen,
        });
        edges = [];
        return;
      }
      case "give": {
        const chunk = give(next, message.count);
        reply({ type: "given", chunk }, [chunk.bytes, chunk.indices]);
        return;
      }
      case "take": {
        take(next, message.chunk);
        reply({ type: "taken" });
        return;
      }
      case "close": {
        current.states.close();
        next.states.close();
        for (const port of peers) port?.close();
        reply({ type: "closed" });
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
