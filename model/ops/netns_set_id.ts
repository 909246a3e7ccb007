/**
 * Assigning a netns id (`ip -n NS netns set PEER ID`): RTM_NEWNSID in the caller's namespace,
 * `rtnl_net_newid` (net/core/net_namespace.c). The caller's table gets `ID` for `PEER`
 * (`alloc_netid`: exactly that id, or the lowest free one for a negative id, `auto`). Fact
 * NS-7. It takes no lock the model tracks (RTNL_FLAG_DOIT_UNLOCKED; the table's `nsid_lock` is
 * a spinlock held only for the check and the allocation), so it is one step.
 *
 * @module
 */

import { failure, success } from "../errors.ts";
import type { ModelOptions } from "../mutants.ts";
import { type ModelState, NSID_NOT_ASSIGNED, updateNetns } from "../state.ts";
import { done, newProc, type Program, runAtomic } from "../process.ts";
import type { Caller, OpResult } from "./types.ts";

/** The namespace to name and the id to give it (`ip netns set PEER ID`; -1 is `auto`). */
export interface NetnsSetIdRequest {
  /** The peer namespace's name (sent as NETNSA_FD, a file descriptor of it). */
  readonly netns: string;
  /** NETNSA_NSID (s32): the id, or a negative value for the lowest free one. */
  readonly nsid: number;
}

/**
 * Runs RTM_NEWNSID for `caller`.
 *
 * @example Usage
 * ```ts
 * import { netnsSetId } from "./netns_set_id.ts";
 * import { initialState } from "../init.ts";
 * import { DEFAULT_CONFIG } from "../config.ts";
 * import assert from "node:assert/strict";
 * const s = initialState({ ...DEFAULT_CONFIG, nsids: [] });
 * const r = netnsSetId(s, { netns: 1 }, { netns: "init", nsid: 7 });
 * assert.equal(r.state.netns[1].nsids[0], 7);
 * ```
 */
export function netnsSetId(
  state: ModelState,
  caller: Caller,
  request: NetnsSetIdRequest,
  options?: ModelOptions,
): OpResult<null> {
  const r = runAtomic(state, { caller, request }, NETNS_SET_ID, options);
  return r as OpResult<null>;
}

/** `rtnl_net_newid`'s checks in order (NS-7), then the allocation. */
function newId(state: ModelState, caller: Caller, request: NetnsSetIdRequest): OpResult<null> {
  // get_net_ns_by_fd: a namespace that no longer exists has no file to name it by.
  const peer = state.netns.findIndex((n) => n.name === request.netns);
  if (peer < 0 || !state.netns[peer].alive) {
    return { state, reply: failure("EBADF", { extack: "Peer netns reference is invalid" }) };
  }
  const table = state.netns[caller.netns].nsids;
  // __peernet2id(net, peer) >= 0: the peer has an id already.
  if ((table[peer] ?? NSID_NOT_ASSIGNED) >= 0) {
    return {
      state,
      reply: failure("EEXIST", { extack: "Peer netns already has a nsid assigned" }),
    };
  }
  // alloc_netid: exactly [nsid, nsid + 1), or the lowest free id for a negative one.
  const used = (id: number) => table.some((v, i) => v === id && i !== peer && state.netns[i].alive);
  let id = request.nsid;
  if (id < 0) { for (id = 0; used(id); id++); }
  else if (used(id)) {
    return { state, reply: failure("EEXIST", { extack: "The specified nsid is already used" }) };
  }
  const s = updateNetns(state, caller.netns, (n) => {
    const nsids = n.nsids.slice();
    while (nsids.length <= peer) nsids.push(NSID_NOT_ASSIGNED);
    nsids[peer] = id;
    return { ...n, nsids };
  });
  return { state: s, reply: success(null) };
}

/** RTM_NEWNSID as a program: one step (no lock the model tracks). */
export const NETNS_SET_ID: Program = {
  name: "netns-set-id",
  start: (state, step) => {
    const { caller, request } = step as { caller: Caller; request: NetnsSetIdRequest };
    const proc = newProc("netns-set-id", step, null);
    const r = newId(state, caller, request);
    return done(r.state, proc, r.reply);
  },
  resume: () => {
    throw new TypeError("netns-set-id runs in one step");
  },
};
