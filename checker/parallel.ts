/**
 * Exhaustive breadth-first exploration on several cores. Web Workers share one fingerprint seen
 * set in shared memory (lock-free inserts, per-thread index blocks) and each expands its own
 * part of every level, keeping its queue in its own chunked frontier (encoded and spilled to
 * disk like the one-worker engine's). Levels are synchronous (all workers finish level d before
 * any starts d+1), so counterexamples stay shortest and depths exact. Within a level a worker
 * that runs out of states gets half of a busy worker's remaining ones, sent directly between the
 * two as an encoded chunk (work stealing, see {@link BOARD}); between levels the orchestrator
 * grows the table when it fills and moves states from the busiest worker to the idlest, as
 * encoded chunks too (transferred, never cloned).
 *
 * Workers cannot receive functions, so the spec is named by a {@link SpecSource}: a module that
 * exports an array of registry entries, the entry's name and its parameters.
 *
 * @module
 */

import type { Pending, PendingEdge } from "./_expand.ts";
import { cycleName } from "./_violations.ts";
import {
  addInitial,
  type ExploreOptions,
  finishResult,
  type SearchStop,
  settingsOf,
} from "./explore.ts";
import { LockGraph } from "./lock_graph.ts";
import { MemoryWatch } from "./memory.ts";
import type { ParamValue } from "./registry.ts";
import type { CheckResult } from "./result.ts";
import { SharedSeenSet, type SharedSeenSetBuffers } from "./shared_seen_set.ts";
import type { Spec } from "./spec.ts";
import { initialStates } from "./trace.ts";

/** Names a spec so that a worker can build it. */
export interface SpecSource {
  /** URL of a module exporting an array of registry entries (`SpecEntry`). */
  readonly module: string;
  /** The export holding the array (default `SPECS`). */
  readonly export?: string;
  /** The entry's name. */
  readonly name: string;
  /** Complete parameter values for the entry's `build`. */
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** Options of {@link exploreParallel}. */
export interface ParallelOptions extends Omit<ExploreOptions, "exact" | "memoryWatch"> {
  /** Number of workers (default 2). */
  readonly workers?: number;
  /** log2 of the initial number of table slots (default 20; the table grows as needed). */
  readonly initialLog2Slots?: number;
}

/** Slots of the shared control array. */
export const CONTROL = {
  /** Non-zero: every worker stops at its next state. */
  stop: 0,
  /** Why: 0 none, 1 memory (a worker's heap stayed short after spilling). */
  stopReason: 1,
  /** Incremented by the orchestrator when memory is short: workers spill their frontiers. */
  pressure: 2,
} as const;

/** Words of the control array. */
export const CONTROL_WORDS = 8;

/**
 * The steal board: how workers that ran out of states in a round get some from busy ones. Word
 * `hungry` counts workers waiting for states; `flags + w` is worker w's flag (0 busy, 1 waiting,
 * 2 promised states by a busy worker, which sends them over their port). The round ends when
 * every worker waits and none is promised anything.
 */
export const BOARD = { hungry: 0, flags: 1 } as const;

/** Messages between workers over their ports. */
export type PeerMessage =
  | { readonly type: "done"; readonly round: number }
  | { readonly type: "states"; readonly chunk: MovedChunk };
/** Float64 slots per worker in the shared statistics (one cache line each). */
export const STAT_STRIDE = 8;
/** Offsets within a worker's statistics. */
export const STAT = { generated: 0, queued: 1, busyMs: 2, spilled: 3 } as const;

/** Messages to a worker. */
export type ToWorker =
  | {
    readonly type: "init";
    readonly source: SpecSource;
    readonly workerId: number;
    readonly seen: SharedSeenSetBuffers;
    readonly control: SharedArrayBuffer;
    readonly stats: SharedArrayBuffer;
    readonly checkDeadlock: boolean;
    readonly checkLockOrder: boolean;
    readonly coverage: boolean;
    readonly stopAtFirst: boolean;
    readonly maxStates?: number;
    readonly frontier?: ExploreOptions["frontier"];
    readonly spillDir?: string;
    readonly checkImmutable?: boolean;
    readonly states: readonly unknown[];
    readonly indices: readonly number[];
    /** The steal board (see {@link BOARD}). */
    readonly board: SharedArrayBuffer;
    /** Workers in all. */
    readonly workers: number;
    /** A port to every other worker, by worker id (undefined for itself). */
    readonly peers: readonly (MessagePort | undefined)[];
  }
  | {
    readonly type: "expand";
    readonly advance: boolean;
    readonly seen?: SharedSeenSetBuffers;
    /** The round's number: peers' "done" messages of older rounds are ignored. */
    readonly round: number;
  }
  | { readonly type: "give"; readonly count: number }
  | { readonly type: "take"; readonly chunk: MovedChunk }
  | { readonly type: "close" };

/** States moved between workers: encoded (see `codec.ts`) with their indices. */
export interface MovedChunk {
  /** The encoded states. */
  readonly bytes: ArrayBuffer;
  /** Their seen-set indices. */
  readonly indices: ArrayBuffer;
  /** How many. */
  readonly count: number;
}

/** Replies from a worker. */
export type WorkerReply =
  | { readonly type: "ready" }
  | {
    readonly type: "expanded";
    readonly current: number;
    readonly next: number;
    readonly pending: readonly Pending[];
    readonly edges: readonly PendingEdge[];
    readonly generated: number;
    readonly deadlocked: number;
    readonly generatedBy: readonly number[];
    readonly distinctBy: readonly number[];
    readonly coverage: Readonly<Record<string, number>>;
    readonly frontier: FrontierFigures;
    readonly peakHeap: number;
    /** States this worker got from busy workers within rounds, so far. */
    readonly stolen: number;
  }
  | { readonly type: "given"; readonly chunk: MovedChunk }
  | { readonly type: "taken" }
  | { readonly type: "closed" }
  | { readonly type: "failed"; readonly message: string };

/** A worker's frontier figures. */
export interface FrontierFigures {
  /** The most states its levels held at once. */
  readonly peakQueued: number;
  /** The most encoded bytes its levels held in memory at once (at level ends). */
  readonly peakEncodedBytes: number;
  /** Encoded bytes and states so far (for bytes per state). */
  readonly encodedBytes: number;
  /** States encoded so far. */
  readonly encodedStates: number;
  /** Bytes spilled to disk so far. */
  readonly spilledBytes: number;
  /** Where its queued states were kept. */
  readonly storage: string;
}

type Expanded = Extract<WorkerReply, { type: "expanded" }>;

/** Builds the spec a source names, in this thread. */
export async function loadSpec(source: SpecSource): Promise<Spec<unknown>> {
  const mod = await import(source.module);
  const entries = mod[source.export ?? "SPECS"] as
    | readonly { name: string; build(p: unknown): Spec<unknown> }[]
    | undefined;
  const entry = entries?.find((e) => e.name === source.name);
  if (!entry) throw new TypeError(`Cannot find spec "${source.name}" in ${source.module}`);
  return entry.build(source.params);
}

/** Consecutive memory readings over budget, after asking workers to spill, before stopping. */
const MEMORY_STRIKES = 3;

/**
 * Explores the spec named by `source` with several workers; same result as {@link explore} (the
 * same state and transition counts; a shortest counterexample, possibly a different one).
 *
 * @example Usage
 * ```ts ignore
 * import { exploreParallel } from "./parallel.ts";
 * const result = await exploreParallel({
 *   module: new URL("../examples/mod.ts", import.meta.url).href,
 *   export: "EXAMPLE_SPECS",
 *   name: "lock-order",
 *   params: { n: 5, k: 3, mixed: false },
 * }, { workers: 2 });
 * ```
 */
export async function exploreParallel<S = unknown>(
  source: SpecSource,
  options: ParallelOptions = {},
): Promise<CheckResult<S>> {
  const start = performance.now();
  const spec = (await loadSpec(source)) as Spec<S>;
  const count = Math.max(1, options.workers ?? 2);
  const stopAtFirst = !options.continueAfterViolation;
  const maxDepth = options.maxDepth ?? Infinity;
  const maxStates = options.maxStates;
  // Thread 0 is this one (initial states), workers are threads 1..count.
  let seen = SharedSeenSet.create(options.initialLog2Slots ?? 20, count + 1);
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const stats = new Float64Array(new SharedArrayBuffer(8 * STAT_STRIDE * count));
  const stat = (w: number, k: number): number => stats[w * STAT_STRIDE + k];

  // Initial states: stored here, checked, then dealt round-robin.
  const inits = initialStates(spec);
  const initPending: Pending[] = [];
  const dealt: { states: unknown[]; indices: number[] }[] = Array.from(
    { length: count },
    () => ({ states: [], indices: [] }),
  );
  const keyCodec = spec.codec?.canonical ? spec.codec : undefined;
  for (let i = 0; i < inits.length; i++) {
    const state = inits[i];
    const index = addInitial(
      seen,
      keyCodec,
      spec.canonicalize ? spec.canonicalize(state) : state,
      i,
    );
    if (index < 0) continue;
    const bad = spec.invariants?.find((inv) => !inv.holds(state));
    if (bad) {
      initPending.push({ kind: "invariant", name: bad.name, site: { state: index } });
      continue;
    }
    dealt[i % count].states.push(state);
    dealt[i % count].indices.push(index);
  }

  const workers = Array.from(
    { length: count },
    () => new Worker(new URL("./_worker.ts", import.meta.url).href, { type: "module" }),
  );
  // Work stealing within a round: a shared board and a port between every two workers.
  const board = new Int32Array(new SharedArrayBuffer((BOARD.flags + count) * 4));
  const peers: (MessagePort | undefined)[][] = workers.map(() => new Array(count));
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const channel = new MessageChannel();
      peers[i][j] = channel.port1;
      peers[j][i] = channel.port2;
    }
  }
  let round = 0;
  const ask = (w: number, message: ToWorker, transfer: Transferable[] = []): Promise<WorkerReply> =>
    new Promise((resolve, reject) => {
      workers[w].onmessage = (e: MessageEvent<WorkerReply>) => {
        if (e.data.type === "failed") reject(new Error(`Worker ${w} failed: ${e.data.message}`));
        else resolve(e.data);
      };
      workers[w].onerror = (e) => {
        e.preventDefault();
        reject(new Error(`Worker ${w} failed: ${e.message}`));
      };
      workers[w].postMessage(message, transfer);
    });

  const checkLockOrder = options.checkLockOrder !== false;
  const lockGraph = spec.locks && checkLockOrder ? new LockGraph<PendingEdge["site"]>() : undefined;
  const reported = new Set<string>();
  const pending: Pending[] = [];
  const report = (p: Pending): void => {
    const key = `${p.kind}:${p.name}`;
    if (reported.has(key) || (stopAtFirst && pending.length > 0)) return;
    reported.add(key);
    pending.push(p);
  };
  initPending.forEach(report);
  const last: Expanded[] = [];
  let stop: SearchStop | undefined;
  let depth = 0;
  let deepest = 0;
  let queued = 0;
  // Where the time went, for the result: waiting for the slowest worker of each level, moving
  // states between workers, and how many were moved.
  let barrierMs = 0;
  let rebalanceMs = 0;
  let moved = 0;
  let levels = 0;
  const timer = options.timeBudgetMs === undefined ? undefined : setTimeout(() => {
    stop ??= {
      reason: "time-budget",
      text: `ran out of the time budget (${options.timeBudgetMs} ms)`,
    };
    Atomics.store(control, CONTROL.stop, 1);
  }, options.timeBudgetMs);
  const progress = options.onProgress === undefined ? undefined : setInterval(() => {
    const elapsedMs = performance.now() - start;
    const distinct = seen.size;
    let generated = 0;
    let waiting = 0;
    for (let w = 0; w < count; w++) {
      generated += stat(w, STAT.generated);
      waiting += stat(w, STAT.queued);
    }
    options.onProgress!({
      elapsedMs,
      generated,
      distinct,
      queued: waiting,
      depth,
      statesPerSecond: elapsedMs > 0 ? (distinct * 1000) / elapsedMs : 0,
    });
  }, options.progressIntervalMs ?? 1000);
  // Memory: the process's resident memory is watched here; workers watch their own heaps. When
  // memory is short, workers are asked to spill; when it stays short, the run stops.
  const memory = new MemoryWatch(options.memoryBudgetBytes);
  let strikes = 0;
  let asked = false;
  const watch = setInterval(() => {
    if (memory.check() !== "pressure") {
      strikes = 0;
      asked = false;
      return;
    }
    if (asked) strikes++;
    Atomics.add(control, CONTROL.pressure, 1);
    asked = true;
    if (strikes >= MEMORY_STRIKES) {
      stop ??= {
        reason: "memory-budget",
        text: `reached the memory budget (${memory.describe()})`,
      };
      Atomics.store(control, CONTROL.stop, 1);
    }
  }, memory.intervalMs);

  try {
    await Promise.all(workers.map((_, w) =>
      ask(w, {
        type: "init",
        source,
        workerId: w,
        seen: seen.buffers,
        control: control.buffer as SharedArrayBuffer,
        stats: stats.buffer as SharedArrayBuffer,
        checkDeadlock: options.checkDeadlock ?? true,
        checkLockOrder,
        coverage: options.coverage === true,
        stopAtFirst,
        maxStates,
        frontier: options.frontier,
        spillDir: options.spillDir === undefined ? undefined : `${options.spillDir}/worker-${w}`,
        checkImmutable: options.checkImmutable,
        states: dealt[w].states,
        indices: dealt[w].indices,
        board: board.buffer as SharedArrayBuffer,
        workers: count,
        peers: peers[w],
      }, peers[w].filter((p): p is MessagePort => p !== undefined))
    ));
    let advance = false;
    let newSeen: SharedSeenSetBuffers | undefined;
    if (!(stopAtFirst && pending.length > 0)) {
      for (;;) {
        const finished: number[] = [];
        board.fill(0); // every worker is idle between rounds
        round++;
        const replies = (await Promise.all(
          workers.map(async (_, w) => {
            const r = await ask(w, { type: "expand", advance, seen: newSeen, round });
            finished[w] = performance.now();
            return r;
          }),
        )) as Expanded[];
        const slowest = Math.max(...finished);
        for (const t of finished) barrierMs += slowest - t;
        levels++;
        newSeen = undefined;
        replies.forEach((r, w) => (last[w] = r));
        for (const r of replies) {
          r.pending.forEach(report);
          for (const e of r.edges) {
            const cycle = lockGraph?.add(e.from, e.to, e.process, e.site);
            if (cycle) {
              report({
                kind: "lock-order",
                name: cycleName(cycle),
                cycle: cycle.map((c) => ({
                  from: c.from,
                  to: c.to,
                  process: c.process,
                  site: c.witness,
                })),
              });
            }
          }
        }
        const remaining = replies.reduce((n, r) => n + r.current, 0);
        const nextLevel = replies.reduce((n, r) => n + r.next, 0);
        if (nextLevel > 0) deepest = depth + 1;
        queued = remaining + nextLevel;
        if (Atomics.load(control, CONTROL.stopReason) === 1) {
          stop ??= {
            reason: "memory-budget",
            text:
              "reached the memory budget (a worker's heap stayed near V8's limit after spilling)",
          };
        }
        if (stopAtFirst && pending.length > 0) break;
        if (replies.some((r) => r.pending.some((p) => p.kind === "error"))) break;
        if (maxStates !== undefined && seen.size >= maxStates) {
          stop ??= { reason: "max-states", text: `reached --max-states ${maxStates}` };
          break;
        }
        if (Atomics.load(control, CONTROL.stop) !== 0) break;
        if (seen.full) {
          seen = seen.grow();
          newSeen = seen.buffers;
        }
        if (remaining > 0) {
          advance = false; // paused for the table to grow: finish the level
          continue;
        }
        if (nextLevel === 0) break;
        depth++;
        if (depth >= maxDepth) {
          stop = { reason: "max-depth", text: `reached --max-depth ${maxDepth}` };
          break;
        }
        // A level far out of balance is evened out before it starts; smaller differences are
        // left to work stealing within the round.
        const t0 = performance.now();
        moved += await rebalance(replies.map((r) => r.next), ask);
        rebalanceMs += performance.now() - t0;
        advance = true;
      }
    }
    await Promise.all(workers.map((_, w) => ask(w, { type: "close" })));
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (progress !== undefined) clearInterval(progress);
    clearInterval(watch);
    workers.forEach((w) => w.terminate());
  }
  memory.check();

  const figures = last.map((r) => r.frontier);
  const encodedStates = figures.reduce((n, f) => n + f.encodedStates, 0);
  const spilled = figures.reduce((n, f) => n + f.spilledBytes, 0);
  return finishResult(spec, {
    mode: "exhaustive",
    start,
    expanders: last.map((r) => ({
      ...r,
      pending: [],
      coverage: new Map(Object.entries(r.coverage)),
    })),
    records: seen,
    distinct: seen.size,
    depth: deepest,
    queued,
    stop,
    seenSetBytes: seen.bytesUsed,
    exact: false,
    lockOrder: lockGraph?.edges(),
    extra: pending,
    settings: {
      ...settingsOf(options, count),
      frontier: `${figures[0]?.storage ?? "memory"}${
        spilled > 0 && !figures[0]?.storage.includes("disk") ? " + disk (spilled)" : ""
      } (one per worker)`,
    },
    frontier: {
      mode: options.frontier ?? "auto",
      peakQueued: figures.reduce((n, f) => n + f.peakQueued, 0),
      bytesPerEncodedState: encodedStates === 0
        ? 0
        : figures.reduce((n, f) => n + f.encodedBytes, 0) / encodedStates,
      peakEncodedBytes: figures.reduce((n, f) => n + f.peakEncodedBytes, 0),
      spilledBytes: spilled,
    },
    memory: {
      peakRss: memory.peakRss,
      peakHeap: Math.max(memory.peakHeap, ...last.map((r) => r.peakHeap)),
      budget: memory.budget,
    },
    parallel: {
      workers: count,
      levels,
      barrierWaitMs: Math.round(barrierMs),
      rebalanceMs: Math.round(rebalanceMs),
      movedStates: moved,
      stolenStates: last.reduce((n, r) => n + r.stolen, 0),
      busyMs: Array.from({ length: count }, (_, w) => Math.round(stat(w, STAT.busyMs))),
    },
  });
}

/**
 * Moves states of the next level from the fullest worker to the emptiest until even; returns
 * how many moved.
 */
async function rebalance(
  sizes: number[],
  ask: (w: number, m: ToWorker, transfer?: Transferable[]) => Promise<WorkerReply>,
): Promise<number> {
  const total = sizes.reduce((a, b) => a + b, 0);
  const fair = total / sizes.length;
  let moved = 0;
  for (;;) {
    let heavy = 0;
    let light = 0;
    sizes.forEach((n, w) => {
      if (n > sizes[heavy]) heavy = w;
      if (n < sizes[light]) light = w;
    });
    const move = Math.floor(Math.min(sizes[heavy] - fair, fair - sizes[light]));
    // Moving states costs an encoding and a decoding and two messages; stealing within the
    // round evens out anything short of a large imbalance.
    if (move < 1024 || sizes[heavy] - sizes[light] < fair * 0.5) return moved;
    const given = await ask(heavy, { type: "give", count: move });
    if (given.type !== "given") return moved;
    const chunk = given.chunk;
    await ask(light, { type: "take", chunk }, [chunk.bytes, chunk.indices]);
    sizes[heavy] -= chunk.count;
    sizes[light] += chunk.count;
    moved += chunk.count;
  }
}
