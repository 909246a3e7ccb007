/**
 * Memory as a verdict, not a crash: the machine's memory, the default budget of a run, and a
 * watch the explorers consult while they search. A run that reaches its budget first spills its
 * frontier to disk (it slows down instead of dying); when nothing is left to spill it stops as
 * `incomplete` (reason `memory-budget`) with its report, instead of being killed by V8's
 * "JavaScript heap out of memory".
 *
 * @module
 */

import v8 from "node:v8";

/** The share of the machine's memory a run may use by default. */
export const DEFAULT_BUDGET_SHARE = 0.6;

/** The share of V8's old-generation limit at which the watch reports pressure. */
export const HEAP_PRESSURE_SHARE = 0.8;

/**
 * The machine's total memory in bytes, or undefined when it cannot be read (no permission to
 * ask the system, no `/proc/meminfo`).
 *
 * @example Usage
 * ```ts
 * import { systemMemoryBytes } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const total = systemMemoryBytes();
 * assert.ok(total === undefined || total > 0);
 * ```
 */
export function systemMemoryBytes(): number | undefined {
  try {
    const total = Deno.systemMemoryInfo().total;
    if (total > 0) return total;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable) && !(error instanceof TypeError)) throw error;
  }
  try {
    const kb = /MemTotal:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/meminfo"))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable) && !(error instanceof Deno.errors.NotFound)) {
      throw error;
    }
  }
  return undefined;
}

/**
 * The default memory budget: {@link DEFAULT_BUDGET_SHARE} of the machine's memory, or undefined
 * when that is unknown.
 *
 * @example Usage
 * ```ts
 * import { defaultMemoryBudget, systemMemoryBytes } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const total = systemMemoryBytes();
 * if (total !== undefined) assert.equal(defaultMemoryBudget(), Math.floor(total * 0.6));
 * ```
 */
export function defaultMemoryBudget(): number | undefined {
  const total = systemMemoryBytes();
  return total === undefined ? undefined : Math.floor(total * DEFAULT_BUDGET_SHARE);
}

/**
 * Parses a memory size: a number of bytes with an optional unit (`512MB`, `2G`, `1.5GiB`,
 * `800k`; K/M/G/T are powers of 1024) or a share of the machine's memory (`60%`).
 *
 * @throws {RangeError} when the text is not a size, or a percentage cannot be resolved.
 *
 * @example Usage
 * ```ts
 * import { parseMemorySize } from "./memory.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseMemorySize("512MB"), 512 * 2 ** 20);
 * assert.equal(parseMemorySize("50%", 1000), 500);
 * ```
 */
export function parseMemorySize(text: string, total: number | undefined = undefined): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%|[kmgt]i?b?|b)?\s*$/i.exec(text);
  if (m === null) {
    throw new RangeError(`Cannot parse memory size "${text}": use e.g. 512MB, 8G or 60%`);
  }
  const n = Number(m[1]);
  const unit = (m[2] ?? "b").toLowerCase();
  if (unit === "%") {
    const all = total ?? systemMemoryBytes();
    if (all === undefined) {
      throw new RangeError(`Cannot use memory size "${text}": the machine's memory is unknown`);
    }
    return Math.floor((all * n) / 100);
  }
  const scale = { b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[unit[0]] ?? 1;
  return Math.floor(n * scale);
}

/** One reading of the process's memory. */
export interface MemorySample {
  /** Resident set size of the process (every thread, heap and typed arrays). */
  readonly rss: number;
  /** V8 heap in use by this isolate (live objects and garbage not yet collected). */
  readonly heapUsed: number;
  /** V8's heap limit for this isolate (`--max-old-space-size` and the young generation). */
  readonly heapLimit: number;
  /** Old-generation heap in use: what V8's out-of-memory limit is about. */
  readonly oldUsed: number;
  /** The old generation's limit, estimated from the heap limit (see {@link oldLimitOf}). */
  readonly oldLimit: number;
}

const MB = 2 ** 20;

/**
 * The old generation's share of V8's heap limit. V8 reports only the sum of the old limit
 * (`--max-old-space-size`) and the young generation (three semi-spaces); the tasks set 64 MB
 * semi-spaces, V8's own default is 32 MB: take the larger young generation when the rest is still
 * a plausible old generation, so the estimate errs on the small side.
 *
 * @example Usage
 * ```ts
 * import { oldLimitOf } from "./memory.ts";
 * import assert from "node:assert/strict";
 * assert.equal(oldLimitOf(240 * 2 ** 20), 48 * 2 ** 20); // --max-old-space-size=48, 64 MB semi
 * assert.equal(oldLimitOf(144 * 2 ** 20), 48 * 2 ** 20); // --max-old-space-size=48, default
 * ```
 */
export function oldLimitOf(heapLimit: number): number {
  const withTasks = heapLimit - 3 * 64 * MB;
  return withTasks >= 32 * MB ? withTasks : Math.max(heapLimit - 3 * 32 * MB, 16 * MB);
}

/** Reads the process's memory now. */
export function sampleMemory(): MemorySample {
  const usage = Deno.memoryUsage();
  const heapLimit = v8.getHeapStatistics().heap_size_limit;
  let young = 0;
  for (const space of v8.getHeapSpaceStatistics()) {
    if (space.space_name.startsWith("new")) young += space.space_used_size;
  }
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapLimit,
    oldUsed: Math.max(usage.heapUsed - young, 0),
    oldLimit: oldLimitOf(heapLimit),
  };
}

/** What a {@link MemoryWatch} says about one reading. */
export type MemoryState = "ok" | "pressure";

/**
 * Watches memory against a budget (resident set size) and V8's heap limit, and remembers the
 * peaks.
 *
 * @example Usage
 * ```ts
 * import { MemoryWatch } from "./memory.ts";
 * import assert from "node:assert/strict";
 * const watch = new MemoryWatch(1);
 * assert.equal(watch.check(), "pressure"); // one byte is less than any process uses
 * assert.ok(watch.peakRss > 1);
 * ```
 */
export class MemoryWatch {
  /** The budget for the resident set size, in bytes (undefined: only the heap limit counts). */
  readonly budget: number | undefined;
  /** Milliseconds between readings the explorers take. */
  readonly intervalMs: number;
  /** The highest resident set size seen. */
  peakRss = 0;
  /** The most heap in use seen. */
  peakHeap = 0;
  /** The last reading. */
  last: MemorySample | undefined;

  /** Creates a watch for `budget` bytes of resident memory, read every `intervalMs`. */
  constructor(budget: number | undefined, intervalMs = 100) {
    this.budget = budget;
    this.intervalMs = intervalMs;
  }

  /** Reads memory and says whether the run is over its budget or near V8's heap limit. */
  check(): MemoryState {
    const m = sampleMemory();
    this.last = m;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
    if (this.budget !== undefined && m.rss > this.budget) return "pressure";
    return m.oldUsed > m.oldLimit * HEAP_PRESSURE_SHARE ? "pressure" : "ok";
  }

  /** Says what the last reading was, for a stop message. */
  describe(): string {
    const m = this.last ?? sampleMemory();
    const mb = (n: number): string => `${Math.round(n / 2 ** 20)} MB`;
    return `${this.budget === undefined ? "" : `budget ${mb(this.budget)}; `}resident ${
      mb(m.rss)
    }, old-generation heap ${mb(m.oldUsed)} of about ${mb(m.oldLimit)}`;
  }
}

/** Runs a full garbage collection when V8 exposes it (`--expose-gc`); says whether it ran. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  gc();
  return true;
}
