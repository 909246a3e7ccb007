/**
 * Batch unregistration (`unregister_netdevice_many_notify`, net/core/dev.c) with the pieces the
 * feature hooks into: `netkit_del_link` (NK-DEL-1), the per-device teardown (NK-DEL-2),
 * `dev_memory_provider_uninstall` (UNREG-2), the AF_XDP notifier (XSK-9), the netkit
 * unregister notifier with its nested batch (UNREG-1..5), `netkit_uninit` →
 * `netkit_queue_unlease` (NK-DEL-3/4) and `netdev_run_todo`'s wait for the refcount (REF-5).
 * Private to model/ops.
 *
 * The batch is a machine over a stack of frames (the outer batch, then the nested batches the
 * notifier starts), run under RTNL by the process that owns it. Its phases, per frame:
 * `mark` (every device: close, unlist, UNREGISTERING under its instance lock, then its own
 * providers uninstalled under its ops lock), `notify` (every device: XSK-9, then the netkit
 * notifier, which takes the physical lock, queues the leasing netkits, RELEASES the lock (LOCK-3)
 * and runs them as a nested frame), `uninit` (every netkit: `netkit_queue_unlease`, netkit lock
 * then physical lock per leased queue, LOCK-2). After the outer frame RTNL is released and
 * `netdev_run_todo` frees the devices once their references are gone. Visible steps (engine
 * transitions) are the notifier's physical lock, the netkit lock and each physical lock of the
 * unlease, the two halves of a provider cleanup (INV-T3), and the refcount wait; the other
 * short lock sections run inside a step once their locks are free. The phase order (all marks,
 * then all notifiers, then all uninits of a frame) is the model's; the kernel interleaves them
 * per device, which no modelled batch can tell apart.
 *
 * `netkit_queue_unlease` is a function of its own ({@linkcode netkitQueueUnlease}) that the
 * machine asks, at each of its steps, what it does next; it and the other kernel pieces a
 * mutation may change are hook points (model/hooks.ts), reached through `hook()`.
 *
 * @module
 */

import { success } from "../errors.ts";
import { hook } from "../hooks.ts";
import { kernelHas } from "../versions.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  done,
  type Exec,
  heldRefs,
  isFree,
  newProc,
  type Program,
  release,
  releaseAll,
  runAtomic,
  type Seg,
  touch,
  waitFor,
} from "../process.ts";
import {
  type BindingIndex,
  type Device,
  type DeviceIndex,
  EMPTY_RXQ,
  isNetkit,
  isPhysical,
  type LockId,
  type ModelState,
  type Proc,
  recordOops,
  rxqIsLeased,
  updateDevice,
} from "../state.ts";
import {
  netdevRxQueueUnlease,
  netifRxqCleanupUnlease,
  providerUninstall,
  xskUnbind,
} from "./_queues.ts";

/** One batch of the machine. */
export interface Frame {
  /** The devices of the batch, in queueing order. */
  readonly list: readonly DeviceIndex[];
  /** The phase the batch is in. */
  readonly phase: "mark" | "notify" | "uninit";
  /** Position in `list` of the device the phase is at. */
  readonly i: number;
  /** `netkit_queue_unlease` of `list[i]`: the next queue, or 0 before it started. */
  readonly q: number;
  /**
   * The netkit notifier alone, as a netns move runs the NETDEV_UNREGISTER chain (NS-1, UNREG-1):
   * no mark, no XSK-9 (the move unbinds sockets itself), no uninit.
   */
  readonly notifyOnly?: boolean;
  /**
   * A lock the code that started this nested batch holds until the batch returns: released when
   * the frame is popped.
   */
  readonly keep?: DeviceIndex;
  /** The batch of a namespace deletion (`default_device_exit_batch`); absent for others. */
  readonly origin?: "netns-delete";
}

/** The machine's locals. */
export interface UnregisterCtx {
  /** Frames, outer first. */
  readonly frames: readonly Frame[];
  /** Every device queued so far, in queueing order (`unregister_netdevice_queued`). */
  readonly queued: readonly DeviceIndex[];
  /** A device `netdev_run_todo` must not free (the moving device of a netns move's notifier). */
  readonly exclude: DeviceIndex | null;
  /** The physical device whose lock the notifier holds after its scan, to release next. */
  readonly scanned: DeviceIndex | null;
  /** The provider between the two halves of an unlease cleanup (INV-T3). */
  readonly mp: BindingIndex | null;
}

/** Queues `dev` on the batch, recording list corruption (INV-T4) when it is already queued. */
function queueDevice(
  state: ModelState,
  dev: DeviceIndex,
  list: DeviceIndex[],
  queued: DeviceIndex[],
): ModelState {
  let s = state;
  if (queued.includes(dev)) {
    s = recordOops(s, `INV-T4: ${s.devices[dev].name} queued twice for unregistration`);
  }
  list.push(dev);
  queued.push(dev);
  return s;
}

/**
 * `netkit_del_link(dev, list)` (NK-DEL-1): clear the device's own peer pointer and queue it;
 * clear the peer's pointer and queue the peer unless it is already queued
 * (`unregister_netdevice_queued`, A-05 / INV-T4). `held` is the caller's lock list:
 * `unregister_netdevice_queued` asserts RTNL (INV-K5).
 */
export function netkitDelLink(
  state: ModelState,
  dev: DeviceIndex,
  list: DeviceIndex[],
  queued: DeviceIndex[],
  held: readonly LockId[],
  options?: ModelOptions,
): ModelState {
  const d = state.devices[dev];
  if (!isNetkit(d)) return state;
  const peer = d.peer;
  let s = updateDevice(state, dev, (x) => ({ ...x, peer: null }));
  s = queueDevice(s, dev, list, queued);
  if (peer !== null) {
    s = updateDevice(s, peer, (x) => ({ ...x, peer: null }));
    if (!held.includes("rtnl")) {
      s = recordOops(s, "INV-K5: unregister_netdevice_queued without RTNL");
    }
    if (!hook(options, "unregisterNetdeviceQueued", unregisterNetdeviceQueued)(queued, peer)) {
      s = queueDevice(s, peer, list, queued);
    }
  }
  return s;
}

/**
 * `unregister_netdevice_queued(dev)` (UNREG-7): the device is already on an unregister list
 * (`queued` lists every device queued so far). Hook point `unregisterNetdeviceQueued`.
 */
export function unregisterNetdeviceQueued(
  queued: readonly DeviceIndex[],
  dev: DeviceIndex,
): boolean {
  return queued.includes(dev);
}

/**
 * `netkit_notifier`'s test (UNREG-1): it acts on the NETDEV_UNREGISTER of a physical device
 * whose `reg_state` is NETREG_UNREGISTERING, so it ignores netns moves (still REGISTERED) and
 * netkits. Hook point `netkitNotifier`.
 */
export function netkitNotifier(dev: Device): boolean {
  return isPhysical(dev) && dev.reg === "unregistering";
}

/**
 * `netdev_unlock_ops(phys)` at the end of `netkit_check_lease_unregister`'s scan (UNREG-3,
 * LOCK-3): the physical lock (`ctx.scanned`) goes BEFORE the nested `unregister_netdevice_many`,
 * whose netkits' unlease takes it again. Returns the process and the machine's locals after it.
 * Hook point `netkitNotifierUnlock`.
 */
export function netkitNotifierUnlock(
  proc: Proc,
  ctx: UnregisterCtx,
): { readonly proc: Proc; readonly ctx: UnregisterCtx } {
  return {
    proc: ctx.scanned === null ? proc : release(proc, ctx.scanned),
    ctx: { ...ctx, scanned: null },
  };
}

/** Where `netkit_queue_unlease` stands when the unregister machine asks it what to do next. */
export interface UnleaseAt {
  /** The state. */
  readonly state: ModelState;
  /** The netkit being uninitialised. */
  readonly dev: DeviceIndex;
  /** The loop index (0 before the loop). */
  readonly q: number;
  /** The locks the running process holds, in acquisition order (RTNL first). */
  readonly held: readonly LockId[];
}

/**
 * What `netkit_queue_unlease` does next, as the unregister machine carries it out:
 * - `lock`: set the loop index to `q` (if given), wait for and take `lock` (a step of its own),
 *   then continue at `pc`;
 * - `unlease`: `netdev_rx_queue_unlease` of rx queue `q` and its lease with the locks held (the
 *   provider cleanup in two steps, INV-T3), then continue at `unlease-unlock` in a later step
 *   (so that lockdep sees both locks held, LOCK-2);
 * - `unlock`: release `locks`, set the loop index to `q`, and continue at `pc` at once;
 * - `return`: record `oops` (if given), release `unlock`: the netkit is done.
 */
export type UnleaseStep =
  | {
    /** Discriminant. */
    readonly kind: "lock";
    /** The lock to take. */
    readonly lock: LockId;
    /** Where to continue once it is held. */
    readonly pc: string;
    /** The loop index to set first. */
    readonly q?: number;
  }
  | {
    /** Discriminant. */
    readonly kind: "unlease";
  }
  | {
    /** Discriminant. */
    readonly kind: "unlock";
    /** The locks to release. */
    readonly locks: readonly LockId[];
    /** The new loop index. */
    readonly q: number;
    /** Where to continue. */
    readonly pc: string;
  }
  | {
    /** Discriminant. */
    readonly kind: "return";
    /** The locks to release. */
    readonly unlock: readonly LockId[];
    /** A kernel oops the function hit. */
    readonly oops?: string;
  };

/**
 * `netkit_queue_unlease(dev)` (NK-DEL-3), called by `netkit_uninit` during the batch's uninit
 * phase: what it does next at step `pc` (`start`; `unlease-nk`: the loop test with the netkit
 * locked; `unlease-phys`: both devices locked; `unlease-unlock`: one queue unleased). Nothing for
 * a single rx queue; else lock the netkit, and for i = 1 .. real - 1 lock the physical device of
 * the lease, unlease, unlock it (LOCK-2); unlock the netkit. Hook point `netkitQueueUnlease`.
 */
export function netkitQueueUnlease(pc: string, at: UnleaseAt): UnleaseStep {
  const dev = at.state.devices[at.dev];
  switch (pc) {
    case "start":
      if (dev.realRx === 1) return { kind: "return", unlock: [] };
      return { kind: "lock", lock: at.dev, pc: "unlease-nk", q: 1 }; // netdev_lock(dev)
    case "unlease-nk": {
      if (at.q >= dev.realRx) return { kind: "return", unlock: [at.dev] }; // netdev_unlock(dev)
      const lease = dev.rxq[at.q].lease;
      if (lease === null) {
        // INV-L6 says this cannot happen; the kernel dereferences the lease without a check.
        const oops = `BUG: NULL dereference in netkit_queue_unlease (${dev.name} rx ${at.q})`;
        return { kind: "return", unlock: [at.dev], oops };
      }
      return { kind: "lock", lock: lease.dev, pc: "unlease-phys" }; // netdev_lock(phys)
    }
    case "unlease-phys":
      return { kind: "unlease" }; // netdev_rx_queue_unlease(virt_rxq, phys_rxq)
    case "unlease-unlock": // netdev_unlock(phys), the lock taken last; i++
      return { kind: "unlock", locks: at.held.slice(-1), q: at.q + 1, pc: "unlease-nk" };
    default:
      throw new RangeError(`Cannot continue netkit_queue_unlease at step ${pc}`);
  }
}

/**
 * The instance locks the mark phase of a batch takes, one device after the other (`netdev_lock`
 * around `reg_state = NETREG_UNREGISTERING`, NK-DEL-2): every device of the batch.
 */
function unregisterMarkLocks(frame: Frame): readonly DeviceIndex[] {
  return frame.list;
}

/** The machine's program (it is started by the owning operation, never by a request). */
export const UNREGISTER: Program = {
  name: "unregister",
  start: () => {
    throw new TypeError("Cannot start the unregister machine by itself");
  },
  resume: (state, proc, x) => advance(state, proc, x),
};

/**
 * A process that continues into the machine with `list` queued (and `queued` marked), holding
 * RTNL.
 */
export function enterMachine(
  proc: Proc,
  list: readonly DeviceIndex[],
  queued: readonly DeviceIndex[],
  extra: { notifyOnly?: boolean; exclude?: DeviceIndex; origin?: "netns-delete" } = {},
): Proc {
  const frame: Frame = extra.notifyOnly
    ? { list, phase: "notify", i: 0, q: 0, notifyOnly: true }
    : extra.origin === undefined
    ? { list, phase: "mark", i: 0, q: 0 }
    : { list, phase: "mark", i: 0, q: 0, origin: extra.origin };
  const ctx: UnregisterCtx = {
    frames: [frame],
    queued,
    exclude: extra.exclude ?? null,
    scanned: null,
    mp: null,
  };
  // "enter": the caller's segment already did something (took RTNL), so a busy lock in the
  // first phase makes the process wait with RTNL held rather than not start.
  return { ...proc, pc: "enter", ctx };
}

/**
 * Runs a whole batch atomically (netns deletion, and the netkit notifier of a netns move when
 * it acts): `list` as one batch, then `netdev_run_todo`. A device still referenced stays
 * UNREGISTERING (the kernel would wait forever, UNREG-6).
 */
export function unregisterAtomic(
  state: ModelState,
  list: readonly DeviceIndex[],
  queued: readonly DeviceIndex[],
  options?: ModelOptions,
  extra: { notifyOnly?: boolean; exclude?: DeviceIndex } = {},
): ModelState {
  const program: Program = {
    name: "unregister",
    start: (s) => {
      const p = enterMachine(
        { ...newProc("unregister", null, null), held: ["rtnl"] },
        list,
        queued,
        extra,
      );
      return { kind: "yield", state: s, proc: p };
    },
    resume: (s, p, x) => advance(s, p, x),
  };
  return runAtomic(state, null, program, options).state;
}

/** Convenience: unregister `devs` (netkits via `netkit_del_link` first, as RTM_DELLINK does). */
export function deleteDevices(
  state: ModelState,
  devs: readonly DeviceIndex[],
  options?: ModelOptions,
): ModelState {
  const list: DeviceIndex[] = [];
  const queued: DeviceIndex[] = [];
  let s = state;
  for (const d of devs) {
    if (queued.includes(d)) continue;
    if (isNetkit(s.devices[d])) s = netkitDelLink(s, d, list, queued, ["rtnl"], options);
    else s = queueDevice(s, d, list, queued);
  }
  return unregisterAtomic(s, list, queued, options);
}

function withCtx(proc: Proc, ctx: UnregisterCtx): Proc {
  return { ...proc, ctx };
}

function setTop(ctx: UnregisterCtx, frame: Frame): UnregisterCtx {
  const frames = ctx.frames.slice();
  frames[frames.length - 1] = frame;
  return { ...ctx, frames };
}

/** The locks XSK-9's unbind of binding `b` takes: the bound device and, proxied, the lessor. */
function xskLocks(state: ModelState, b: BindingIndex): LockId[] {
  const bind = state.bindings[b];
  if (!bind || bind.dev === null) return [];
  const d = state.devices[bind.dev];
  const qid = bind.queues[0];
  if (rxqIsLeased(d, qid) && !isPhysical(d)) return [bind.dev, d.rxq[qid].lease!.dev];
  return [bind.dev];
}

/**
 * Runs the machine from `proc.pc` until it must wait for a lock (visible acquisition), makes a
 * step boundary visible, waits for references, or ends.
 */
function advance(state: ModelState, proc0: Proc, x: Exec): Seg {
  const options = x.options;
  let s = state;
  let proc = proc0;
  let ctx = proc.ctx as UnregisterCtx;
  // A granted visible acquisition is progress; a plain continuation is not until the machine
  // changes something (so that a busy internal lock disables the step instead of looping).
  let progressed = proc0.pc !== "run" && proc0.pc !== "todo";
  const top = (): Frame => ctx.frames[ctx.frames.length - 1];
  const yieldHere = (pc: string, lock: LockId | null, acquire: boolean): Seg => ({
    kind: "yield",
    state: s,
    proc: waitFor(withCtx(proc, ctx), pc, lock, acquire),
  });
  // Waits until `lock` is free: a yield if this step already did something, else blocked.
  const waitFree = (lock: LockId): Seg =>
    progressed ? yieldHere("run", lock, false) : { kind: "blocked", lock };
  const firstBusy = (locks: readonly LockId[]): LockId | undefined =>
    locks.find((l) => !isFree(s, proc, l, x));

  switch (proc0.pc) {
    case "enter":
    case "run":
      return loop();
    case "scan":
      return scan();
    case "unlease-mid":
      return unleaseRest(ctx.mp);
    case "todo":
      return todo();
    default: // a step of netkit_queue_unlease
      return unlease(proc0.pc);
  }

  function loop(): Seg {
    for (let guard = 0; guard < 10_000; guard++) {
      if (ctx.scanned !== null) {
        // After the notifier's scan: release the physical lock before the nested unregister
        // (LOCK-3).
        const unlocked = hook(options, "netkitNotifierUnlock", netkitNotifierUnlock)(proc, ctx);
        proc = unlocked.proc;
        ctx = unlocked.ctx;
        progressed = true;
      }
      if (ctx.frames.length === 0) return todo();
      const f = top();
      if (f.phase === "mark") {
        // NK-DEL-2: close, unlist, UNREGISTERING under each device's instance lock; then under
        // its ops lock dev_memory_provider_uninstall calls each own rxq's provider uninstall
        // (UNREG-2).
        const locks = hook(options, "unregisterMarkLocks", unregisterMarkLocks)(f);
        const busyLock = firstBusy(locks);
        if (busyLock !== undefined) return waitFree(busyLock);
        touch(proc, locks, x);
        for (const d of f.list) {
          s = updateDevice(s, d, (v) => ({ ...v, up: false, reg: "unregistering" }));
        }
        for (const d of f.list) {
          const dev = s.devices[d];
          for (let q = 0; q < dev.realRx; q++) {
            const mp = s.devices[d].rxq[q].mp;
            if (mp !== null) s = providerUninstall(s, mp, { dev: d, queue: q });
          }
        }
        ctx = setTop(ctx, { ...f, phase: "notify", i: 0 });
        progressed = true;
        continue;
      }
      if (f.phase === "notify") {
        if (f.i >= f.list.length) {
          if (f.notifyOnly) ctx = popFrame(ctx);
          else ctx = setTop(ctx, { ...f, phase: "uninit", i: 0, q: 0 });
          continue;
        }
        const d = f.list[f.i];
        if (!f.notifyOnly) {
          // XSK-9: xsk_notifier unbinds every socket bound to THIS device (ENETDOWN), clearing
          // its pool (proxied through a lease) and dropping its reference.
          const xsks = s.bindings.flatMap((b, i) =>
            b && b.kind === "xsk" && b.dev === d ? [i] : []
          );
          for (const b of xsks) {
            const locks = xskLocks(s, b);
            const busyLock = firstBusy(locks);
            if (busyLock !== undefined) return waitFree(busyLock);
            touch(proc, locks, x);
            s = xskUnbind(s, b);
            progressed = true;
          }
        }
        // UNREG-1: the netkit notifier acts on a physical device that is UNREGISTERING. It
        // takes the physical ops lock.
        if (hook(options, "netkitNotifier", netkitNotifier)(s.devices[d])) {
          return yieldHere("scan", d, true);
        }
        ctx = setTop(ctx, { ...f, i: f.i + 1 });
        continue;
      }
      // uninit: ndo_uninit = netkit_uninit → netkit_queue_unlease (NK-DEL-3) for each netkit.
      if (f.i >= f.list.length) {
        ctx = popFrame(ctx);
        continue;
      }
      if (!isNetkit(s.devices[f.list[f.i]])) {
        ctx = setTop(ctx, { ...f, i: f.i + 1, q: 0 });
        continue;
      }
      return unlease("start");
    }
    throw new RangeError("The unregister machine did not settle");
  }

  /** Pops the top frame; a lock kept until the nested batch returns goes with it. */
  function popFrame(c: UnregisterCtx): UnregisterCtx {
    const t = c.frames[c.frames.length - 1];
    if (t.keep !== undefined) proc = release(proc, t.keep);
    return { ...c, frames: c.frames.slice(0, -1) };
  }

  /**
   * `netkit_check_lease_unregister` under the physical lock (UNREG-3): every live rx queue
   * leased to a netkit queues that netkit, unless already queued.
   */
  function scan(): Seg {
    const f = top();
    const d = f.list[f.i];
    const list: DeviceIndex[] = [];
    const queued = ctx.queued.slice();
    const dev = s.devices[d];
    for (let q = 0; q < dev.realRx; q++) {
      const lease = s.devices[d].rxq[q].lease;
      if (lease === null || !isNetkit(s.devices[lease.dev])) continue;
      if (!proc.held.includes("rtnl")) {
        s = recordOops(s, "INV-K5: unregister_netdevice_queued without RTNL");
      }
      // INV-T4: a netkit already queued is skipped.
      if (
        hook(options, "unregisterNetdeviceQueued", unregisterNetdeviceQueued)(queued, lease.dev)
      ) {
        continue;
      }
      s = netkitDelLink(s, lease.dev, list, queued, proc.held, options);
    }
    ctx = setTop({ ...ctx, queued }, { ...f, i: f.i + 1 });
    if (list.length === 0) {
      proc = release(proc, d);
      return loop();
    }
    const nested: Frame = { list, phase: "mark", i: 0, q: 0 };
    ctx = { ...ctx, frames: [...ctx.frames, nested], scanned: d };
    return yieldHere("run", null, false);
  }

  /**
   * Carries out `netkit_queue_unlease` for the netkit at the top frame from its step `pc`, until
   * it waits for a lock, unleases a queue or returns (NK-DEL-3).
   */
  function unlease(pc: string): Seg {
    const next = hook(options, "netkitQueueUnlease", netkitQueueUnlease);
    for (let at = pc;;) {
      const f = top();
      const step = next(at, { state: s, dev: f.list[f.i], q: f.q, held: proc.held });
      switch (step.kind) {
        case "lock":
          if (step.q !== undefined) ctx = setTop(ctx, { ...f, q: step.q });
          return yieldHere(step.pc, step.lock, true);
        case "unlease":
          return unleaseQueue();
        case "unlock":
          proc = release(proc, ...step.locks);
          ctx = setTop(ctx, { ...f, q: step.q });
          progressed = true;
          at = step.pc;
          continue;
        case "return":
          if (step.oops !== undefined) s = recordOops(s, step.oops);
          proc = release(proc, ...step.unlock);
          ctx = setTop(ctx, { ...f, i: f.i + 1, q: 0 });
          return loop();
      }
    }
  }

  /** `netdev_rx_queue_unlease` of the top frame's current queue, both locks held. */
  function unleaseQueue(): Seg {
    const f = top();
    const d = f.list[f.i];
    const lease = s.devices[d].rxq[f.q].lease!;
    // MP-U1: netif_rxq_cleanup_unlease has nothing to do without a provider on the physical rxq.
    const binding = s.devices[lease.dev].rxq[lease.queue].mp;
    if (binding !== null) {
      const cleanup = hook(options, "netifRxqCleanupUnlease", netifRxqCleanupUnlease);
      s = cleanup(s, lease, { dev: d, queue: f.q }, binding, cleanupHalves(options)[0]);
      // INV-T3: the two halves of netif_rxq_cleanup_unlease are separate steps.
      ctx = { ...ctx, mp: binding };
      return yieldHere("unlease-mid", null, false);
    }
    return unleaseRest(null);
  }

  function unleaseRest(binding: BindingIndex | null): Seg {
    const f = top();
    const d = f.list[f.i];
    const lease = s.devices[d].rxq[f.q].lease!;
    const virt = { dev: d, queue: f.q };
    if (binding !== null) {
      s = hook(options, "netifRxqCleanupUnlease", netifRxqCleanupUnlease)(
        s,
        lease,
        virt,
        binding,
        cleanupHalves(options)[1],
      );
    }
    s = hook(options, "netdevRxQueueUnlease", netdevRxQueueUnlease)(s, virt, lease, proc.held);
    ctx = { ...ctx, mp: null };
    // Unlock at the next step, so that lockdep sees netkit and physical locks held (LOCK-2).
    return yieldHere("unlease-unlock", null, false);
  }

  /**
   * After the outer batch: `rtnl_unlock` → `netdev_run_todo` (REF-5). Stepped, it waits until
   * every queued device's references are gone (other processes' transient ones included); an
   * atomic run frees the unreferenced devices and leaves the others UNREGISTERING forever.
   */
  function todo(): Seg {
    if (proc.held.length > 0) {
      proc = releaseAll(proc);
      progressed = true;
    }
    const devs = [...new Set(ctx.queued)].filter((d) => d !== ctx.exclude).sort((a, b) => a - b);
    if (x.slot >= 0) {
      const waiting = devs.some((d) =>
        s.devices[d].reg !== "gone" && s.devices[d].refs + heldRefs(s, d, x.slot) !== 0
      );
      if (waiting) return progressed ? yieldHere("todo", null, false) : { kind: "blocked" };
    }
    s = runTodo(s, devs);
    return done(s, proc, success({}));
  }
}

/**
 * `netdev_run_todo` (REF-5): a queued device whose refcount dropped to zero is freed (gone; its
 * providers and pools are dropped with it), one still referenced stays UNREGISTERING.
 */
export function runTodo(state: ModelState, devs: readonly DeviceIndex[]): ModelState {
  let s = state;
  for (const d of [...devs].sort((a, b) => a - b)) {
    if (s.devices[d].refs !== 0 || s.devices[d].reg === "gone") continue;
    s = updateDevice(s, d, (x): Device => {
      // Provider params and pools die with the device; lease pointers are kept so that an
      // unlease which forgot to clear one stays visible to INV-L1 / INV-T1.
      const rxq = x.rxq.map((
        q,
      ) => (q.lease === null && !q.leaseTracker ? EMPTY_RXQ : { ...q, mp: null, pool: null }));
      return isNetkit(x)
        ? { ...x, reg: "gone", up: false, rxq, peer: null }
        : { ...x, reg: "gone", up: false, rxq };
    });
  }
  return s;
}

/**
 * The order of `netif_rxq_cleanup_unlease`'s two halves on the kernel the model answers for:
 * close the physical queue (1), then the provider's `uninstall` (2) from 7.1.5 (MP-U3); the
 * reverse before (MP-U2, CVE-2026-74285).
 */
function cleanupHalves(options?: ModelOptions): readonly [1 | 2, 1 | 2] {
  return kernelHas(options?.kernel, "MP-U3") ? [1, 2] : [2, 1];
}
