/**
 * In-flight operations as processes: the program contract every stepped operation implements,
 * the runner that executes a program atomically (one step, config `concurrency` 1) or one
 * segment at a time between lock acquisitions (config `concurrency` >= 2), and the lock views
 * the engine's lockdep check and the lock invariants read.
 *
 * A program is cut at its lock acquisitions (state-and-locks.md §2.3): `start` runs the code
 * before the first acquisition (parsing, validation, lookups), `resume` runs the code after the
 * lock a process waits for (`want`) was granted, up to the next acquisition, a step boundary
 * that must be visible, or the end — failing or not: an error is returned at the step where the
 * kernel's check sits, with the locks held there, released on the way out. A step is enabled
 * only when `want` is free; a lock held by another process blocks it (the engine sees a disabled
 * action and the `waiting` lock in the lock view). Locks a segment takes and releases inside
 * itself (the kernel's short nested sections) are checked with {@linkcode isFree} (a busy one
 * makes the segment yield, `acquire: false`: wait until free) and recorded with
 * {@linkcode touch}.
 *
 * Every acquisition is recorded for the engine's lockdep check
 * ({@linkcode transitionAcquisitions}, the spec's `acquisitions` hook), so a critical section
 * may end in the same step as its last acquisition: the lock-order edges do not depend on a
 * visible state with every lock held.
 *
 * Starting a request ({@linkcode startProc}): a request whose code before its first lock holds
 * something (a reference taken by the lookup) starts as a visible process — other operations
 * can run before it locks, and a device it references cannot finish unregistering. A request
 * that holds nothing before its first lock starts when that lock is free, in the same step as
 * the acquisition (it cannot be part of a wait cycle, and nothing can observe it waiting) — a
 * reduction the spec's scope names — unless the lock is leaked ({@linkcode ModelState.leaked}):
 * then it starts and waits forever, as in the kernel. A lock still held when an operation returns
 * stays held by nobody: whoever needs it next waits forever (a real deadlock).
 *
 * Lock names for lockdep are classes, as lockdep sees them: `rtnl`, `netdev:virtual` (netkit,
 * with its own lockdep class, LOCK-5) and `netdev:physical`.
 *
 * @module
 */

import { failure, type OpReply } from "./errors.ts";
import type { ModelOptions } from "./mutants.ts";
import {
  type DeviceIndex,
  type Hold,
  isPhysical,
  type LockId,
  type ModelState,
  type Proc,
  recordOops,
} from "./state.ts";

/** Where a segment runs: the options and the process slot (-1: an atomic run). */
export interface Exec {
  /** Model options (mutant). */
  readonly options?: ModelOptions;
  /** The slot of the running process in `state.procs`, or -1 for an atomic run. */
  readonly slot: number;
  /** The lock acquisitions of the current transition, appended to as they happen. */
  readonly events?: Acquisition[];
  /**
   * Keep what a multi-step reply accumulates (a dump's entries) in a stepped run too: a replay
   * that compares replies. Atomic runs always keep it; an exploration does not (no later step
   * reads a reply), so partial replies do not multiply its states.
   */
  readonly collect?: boolean;
}

/** One lock acquisition of a transition: the process, what it held, what it took. */
export interface Acquisition {
  /** The process slot. */
  readonly slot: number;
  /** The locks it held (acquisition order). */
  readonly held: readonly LockId[];
  /** The lock it took. */
  readonly lock: LockId;
}

/** The program counter of a process on its way out ({@linkcode exitVia}). */
export const EXIT_PC = "exit";

/**
 * A process on its way out with `reply` that still takes `lock` first (an error path that
 * re-locks before it returns): it waits for `lock`, then releases everything and replies. The
 * runtime carries the exit out for any program.
 */
export function exitVia(state: ModelState, proc: Proc, reply: OpReply<unknown>, lock: LockId): Seg {
  return { kind: "yield", state, proc: waitFor({ ...proc, ctx: { exit: reply } }, EXIT_PC, lock) };
}

/** Resumes `program` — or, for a process on its way out, finishes its exit. */
function resumeOf(program: Program, state: ModelState, proc: Proc, x: Exec): Seg {
  if (proc.pc === EXIT_PC) {
    return {
      kind: "done",
      state,
      proc: releaseAll(proc),
      reply: (proc.ctx as { exit: OpReply<unknown> }).exit,
    };
  }
  return program.resume(state, proc, x);
}

/** Holder value of a lock that was leaked ({@linkcode ModelState.leaked}): nobody holds it. */
export const LEAKED = -2;

/** What a segment returns. */
export type Seg =
  | {
    /** The process continues: it waits for `proc.want` (or nothing) before its next step. */
    readonly kind: "yield";
    /** The state after the segment. */
    readonly state: ModelState;
    /** The process after the segment. */
    readonly proc: Proc;
  }
  | {
    /** The operation finished and replied. */
    readonly kind: "done";
    /** The state after the segment. */
    readonly state: ModelState;
    /** The process at the end (its leftover locks and references are leaks). */
    readonly proc: Proc;
    /** The reply. */
    readonly reply: OpReply<unknown>;
  }
  | {
    /** The segment cannot start: `lock` is busy, or it waits for references to go (no lock). */
    readonly kind: "blocked";
    /** The busy lock, if it waits for one. */
    readonly lock?: LockId;
  };

/** A stepped operation. */
export interface Program {
  /** The operation name (also {@linkcode Proc.op}). */
  readonly name: string;
  /** Runs the request from its beginning to its first lock acquisition (or to its end). */
  start(state: ModelState, step: unknown, x: Exec): Seg;
  /** Runs the segment after `proc.want` was granted (already in `proc.held` if acquired). */
  resume(state: ModelState, proc: Proc, x: Exec): Seg;
}

/** A new process for `step`, holding nothing, before its first segment. */
export function newProc(op: string, step: unknown, ctx: unknown): Proc {
  return { op, step, pc: "start", want: null, acquire: false, held: [], holds: [], ctx };
}

/** `proc` at `pc`, waiting to acquire `lock` (or, with `acquire` false, for it to be free). */
export function waitFor(proc: Proc, pc: string, lock: LockId | null, acquire = true): Proc {
  return { ...proc, pc, want: lock, acquire: lock !== null && acquire };
}

/** `proc` without `lock` in its held list. */
export function release(proc: Proc, ...locks: LockId[]): Proc {
  const held = proc.held.filter((l) => !locks.includes(l));
  return held.length === proc.held.length ? proc : { ...proc, held };
}

/** `proc` without any lock. */
export function releaseAll(proc: Proc): Proc {
  return proc.held.length === 0 ? proc : { ...proc, held: [] };
}

/** `proc` with one more transient reference. */
export function hold(proc: Proc, h: Hold): Proc {
  return { ...proc, holds: [...proc.holds, h] };
}

/** `proc` without the first transient reference matching `match`. */
export function drop(proc: Proc, match: (h: Hold) => boolean): Proc {
  const i = proc.holds.findIndex(match);
  if (i < 0) return proc;
  return { ...proc, holds: proc.holds.filter((_, k) => k !== i) };
}

/** A yield. */
export function yieldTo(state: ModelState, proc: Proc): Seg {
  return { kind: "yield", state, proc };
}

/** The end of an operation. */
export function done(state: ModelState, proc: Proc, reply: OpReply<unknown>): Seg {
  return { kind: "done", state, proc, reply };
}

/** The process in `slot` of `state`, or null. */
export function procAt(state: ModelState, slot: number): Proc | null {
  return state.procs?.[slot] ?? null;
}

/**
 * The slot of the process that holds `lock`, {@linkcode LEAKED} when an operation that ended
 * left it locked, or -1 when it is free.
 */
export function holderOf(state: ModelState, lock: LockId): number {
  const procs = state.procs;
  if (procs !== undefined) {
    for (let i = 0; i < procs.length; i++) {
      if (procs[i]?.held.includes(lock)) return i;
    }
  }
  return state.leaked !== undefined && state.leaked.includes(lock) ? LEAKED : -1;
}

/**
 * Records that the running process takes `lock` (held: `proc.held`) and returns the process
 * holding it too.
 */
export function take(proc: Proc, lock: LockId, x: Exec): Proc {
  x.events?.push({ slot: x.slot, held: proc.held, lock });
  return { ...proc, held: [...proc.held, lock] };
}

/**
 * Records short nested critical sections of the running process: each of `locks` taken (and
 * released again inside the segment) while `proc.held` are held. The caller checked that they
 * are free ({@linkcode isFree}).
 */
export function touch(proc: Proc, locks: readonly LockId[], x: Exec): void {
  if (x.events === undefined) return;
  for (const lock of locks) {
    if (!proc.held.includes(lock)) x.events.push({ slot: x.slot, held: proc.held, lock });
  }
}

/**
 * True when the running process can take `lock` now: it does not hold it itself (a mutex is not
 * recursive) and, in a stepped run, no other process holds it. An atomic run ignores other
 * processes: it is one indivisible step.
 */
export function isFree(state: ModelState, proc: Proc, lock: LockId, x: Exec): boolean {
  if (proc.held.includes(lock)) return false;
  if (x.slot < 0) return state.leaked === undefined || !state.leaked.includes(lock);
  const h = holderOf(state, lock);
  return h === -1 || h === x.slot;
}

/** Transient references on `dev` held by processes other than `slot` (REF-2, REF-5). */
export function heldRefs(state: ModelState, dev: DeviceIndex, slot: number): number {
  let n = 0;
  state.procs?.forEach((p, i) => {
    if (p === null || i === slot) return;
    for (const h of p.holds) if (h.dev === dev) n++;
  });
  return n;
}

function grant(proc: Proc, x: Exec): Proc {
  if (proc.want === null) return proc;
  if (proc.acquire) x.events?.push({ slot: x.slot, held: proc.held, lock: proc.want });
  return {
    ...proc,
    want: null,
    acquire: false,
    held: proc.acquire ? [...proc.held, proc.want] : proc.held,
  };
}

/**
 * The end of a process: leftover references become leaks the state keeps (a put forgotten on
 * some path); leftover locks stay locked by nobody ({@linkcode ModelState.leaked}): the next
 * operation that needs one waits forever.
 */
function settle(state: ModelState, proc: Proc): ModelState {
  let s = state;
  if (proc.holds.length > 0) {
    const devices = s.devices.slice();
    const netns = s.netns.slice();
    for (const h of proc.holds) {
      if (h.dev !== undefined) {
        devices[h.dev] = { ...devices[h.dev], refs: devices[h.dev].refs + 1 };
      } else if (h.netns !== undefined) {
        netns[h.netns] = { ...netns[h.netns], refs: (netns[h.netns].refs ?? 0) + 1 };
      }
    }
    s = { ...s, devices, netns };
  }
  if (proc.held.length > 0) {
    const leaked = [...(s.leaked ?? []), ...proc.held].sort((a, b) =>
      String(a) < String(b) ? -1 : 1
    );
    s = { ...s, leaked };
  }
  return s;
}

/**
 * Runs `program` on `step` to its end as one indivisible step (atomic mode, scenario replay).
 * A process that waits for a lock it holds itself, or for a leaked one, would hang forever: the
 * run records the deadlock as an oops and answers -EDEADLK. The run is recorded as the latest
 * completion ({@linkcode completionOf}): transition properties read its reply.
 */
export function runAtomic(
  state: ModelState,
  step: unknown,
  program: Program,
  options?: ModelOptions,
): { state: ModelState; reply: OpReply<unknown> } {
  const r = runToEnd(state, step, program, options);
  recordCompletion(r.state, step, r.reply);
  return r;
}

function runToEnd(
  state: ModelState,
  step: unknown,
  program: Program,
  options?: ModelOptions,
): { state: ModelState; reply: OpReply<unknown> } {
  const x: Exec = { options, slot: -1 };
  let seg = program.start(state, step, x);
  let current = state;
  for (;;) {
    if (seg.kind === "done") return { state: settle(seg.state, seg.proc), reply: seg.reply };
    if (seg.kind === "blocked") {
      const why = seg.lock !== undefined && current.leaked?.includes(seg.lock)
        ? leakedDeadlock(program.name, current, seg.lock)
        : selfDeadlock(program.name);
      return { state: recordOops(current, why), reply: failure("EDEADLK") };
    }
    current = seg.state;
    const p = seg.proc;
    if (p.want !== null && p.held.includes(p.want)) {
      return {
        state: recordOops(seg.state, selfDeadlock(program.name)),
        reply: failure("EDEADLK"),
      };
    }
    if (p.want !== null && seg.state.leaked?.includes(p.want)) {
      return {
        state: recordOops(seg.state, leakedDeadlock(program.name, seg.state, p.want)),
        reply: failure("EDEADLK"),
      };
    }
    seg = resumeOf(program, seg.state, grant(p, x), x);
  }
}

function selfDeadlock(op: string): string {
  return `DEADLOCK: ${op} waits for a lock it holds itself`;
}

function leakedDeadlock(op: string, state: ModelState, lock: LockId): string {
  return `DEADLOCK: ${op} waits forever for ${lockName(state, lock)}, left locked by an ` +
    "operation that returned";
}

function withProc(state: ModelState, slot: number, proc: Proc | null): ModelState {
  const procs = state.procs!.slice();
  procs[slot] = proc;
  return { ...state, procs };
}

/** True when `lock` is held by any process (the asking process included), or leaked. */
function busy(state: ModelState, lock: LockId): boolean {
  return holderOf(state, lock) !== -1;
}

/**
 * The lock acquisitions of the transition that produced `state` (by {@linkcode startProc} or
 * {@linkcode stepProc}), for the spec's `acquisitions` hook; undefined when it made none.
 */
export function transitionAcquisitions(state: ModelState): readonly Acquisition[] | undefined {
  return ACQUISITIONS.get(state);
}

const ACQUISITIONS = new WeakMap<ModelState, readonly Acquisition[]>();

/** `state` with the transition's acquisitions attached (see {@linkcode transitionAcquisitions}). */
function withEvents(state: ModelState, events: readonly Acquisition[]): ModelState {
  if (events.length > 0) ACQUISITIONS.set(state, events);
  else ACQUISITIONS.delete(state);
  return state;
}

function commit(seg: Seg, slot: number, events: readonly Acquisition[]): ModelState | undefined {
  if (seg.kind === "blocked") return undefined;
  if (seg.kind === "done") {
    return completed(withEvents(withProc(settle(seg.state, seg.proc), slot, null), events), seg);
  }
  return withEvents(withProc(seg.state, slot, seg.proc), events);
}

/** An operation that completed in a transition: its request and its reply. */
export interface Completion {
  /** The state the transition produced. */
  readonly state: ModelState;
  /** The request (the program's step). */
  readonly step: unknown;
  /** The reply. */
  readonly reply: OpReply<unknown>;
}

let lastCompletion: Completion | undefined;

/** Records that the transition producing `state` completed `seg`'s operation; returns `state`. */
function completed(state: ModelState, seg: Seg & { kind: "done" }): ModelState {
  lastCompletion = { state, step: seg.proc.step, reply: seg.reply };
  return state;
}

/**
 * Records an atomic run's completion (the same bookkeeping for a spec that applies operations
 * atomically); returns `state`.
 */
export function recordCompletion(
  state: ModelState,
  step: unknown,
  reply: OpReply<unknown>,
): ModelState {
  lastCompletion = { state, step, reply };
  return state;
}

/**
 * The operation the latest transition completed, when that transition produced `state` (the
 * engine asks right after the transition: coverage labels read the reply of the very run).
 */
export function completionOf(state: ModelState): Completion | undefined {
  return lastCompletion !== undefined && lastCompletion.state === state
    ? lastCompletion
    : undefined;
}

/**
 * Starts `program` on `step` in free slot `slot`. The first segment runs (up to the first lock
 * acquisition or the end). A process that holds something by then, waits for no lock, or waits
 * for a leaked lock, is put in the slot as it is: a visible process. Otherwise it holds nothing
 * and its first lock is taken in the same transition — undefined when that lock is busy (the
 * request is taken to arrive when it is free; see the module documentation).
 */
export function startProc(
  state: ModelState,
  slot: number,
  step: unknown,
  program: Program,
  options?: ModelOptions,
): ModelState | undefined {
  const events: Acquisition[] = [];
  const x: Exec = { options, slot, events, collect: options?.collectReplies === true };
  let seg = program.start(state, step, x);
  if (seg.kind === "yield") {
    const p = seg.proc;
    const visible = p.holds.length > 0 || p.want === null || holderOf(seg.state, p.want) === LEAKED;
    if (visible || options?.lateStart === false) return commit(seg, slot, events);
    if (busy(seg.state, p.want!) || p.held.includes(p.want!)) return undefined;
    seg = resumeOf(program, seg.state, grant(p, x), x);
  }
  if (seg.kind === "done") return completed(withEvents(settle(seg.state, seg.proc), events), seg);
  return commit(seg, slot, events);
}

/**
 * Runs the next segment of the process in `slot`; undefined when it is blocked (its `want` is
 * held by any process, itself included, or leaked) or there is none.
 */
export function stepProc(
  state: ModelState,
  slot: number,
  program: Program,
  options?: ModelOptions,
): ModelState | undefined {
  const p = procAt(state, slot);
  if (p === null) return undefined;
  if (p.want !== null && busy(state, p.want)) return undefined;
  const events: Acquisition[] = [];
  const x: Exec = { options, slot, events, collect: options?.collectReplies === true };
  return commit(resumeOf(program, state, grant(p, x), x), slot, events);
}

/** The lockdep class of a lock (LOCK-5: netkit has its own class, distinct from NICs'). */
export function lockClass(state: ModelState, lock: LockId): string {
  if (lock === "rtnl") return "rtnl";
  const d = state.devices[lock];
  return d !== undefined && isPhysical(d) ? "netdev:physical" : "netdev:virtual";
}

/** A readable lock name for messages (`rtnl`, `eth0`). */
export function lockName(state: ModelState, lock: LockId): string {
  return lock === "rtnl" ? "rtnl" : state.devices[lock]?.name ?? `dev${lock}`;
}

/**
 * The wait-for relation: for each process, the slot of the process holding the lock it waits
 * for (itself for a self-deadlock), or -1. Returns a cycle of slots, or undefined.
 */
export function waitForCycle(state: ModelState): number[] | undefined {
  const procs = state.procs;
  if (procs === undefined) return undefined;
  const next = procs.map((p) => (p === null || p.want === null ? -1 : holderOf(state, p.want)));
  for (let start = 0; start < procs.length; start++) {
    const path: number[] = [];
    let at = start;
    while (at >= 0 && !path.includes(at)) {
      path.push(at);
      at = next[at];
    }
    if (at >= 0) return path.slice(path.indexOf(at));
  }
  return undefined;
}

/** How a {@linkcode lockedProgram} locks before its body. */
export interface LockedOperation {
  /** The operation's name (also {@linkcode Proc.op}). */
  readonly name: string;
  /** Take RTNL first (before the lookup), always or for some requests. */
  readonly rtnl?: boolean | ((state: ModelState, step: unknown) => boolean);
  /**
   * The device whose instance lock the operation takes, looked up with a reference before it
   * locks (`netdev_get_by_index_lock`, `netdev_lock_ops` after `dev_get_by_index`), or null when
   * there is none (the body answers, e.g. -ENODEV). After the lock the device is re-checked
   * (registered, not moving, in the looked-up netns: else -ENODEV) and the reference dropped.
   */
  readonly lookup: (
    state: ModelState,
    step: unknown,
    options?: ModelOptions,
  ) => DeviceIndex | null;
  /**
   * False when the device is already referenced by the object the operation works on (an
   * io_uring ifq, a devmem binding, an AF_XDP pool): no lookup reference, no re-check.
   */
  readonly referenced?: boolean;
  /**
   * The further lock to take with the device's held (the lessor of a leased queue, nested inside
   * the netkit's: LOCK-2), given the locks held so far; null: none (the body runs).
   */
  readonly nested?: (
    state: ModelState,
    step: unknown,
    held: readonly LockId[],
    options?: ModelOptions,
  ) => LockId | null;
  /** The operation's atomic implementation, run with every lock held. */
  readonly body: (
    state: ModelState,
    step: unknown,
    options?: ModelOptions,
  ) => { state: ModelState; reply: OpReply<unknown> };
}

/**
 * A program for operations whose checks and changes all happen with their locks held: RTNL (if
 * asked), then the device looked up and referenced, its instance lock (a step of its own: the
 * referencing process is visible meanwhile), the re-check, then any nested lock, each a step;
 * the body runs with all of them held and releases them in the same step.
 */
export function lockedProgram(op: LockedOperation): Program {
  const { name, body } = op;
  const finish = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const r = body(state, proc.step, x.options);
    return done(r.state, releaseAll(proc), r.reply);
  };
  /** The device looked up and referenced, then its lock awaited; or the body at once. */
  const lookup = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const dev = op.lookup(state, proc.step, x.options);
    if (dev === null) return finish(state, proc, x);
    if (op.referenced === true) return yieldTo(state, waitFor(proc, "locked", dev));
    const d = state.devices[dev];
    const p = hold({ ...proc, ctx: { dev, netns: d.netns } }, { dev });
    return yieldTo(state, waitFor(p, "dev", dev));
  };
  const next = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const lock = op.nested?.(state, proc.step, proc.held, x.options) ?? null;
    if (lock !== null && !proc.held.includes(lock)) {
      return yieldTo(state, waitFor(proc, "nested", lock));
    }
    return finish(state, proc, x);
  };
  return {
    name,
    start: (state, step, x) => {
      const proc = newProc(name, step, null);
      const rtnl = typeof op.rtnl === "function" ? op.rtnl(state, step) : op.rtnl === true;
      if (rtnl) return yieldTo(state, waitFor(proc, "rtnl", "rtnl"));
      return lookup(state, proc, x);
    },
    resume: (state, proc, x) => {
      if (proc.pc === "rtnl") return lookup(state, proc, x);
      if (proc.pc === "dev") {
        // The re-check after the lock (netdev_get_by_index_lock, `__netdev_put_lock`).
        const { dev, netns } = proc.ctx as { dev: DeviceIndex; netns: number };
        const p = drop(proc, (h) => h.dev === dev);
        const d = state.devices[dev];
        if (d.reg !== "registered" || d.movingNs === true || d.netns !== netns) {
          return done(state, releaseAll(p), failure("ENODEV"));
        }
        return next(state, p, x);
      }
      return next(state, proc, x); // "locked" (a referenced device) or "nested"
    },
  };
}
