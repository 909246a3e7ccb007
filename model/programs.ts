/**
 * The stepped operations by name, the drain that runs in-flight processes to their end (the
 * liveness check behind INV-R3), and the engine-facing process actions.
 *
 * @module
 */

import type { ModelOptions } from "./mutants.ts";
import type { OpName } from "../spec/operations.ts";
import { BIND_RX } from "./ops/bind_rx.ts";
import { BIND_TX } from "./ops/bind_tx.ts";
import { CHANNELS_SET } from "./ops/channels_set.ts";
import { CLOSE } from "./ops/close.ts";
import { DELLINK } from "./ops/dellink.ts";
import { GETLINK } from "./ops/getlink.ts";
import { LINK_SET } from "./ops/link_set.ts";
import { NETNS_DELETE } from "./ops/netns_delete.ts";
import { NETNS_MOVE } from "./ops/netns_move.ts";
import { NETNS_SET_ID } from "./ops/netns_set_id.ts";
import { NEWLINK } from "./ops/newlink.ts";
import { PHYS_REMOVE } from "./ops/phys_remove.ts";
import { QUEUE_CREATE } from "./ops/queue_create.ts";
import { QUEUE_GET } from "./ops/queue_get.ts";
import { XSK_BIND } from "./ops/xsk_bind.ts";
import { ZCRX_REGISTER } from "./ops/zcrx_register.ts";
import { type Program, stepProc } from "./process.ts";
import type { ModelState } from "./state.ts";

/**
 * Every operation as a program, by its catalogue name: with `concurrency` >= 2 each request runs
 * as a process whose steps are its kernel code path's lock acquisitions; atomically (one step)
 * otherwise and in scenario replay.
 */
export const PROGRAMS: Readonly<Record<OpName, Program>> = {
  "queue-create": QUEUE_CREATE,
  "queue-get": QUEUE_GET,
  newlink: NEWLINK,
  getlink: GETLINK,
  "link-set": LINK_SET,
  "channels-set": CHANNELS_SET,
  "netns-delete": NETNS_DELETE,
  dellink: DELLINK,
  "phys-remove": PHYS_REMOVE,
  "netns-move": NETNS_MOVE,
  "netns-set-id": NETNS_SET_ID,
  "bind-rx": BIND_RX,
  "bind-tx": BIND_TX,
  "zcrx-register": ZCRX_REGISTER,
  "xsk-bind": XSK_BIND,
  close: CLOSE,
};

/** Runs the next step of the process in `slot`, or undefined when it is blocked or absent. */
export function stepSlot(
  state: ModelState,
  slot: number,
  options?: ModelOptions,
): ModelState | undefined {
  const p = state.procs?.[slot];
  if (p === null || p === undefined) return undefined;
  return stepProc(state, slot, PROGRAMS[p.op as OpName], options);
}

/**
 * Lets the in-flight processes run to their end without starting new ones, lowest enabled slot
 * first, and returns where that stops (no process left, or none can move). From every reachable
 * state of a correct model this empties the slots: an in-flight operation (a physical unregister
 * waiting in `netdev_run_todo` in particular) is never stuck for good.
 */
export function drain(state: ModelState, options?: ModelOptions, limit = 500): ModelState {
  let s = state;
  const procs = () => s.procs ?? [];
  for (let n = 0; n < limit; n++) {
    let moved = false;
    for (let slot = 0; slot < procs().length; slot++) {
      const next = stepSlot(s, slot, options);
      if (next !== undefined) {
        s = next;
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  return s;
}
