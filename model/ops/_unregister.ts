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
 * @module
 */

import { success } from "../errors.ts";
import { isMutant, type ModelOptions } from "../mutants.ts";
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
  cleanupUnleaseFirst,
  cleanupUnleaseSecond,
  providerUninstall,
  unleaseFinish,
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
  /** The notifier only (a netns move under C-11): no mark, no XSK-9, no uninit. */
  readonly notifyOnly?: boolean;
  /** C-13: the physical lock the notifier kept, released when this nested frame ends. */
  readonly keep?: DeviceIndex;
}

/** The machine's locals. */
export interface UnregisterCtx {
  /** Frames, outer first. */
  readonly frames: readonly Frame[];
  /** Every device queued so far, in queueing order (`unregister_netdevice_queued`). */
  readonly queued: readonly DeviceIndex[];
  /** A device `netdev_run_todo` must not free (the moving device of a C-11 notifier run). */
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
 * (`unregister_netdevice_queued`, A-05 / INV-T4; C-12 drops the guard). `held` is the caller's
 * lock list: `unregister_netdevice_queued` asserts RTNL (INV-K5).
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
    if (!queued.includes(peer) || isMutant(options, "C-12")) {
      s = queueDevice(s, peer, list, queued);
    }
  }
  return s;
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
  extra: { notifyOnly?: boolean; exclude?: DeviceIndex } = {},
): Proc {
  const frame: Frame = extra.notifyOnly
    ? { list, phase: "notify", i: 0, q: 0, notifyOnly: true }
    : { list, phase: "mark", i: 0, q: 0 };
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
 * Runs a whole batch atomically (netns deletion, and the netkit notifier of a netns move under
 * C-11): `list` as one batch, then `netdev_run_todo`. A device still referenced stays
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
  const keepOnly = (locks: readonly LockId[]) => {
    const held = proc.held.filter((l) => locks.includes(l));
    if (held.length !== proc.held.length) proc = { ...proc, held };
  };

  switch (proc0.pc) {
    case "scan":
      return scan();
    case "unlease-c07": // C-07: the physical lock is held; now the netkit's.
      return yieldHere("unlease-nk", top().list[top().i], true);
    case "unlease-nk":
      return unleaseNext();
    case "unlease-phys":
      return unleaseQueue();
    case "unlease-mid":
      return unleaseRest(ctx.mp);
    case "unlease-unlock": {
      // The unlease of one queue is over: unlock the physical device (C-07 keeps it).
      const f = top();
      if (!isMutant(options, "C-07")) proc = { ...proc, held: proc.held.slice(0, -1) };
      ctx = setTop(ctx, { ...f, q: f.q + 1 });
      progressed = true;
      return unleaseNext();
    }
    case "todo":
      return todo();
  }
  return loop();

  function loop(): Seg {
    for (let guard = 0; guard < 10_000; guard++) {
      if (ctx.scanned !== null) {
        // After the notifier's scan: release the physical lock before the nested unregister
        // (LOCK-3). C-13 keeps it until the nested batch is over.
        const dev = ctx.scanned;
        if (isMutant(options, "C-13")) {
          ctx = setTop({ ...ctx, scanned: null }, { ...top(), keep: dev });
        } else {
          proc = release(proc, dev);
          ctx = { ...ctx, scanned: null };
        }
        progressed = true;
      }
      if (ctx.frames.length === 0) return todo();
      const f = top();
      if (f.phase === "mark") {
        // NK-DEL-2: close, unlist, UNREGISTERING under each device's instance lock; then under
        // its ops lock dev_memory_provider_uninstall calls each own rxq's provider uninstall
        // (UNREG-2).
        const busyLock = firstBusy(f.list);
        if (busyLock !== undefined) return waitFree(busyLock);
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
            const busyLock = firstBusy(xskLocks(s, b));
            if (busyLock !== undefined) return waitFree(busyLock);
            s = xskUnbind(s, b);
            progressed = true;
          }
        }
        // UNREG-1: the netkit notifier acts on a physical device that is UNREGISTERING (C-11:
        // also on one that only moves netns; C-14: no notifier). It takes the physical ops lock.
        const dev = s.devices[d];
        if (
          !isMutant(options, "C-14") && isPhysical(dev) &&
          (dev.reg === "unregistering" || isMutant(options, "C-11"))
        ) {
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
      const d = f.list[f.i];
      const dev = s.devices[d];
      if (!isNetkit(dev) || dev.realRx === 1) {
        ctx = setTop(ctx, { ...f, i: f.i + 1, q: 0 });
        continue;
      }
      // Lock the netkit (C-07: lock the physical device of the first lease first), then walk
      // the queues from 1 (C-32: from 0).
      ctx = setTop(ctx, { ...f, q: isMutant(options, "C-32") ? 0 : 1 });
      const lease = dev.rxq[1]?.lease;
      if (isMutant(options, "C-07") && lease) return yieldHere("unlease-c07", lease.dev, true);
      return yieldHere("unlease-nk", d, true);
    }
    throw new RangeError("The unregister machine did not settle");
  }

  /** Pops the top frame; a kept (C-13) physical lock goes with it. */
  function popFrame(c: UnregisterCtx): UnregisterCtx {
    const t = c.frames[c.frames.length - 1];
    if (t.keep !== undefined) proc = release(proc, t.keep);
    return { ...c, frames: c.frames.slice(0, -1) };
  }

  /**
   * `netkit_check_lease_unregister` under the physical lock (UNREG-3): every live rx queue
   * leased to a netkit queues that netkit, unless already queued (C-12 drops the skip).
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
      if (queued.includes(lease.dev) && !isMutant(options, "C-12")) continue; // INV-T4
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

  /** The next leased queue of the netkit at the top frame (NK-DEL-3's loop). */
  function unleaseNext(): Seg {
    const f = top();
    const d = f.list[f.i];
    const dev = s.devices[d];
    const end = isMutant(options, "C-33") ? dev.realRx - 1 : dev.realRx;
    if (f.q >= end) {
      // The netkit's unlease is over: unlock it (and a C-07 physical lock).
      keepOnly(["rtnl"]);
      ctx = setTop(ctx, { ...f, i: f.i + 1, q: 0 });
      return loop();
    }
    const lease = dev.rxq[f.q].lease;
    if (lease === null) {
      // INV-L6 says this cannot happen; the kernel dereferences the lease without a check.
      s = recordOops(s, `BUG: NULL dereference in netkit_queue_unlease (${dev.name} rx ${f.q})`);
      keepOnly(["rtnl"]);
      ctx = setTop(ctx, { ...f, i: f.i + 1, q: 0 });
      return loop();
    }
    if (proc.held.includes(lease.dev) && isMutant(options, "C-07")) return unleaseQueue();
    return yieldHere("unlease-phys", lease.dev, true);
  }

  /** `netdev_rx_queue_unlease` of the top frame's current queue, both locks held. */
  function unleaseQueue(): Seg {
    const f = top();
    const d = f.list[f.i];
    const lease = s.devices[d].rxq[f.q].lease!;
    const first = cleanupUnleaseFirst(s, lease, { dev: d, queue: f.q }, options);
    s = first.state;
    if (first.binding !== null) {
      // INV-T3: the two halves of netif_rxq_cleanup_unlease are separate steps.
      ctx = { ...ctx, mp: first.binding };
      return yieldHere("unlease-mid", null, false);
    }
    return unleaseRest(null);
  }

  function unleaseRest(binding: BindingIndex | null): Seg {
    const f = top();
    const d = f.list[f.i];
    const lease = s.devices[d].rxq[f.q].lease!;
    const virt = { dev: d, queue: f.q };
    s = cleanupUnleaseSecond(s, lease, virt, binding, options);
    s = unleaseFinish(s, virt, lease, options, proc.held);
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
      // Provider params and pools die with the device; lease pointers are kept so that a
      // mutant which forgets to clear one stays visible to INV-L1 / INV-T1.
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
