/**
 * In-flight operations as processes: the program contract every stepped operation implements,
 * the runner that executes a program atomically (one step, config `concurrency` 1) or one
 * segment at a time between lock acquisitions (config `concurrency` >= 2), and the lock views
 * the engine's lockdep check and the lock invariants read.
 *
 * A program is cut at its lock acquisitions (state-and-locks.md §2.3): `start` runs the code
 * before the first acquisition, `resume` runs the code after the lock a process waits for
 * (`want`) was granted, up to the next acquisition, a release that must be visible, or the end.
 * A step is enabled only when `want` is free; a lock held by another process blocks it (the
 * engine sees a disabled action and the `waiting` lock in the lock view). Locks a segment takes
 * and releases inside itself (the kernel's short nested sections) are checked with
 * {@linkcode isFree}: a busy one makes the segment yield (`acquire: false`: wait until free).
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
}

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

/** The slot of the process that holds `lock`, or -1. */
export function holderOf(state: ModelState, lock: LockId): number {
  const procs = state.procs;
  if (procs === undefined) return -1;
  for (let i = 0; i < procs.length; i++) {
    if (procs[i]?.held.includes(lock)) return i;
  }
  return -1;
}

/**
 * True when the running process can take `lock` now: it does not hold it itself (a mutex is not
 * recursive) and, in a stepped run, no other process holds it. An atomic run ignores other
 * processes: it is one indivisible step.
 */
export function isFree(state: ModelState, proc: Proc, lock: LockId, x: Exec): boolean {
  if (proc.held.includes(lock)) return false;
  if (x.slot < 0) return true;
  const h = holderOf(state, lock);
  return h < 0 || h === x.slot;
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

function grant(proc: Proc): Proc {
  if (proc.want === null) return proc;
  return {
    ...proc,
    want: null,
    acquire: false,
    held: proc.acquire ? [...proc.held, proc.want] : proc.held,
  };
}

/**
 * The end of a process: leftover references become leaks the state keeps (a put forgotten on
 * some path); leftover locks are a lockdep "lock held when returning to user space" WARN.
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
    s = recordOops(s, `WARN: lock held when returning to user space (${proc.op})`);
  }
  return s;
}

/**
 * Runs `program` on `step` to its end as one indivisible step (atomic mode, scenario replay).
 * A process that waits for a lock it holds itself would hang forever: the run records the
 * self-deadlock as an oops and answers -EDEADLK.
 */
export function runAtomic(
  state: ModelState,
  step: unknown,
  program: Program,
  options?: ModelOptions,
): { state: ModelState; reply: OpReply<unknown> } {
  const x: Exec = { options, slot: -1 };
  let seg = program.start(state, step, x);
  for (;;) {
    if (seg.kind === "done") return { state: settle(seg.state, seg.proc), reply: seg.reply };
    if (seg.kind === "blocked") {
      return { state: recordOops(state, selfDeadlock(program.name)), reply: failure("EDEADLK") };
    }
    const p = seg.proc;
    if (p.want !== null && p.held.includes(p.want)) {
      return {
        state: recordOops(seg.state, selfDeadlock(program.name)),
        reply: failure("EDEADLK"),
      };
    }
    seg = program.resume(seg.state, grant(p), x);
  }
}

function selfDeadlock(op: string): string {
  return `DEADLOCK: ${op} waits for a lock it holds itself`;
}

function withProc(state: ModelState, slot: number, proc: Proc | null): ModelState {
  const procs = state.procs!.slice();
  procs[slot] = proc;
  return { ...state, procs };
}

/** True when `lock` is held by any process (the asking process included). */
function busy(state: ModelState, lock: LockId): boolean {
  return holderOf(state, lock) >= 0;
}

function commit(seg: Seg, slot: number): ModelState | undefined {
  if (seg.kind === "blocked") return undefined;
  if (seg.kind === "done") return withProc(settle(seg.state, seg.proc), slot, null);
  return withProc(seg.state, slot, seg.proc);
}

/**
 * Starts `program` on `step` in free slot `slot`: its first segment and its first lock
 * acquisition with the segment after it, as one transition. Returns undefined when that first
 * lock is busy (the request is taken to arrive later: a process that holds nothing cannot take
 * part in a deadlock).
 */
export function startProc(
  state: ModelState,
  slot: number,
  step: unknown,
  program: Program,
  options?: ModelOptions,
): ModelState | undefined {
  const x: Exec = { options, slot };
  let seg = program.start(state, step, x);
  if (seg.kind === "yield") {
    const p = seg.proc;
    if (p.want !== null && busy(seg.state, p.want)) return undefined;
    if (p.want !== null && p.held.includes(p.want)) return undefined;
    seg = program.resume(seg.state, grant(p), x);
  }
  if (seg.kind === "done") return settle(seg.state, seg.proc);
  return commit(seg, slot);
}

/**
 * Runs the next segment of the process in `slot`; undefined when it is blocked (its `want` is
 * held by any process, itself included) or there is none.
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
  return commit(program.resume(state, grant(p), { options, slot }), slot);
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

/** The locks a {@linkcode lockedProgram} takes before its body. */
export interface LockPlan {
  /** Take RTNL first. */
  readonly rtnl: boolean;
  /** Then this device's instance lock (null: none). */
  readonly dev: DeviceIndex | null;
}

/**
 * A program for operations whose state changes all happen with every lock held: take RTNL (if
 * planned), then the device's instance lock (with RTNL, inside the same step when it is free),
 * then, when `proxied` names the lessor of a leased queue, the physical lock nested inside
 * (LOCK-2), and run `body` (the operation's atomic implementation) with all of them held.
 * `plan` returning null means the body runs at once (a lookup failure, nothing to lock).
 */
export function lockedProgram(
  name: string,
  plan: (state: ModelState, step: unknown) => LockPlan | null,
  proxied: (state: ModelState, step: unknown) => DeviceIndex | null,
  body: (
    state: ModelState,
    step: unknown,
    options?: ModelOptions,
  ) => { state: ModelState; reply: OpReply<unknown> },
): Program {
  const finish = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const r = body(state, proc.step, x.options);
    return done(r.state, releaseAll(proc), r.reply);
  };
  const afterDev = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const phys = proxied(state, proc.step);
    if (phys !== null && !proc.held.includes(phys)) {
      return yieldTo(state, waitFor(proc, "body", phys));
    }
    return finish(state, proc, x);
  };
  // With the physical lock nested inside the device's, the unlock is a step of its own so that
  // lockdep sees both held (LOCK-2).
  const nested = (state: ModelState, proc: Proc, x: Exec): Seg => {
    const r = body(state, proc.step, x.options);
    return yieldTo(r.state, waitFor({ ...proc, ctx: r.reply }, "unlock", null));
  };
  return {
    name,
    start: (state, step, x) => {
      const proc = newProc(name, step, null);
      const p = plan(state, step);
      if (p === null) return finish(state, proc, x);
      if (p.rtnl) return yieldTo(state, waitFor(proc, "rtnl", "rtnl"));
      if (p.dev === null) return finish(state, proc, x);
      return yieldTo(state, waitFor(proc, "dev", p.dev));
    },
    resume: (state, proc, x) => {
      if (proc.pc === "rtnl") {
        const p = plan(state, proc.step);
        if (p === null || p.dev === null) return finish(state, proc, x);
        if (!isFree(state, proc, p.dev, x)) return yieldTo(state, waitFor(proc, "dev", p.dev));
        return afterDev(state, { ...proc, held: [...proc.held, p.dev] }, x);
      }
      if (proc.pc === "dev") return afterDev(state, proc, x);
      if (proc.pc === "body") return nested(state, proc, x);
      return done(state, releaseAll(proc), proc.ctx as OpReply<unknown>);
    },
  };
}
