/**
 * `close`: closing a queue user — io_uring ifq teardown (`io_close_queue`, IOU-5), devmem unbind
 * on socket close (`net_devmem_unbind_dmabuf`, DM-6), AF_XDP socket release (`xp_clear_dev`,
 * XSK-8). A user the kernel already detached (device unregistered) just goes away. Stepped
 * ({@linkcode CLOSE}): RTNL for AF_XDP (`xp_release_deferred`), the bound device's instance
 * lock, and the physical lock for a proxied queue (IOU-5, DM-6, XSK-8).
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import { addRefs, type BindingIndex, type ModelState, updateBinding } from "../state.ts";
import { lockedProgram, type Program } from "../process.ts";
import { mpCloseRxq, proxiedLessor, xskUnbind } from "./_queues.ts";
import type { OpResult } from "./types.ts";

/** Which user closes. */
export interface CloseRequest {
  /** The binding slot returned by bind-rx, zcrx-register or xsk-bind. */
  readonly binding: BindingIndex;
}

/**
 * Closes a queue user.
 *
 * @example Usage
 * ```ts
 * import { close } from "./close.ts";
 * import { xskBind } from "./xsk_bind.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s0 = initialState(DEFAULT_CONFIG);
 * const b = xskBind(s0, { netns: 0 }, { ifindex: 2, "queue-id": 0 });
 * const r = close(b.state, { binding: 0 });
 * assert.equal(r.state.bindings.length, 0);
 * ```
 */
export function close(
  state: ModelState,
  request: CloseRequest,
): OpResult<Record<string, never>> {
  const b = state.bindings[request.binding];
  if (!b) return { state, reply: failure("ENOENT") };
  let s = state;
  if (b.dev !== null) {
    if (b.kind === "xsk") {
      s = xskUnbind(s, request.binding); // XSK-8
    } else {
      // IOU-5 / DM-6: lock the named device, netif_mp_close_rxq per queue (proxied).
      for (const q of b.queues) s = mpCloseRxq(s, b.dev, q, request.binding);
      if (b.kind === "io-uring") s = addRefs(s, b.dev, -1); // REF-3
    }
  }
  s = updateBinding(s, request.binding, () => null);
  return { state: s, reply: success({}) };
}

/** Closing a queue user as a stepped program. */
export const CLOSE: Program = lockedProgram({
  name: "close",
  // XSK-8: xp_release_deferred takes RTNL; IOU-5 and DM-6 lock the device their user holds.
  rtnl: (state, step) =>
    state.bindings[(step as { request: CloseRequest }).request.binding]?.kind === "xsk",
  lookup: (state, step) => {
    const b = state.bindings[(step as { request: CloseRequest }).request.binding];
    return !b || b.dev === null ? null : b.dev;
  },
  referenced: true,
  nested: (state, step) => {
    const b = state.bindings[(step as { request: CloseRequest }).request.binding];
    return b ? proxiedLessor(state, b.dev, b.queues) : null;
  },
  body: (state, step) => close(state, (step as { request: CloseRequest }).request),
});
