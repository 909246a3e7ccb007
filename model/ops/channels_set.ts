/**
 * ethtool netlink `channels-set` on a device (`ethtool -L DEV combined N`). Kernel:
 * net/ethtool/channels.c `ethnl_set_channels`, net/ethtool/common.c `ethtool_check_max_channel`,
 * net/core/netdev_queues.c `netdev_queue_busy`; operations.md §6 (ETH-1..6). Physical devices
 * here have combined channels only (rx = tx = combined). Stepped ({@linkcode CHANNELS_SET}):
 * RTNL, then the device's ops lock (net/ethtool/netlink.c `ethnl_default_set_doit`).
 *
 * @module
 */

import { failure, type OpFailure, success } from "../errors.ts";
import { hook } from "../hooks.ts";
import type { ModelOptions } from "../mutants.ts";
import {
  done,
  drop,
  hold,
  newProc,
  type Program,
  releaseAll,
  runAtomic,
  waitFor,
  yieldTo,
} from "../process.ts";
import {
  type Device,
  deviceByIfindex,
  type DeviceIndex,
  isPhysical,
  minMpChannelCount,
  type ModelState,
  updateDevice,
} from "../state.ts";
import { netdevQueueBusy } from "./_queues.ts";
import type { Caller, OpResult } from "./types.ts";

/** A channels-set request (ynl-specs.md §2.5). */
export interface ChannelsSetRequest {
  /** Request header. */
  readonly header: { readonly "dev-index": number };
  /** New combined channel count. */
  readonly "combined-count"?: number;
}

/**
 * ETH-3's rx loop in `ethnl_set_channels`: every rx queue being removed, `from` up to the real
 * count, must not be busy (`netdev_queue_busy`, whose extack it keeps, with -EINVAL). Hook point
 * `ethnlRxQueuesBusy`.
 */
function ethnlRxQueuesBusy(dev: Device, from: number): OpFailure | null {
  for (let i = from; i < dev.realRx; i++) {
    const busy = netdevQueueBusy(dev, i);
    if (busy !== null) return failure("EINVAL", { extack: busy.extack });
  }
  return null;
}

/**
 * Runs channels-set.
 *
 * @example Usage
 * ```ts
 * import { channelsSet } from "./channels_set.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const r = channelsSet(initialState(DEFAULT_CONFIG), { netns: 0 }, {
 *   header: { "dev-index": 2 }, "combined-count": 1,
 * });
 * assert.equal(r.state.devices[2].realRx, 1);
 * ```
 */
export function channelsSet(
  state: ModelState,
  caller: Caller,
  request: ChannelsSetRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const r = runAtomic(state, { caller, request }, CHANNELS_SET, options);
  return r as OpResult<Record<string, never>>;
}

type ChannelsStep = { readonly caller: Caller; readonly request: ChannelsSetRequest };

/**
 * `ethnl_default_set_doit` for channels as a stepped program: the device looked up with a
 * reference (`ethnl_default_parse`), `set_validate` (ETH-1: -EOPNOTSUPP without
 * `get_channels`/`set_channels`), then RTNL (netdevsim and mlx5 set `op_needs_rtnl` for channels,
 * ETH-8), the device's ops lock, `ethnl_ops_begin` (-ENODEV past REGISTERED) and
 * `ethnl_set_channels`.
 */
export const CHANNELS_SET: Program = {
  name: "channels-set",
  start: (state, step) => {
    const { caller, request } = step as ChannelsStep;
    const proc = newProc("channels-set", step, null);
    // ethnl_parse_header_dev_get: device in the caller's netns, referenced.
    const dev = deviceByIfindex(state, caller.netns, request.header["dev-index"]);
    if (dev === undefined) return done(state, proc, failure("ENODEV"));
    // ETH-1: no get/set_channels (netkit, lo) → -EOPNOTSUPP without a message.
    if (!isPhysical(state.devices[dev])) return done(state, proc, failure("EOPNOTSUPP"));
    return yieldTo(state, waitFor(hold({ ...proc, ctx: dev }, { dev }), "rtnl", "rtnl"));
  },
  resume: (state, proc, x) => {
    const dev = proc.ctx as DeviceIndex;
    if (proc.pc === "rtnl") return yieldTo(state, waitFor(proc, "dev", dev));
    const p = releaseAll(drop(proc, (h) => h.dev === dev));
    // ethnl_ops_begin: a device past REGISTERED (or detached) answers -ENODEV.
    const d = state.devices[dev];
    if (d.reg !== "registered" || (isPhysical(d) && !d.present)) {
      return done(state, p, failure("ENODEV"));
    }
    const r = setChannels(state, dev, (proc.step as ChannelsStep).request, x.options);
    return done(r.state, p, r.reply);
  },
};

/** `ethnl_set_channels` on device `dev` (ETH-1..ETH-3, ETH-5), both locks held. */
function setChannels(
  state: ModelState,
  dev: DeviceIndex,
  request: ChannelsSetRequest,
  options?: ModelOptions,
): OpResult<Record<string, never>> {
  const fail = (f: OpFailure): OpResult<Record<string, never>> => ({ state, reply: f });
  const d = state.devices[dev];
  if (!isPhysical(d)) return fail(failure("EOPNOTSUPP"));
  const want = request["combined-count"] ?? d.realRx;
  // ETH-1: nothing to change → success without calling the driver.
  if (want === d.realRx) return { state, reply: success({}) };
  if (want > d.maxChannels) {
    return fail(failure("EINVAL", {
      extack: "requested channel count exceeds maximum",
      badAttr: ".combined-count",
    }));
  }
  if (want === 0) {
    return fail(failure("EINVAL", {
      extack: "requested channel counts would result in no RX or TX channel being configured",
      badAttr: ".combined-count",
    }));
  }
  // ETH-2: ethtool_check_max_channel; no RSS table or ntuple filters are modelled. The memory
  // provider test is "new count < highest provider index + 1" (see the note in the report).
  const mp = minMpChannelCount(d);
  if (want < mp) {
    return fail(failure("EINVAL", {
      extack: `requested channel counts are too low for existing memory provider setting (${mp})`,
    }));
  }
  // ETH-3: every rx queue being removed must not be busy, then every tx queue (AF_XDP only).
  const busy = hook(options, "ethnlRxQueuesBusy", ethnlRxQueuesBusy)(d, want);
  if (busy !== null) return fail(busy);
  for (let i = want; i < d.realTx; i++) {
    if (d.rxq[i].pool !== null) {
      return fail(failure("EINVAL", { extack: "Device queue in use by AF_XDP" }));
    }
  }
  // set_channels: netif_set_real_num_queues(dev, want, want).
  return {
    state: updateDevice(state, dev, (x) => ({ ...x, realRx: want, realTx: want })),
    reply: success({}),
  };
}
