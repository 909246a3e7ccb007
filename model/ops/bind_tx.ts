/**
 * devmem `bind-tx` (NETDEV_CMD_BIND_TX, net/core/netdev-genl.c `netdev_nl_bind_tx_doit`,
 * `netdev_find_netmem_tx_dev`, net/core/devmem.c `net_devmem_bind_dmabuf`; DM-7b, DM-8, DM-9,
 * DM-13..15): a dmabuf DMA-mapped for transmit. On a device that does netmem TX without DMA
 * (netkit, from 7.2) the dmabuf is bound to the DMA-capable NIC one of its rx queues is leased
 * from, and the binding remembers the netkit as its virtual device. Stepped
 * ({@linkcode BIND_TX}): the named device's instance lock (`netdev_get_by_index_lock`), then the
 * NIC's nested inside it (virtual → physical, LOCK-2).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import { BIND_TX_POLICY, validateStrict } from "../netlink.ts";
import { lockedProgram, type Program } from "../process.ts";
import {
  addBinding,
  type Binding,
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  type ModelState,
} from "../state.ts";
import { kernelHas } from "../versions.ts";
import type { BindingReply, Caller, OpResult } from "./types.ts";

/** A bind-tx request in ynl shape (the netdev family's `dmabuf` attribute set). */
export interface BindTxRequest {
  /** Device, in the caller's netns. */
  readonly ifindex?: number;
  /** dmabuf fd (not interpreted by the model). */
  readonly fd?: number;
}

/** A device's netmem TX mode (`enum netmem_tx`, include/linux/netdevice.h). */
export type NetmemTx = "none" | "dma" | "no-dma";

/**
 * `dev->netmem_tx` on the kernel the model answers for: NIC drivers with devmem TX (mlx5, as
 * bnxt, gve, fbnic) set DMA; netdevsim and `lo` none; netkit NO_DMA from 7.2 (DM-9) and none
 * before (it had no netmem TX, so bind-tx on it answered DM-8).
 *
 * @example Usage
 * ```ts
 * import { netmemTx } from "./bind_tx.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState(DEFAULT_CONFIG);
 * assert.equal(netmemTx(s, 2), "none"); // eth0, a netdevsim port
 * assert.equal(netmemTx(s, 4, "7.2"), "no-dma"); // nk0
 * assert.equal(netmemTx(s, 4, "7.1.9"), "none");
 * ```
 */
export function netmemTx(state: ModelState, dev: DeviceIndex, kernel?: string): NetmemTx {
  const d = state.devices[dev];
  if (d.kind === "netkit") return kernelHas(kernel, "DM-9") ? "no-dma" : "none";
  return isPhysical(d) && d.driver === "mlx5" ? "dma" : "none";
}

/**
 * `netdev_find_netmem_tx_dev(dev)` (DM-7b): a DMA device is its own; a NO_DMA device's rx
 * queues are walked in order for a lease whose physical device is present and does DMA netmem
 * TX; otherwise null. The leases are read without the physical lock (READ_ONCE: a lease is
 * written under both locks, and the netkit's is held). Hook point `netdevFindNetmemTxDev`.
 *
 * @example Usage
 * ```ts
 * import { netdevFindNetmemTxDev } from "./bind_tx.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * assert.equal(netdevFindNetmemTxDev(initialState(DEFAULT_CONFIG), 4), null); // nk0, no lease
 * ```
 */
export function netdevFindNetmemTxDev(
  state: ModelState,
  dev: DeviceIndex,
  kernel?: string,
): DeviceIndex | null {
  const mode = netmemTx(state, dev, kernel);
  if (mode === "dma") return dev;
  if (mode !== "no-dma") return null;
  const d = state.devices[dev];
  for (let i = 0; i < d.realRx; i++) {
    const lease = d.rxq[i]?.lease ?? null;
    if (lease === null) continue;
    const phys = state.devices[lease.dev];
    if (isPhysical(phys) && phys.present && netmemTx(state, lease.dev, kernel) === "dma") {
      return lease.dev;
    }
  }
  return null;
}

type BindTxStep = { readonly caller: Caller; readonly request: BindTxRequest };

/** bind-tx as a stepped program. */
export const BIND_TX: Program = lockedProgram({
  name: "bind-tx",
  // DM-14: netdev_get_by_index_lock (the reference, then the instance lock). No admin check.
  lookup: (state, step) => {
    const { caller, request } = step as BindTxStep;
    // The policy and the required attributes fail before the handler takes anything.
    if (validateStrict(request as Record<string, unknown>, BIND_TX_POLICY)) return null;
    if (request.ifindex === undefined || request.fd === undefined) return null;
    return deviceByIfindex(state, caller.netns, request.ifindex) ?? null;
  },
  // DM-7b: the NIC found through the leases, locked inside the netkit's lock.
  nested: (state, step, held, options) => {
    const { caller, request } = step as BindTxStep;
    const dev = deviceByIfindex(state, caller.netns, request.ifindex!) ?? null;
    if (dev === null) return null;
    const d = state.devices[dev];
    if (isPhysical(d) && !d.present) return null;
    const find = hook(options, "netdevFindNetmemTxDev", netdevFindNetmemTxDev);
    const bindDev = find(state, dev, options?.kernel);
    return bindDev === null || bindDev === dev || held.includes(bindDev) ? null : bindDev;
  },
  body: (state, step, options) => {
    const { caller, request } = step as BindTxStep;
    return bindTx(state, caller, request, options);
  },
});

/**
 * Runs bind-tx atomically.
 *
 * @example Usage
 * ```ts
 * import { bindTx } from "./bind_tx.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = bindTx(initialState(DEFAULT_CONFIG), { netns: 0 }, { ifindex: 3, fd: 0 });
 * assert.equal(r.reply.ok ? "ok" : r.reply.extack, "No DMA-capable device found for netmem TX");
 * ```
 */
export function bindTx(
  state: ModelState,
  caller: Caller,
  request: BindTxRequest,
  options?: ModelOptions,
): OpResult<BindingReply> {
  const fail = (f: OpFailure): OpResult<BindingReply> => ({ state, reply: f });
  // DM-13: no admin flag (bind-tx only maps the caller's own dmabuf). The policy at parse time
  // (ifindex at least 1, nothing above fd), then DM-14: the required attributes.
  const invalid = validateStrict(request as Record<string, unknown>, BIND_TX_POLICY);
  if (invalid) return fail(invalid);
  for (const name of ["ifindex", "fd"] as const) {
    if (request[name] === undefined) return fail(failure("EINVAL", { missType: name }));
  }
  // DM-14: lookup + lock, present.
  const dev = deviceByIfindex(state, caller.netns, request.ifindex!);
  if (dev === undefined) return fail(failure("ENODEV"));
  const d = state.devices[dev];
  if (isPhysical(d) && !d.present) return fail(failure("ENODEV"));
  // DM-8: netmem TX support at all.
  if (netmemTx(state, dev, options?.kernel) === "none") {
    return fail(failure("EOPNOTSUPP", { extack: "Driver does not support netmem TX" }));
  }
  // DM-7b: the device that does the DMA.
  const find = hook(options, "netdevFindNetmemTxDev", netdevFindNetmemTxDev);
  const bindDev = find(state, dev, options?.kernel);
  if (bindDev === null) {
    return fail(failure("EOPNOTSUPP", { extack: "No DMA-capable device found for netmem TX" }));
  }
  // DM-15: netdev_queue_get_dma_dev(bind_dev, 0, TX), then net_devmem_bind_dmabuf.
  const b = state.devices[bindDev];
  if (!isPhysical(b) || !b.dma) {
    return fail(failure("EOPNOTSUPP", { extack: "Device doesn't support DMA" }));
  }
  const binding = hook(options, "bindTxBinding", bindTxBinding)(bindDev, dev);
  const slot = addBinding(state, binding);
  return { state: slot.state, reply: success({ binding: slot.index, id: slot.index + 1 }) };
}

/**
 * The TX binding `net_devmem_bind_dmabuf` records (DM-15): `dev` is the device that does the
 * DMA, `vdev` the device named in the request when that is another one (the netkit); no rx
 * queue is bound. Hook point `bindTxBinding`.
 *
 * @example Usage
 * ```ts
 * import { bindTxBinding } from "./bind_tx.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(bindTxBinding(1, 4), {
 *   kind: "devmem-tx", dev: 1, queues: [], zeroCopy: false, vdev: 4,
 * });
 * ```
 */
export function bindTxBinding(bindDev: DeviceIndex, named: DeviceIndex): Binding {
  return {
    kind: "devmem-tx",
    dev: bindDev,
    queues: [],
    zeroCopy: false,
    ...(named !== bindDev ? { vdev: named } : {}),
  };
}
