/**
 * Types shared by the operations: who calls, and what an operation returns.
 *
 * @module
 */

import type { OpReply } from "../errors.ts";
import type { ModelState, NetnsIndex } from "../state.ts";

/** The calling task / netlink socket. */
export interface Caller {
  /** The socket's network namespace: ifindexes and netns ids are resolved here. */
  readonly netns: NetnsIndex;
  /**
   * CAP_NET_ADMIN in the initial user namespace (QC-00a). Default true; false models a root
   * user inside a container user namespace.
   */
  readonly admin?: boolean;
}

/** An operation's outcome: the new state (unchanged on most errors) and the reply. */
export interface OpResult<R> {
  /** The state after the operation. */
  readonly state: ModelState;
  /** The reply or error the caller sees. */
  readonly reply: OpReply<R>;
}

/** An empty nest in a reply (`{}` in ynl output). */
export type EmptyNest = Record<string, never>;

/** The reply of an operation that creates a queue user (bind-rx, zcrx-register, xsk-bind). */
export interface BindingReply {
  /** Model slot of the new user (what `close` names). */
  readonly binding: number;
  /** bind-rx: the dmabuf binding id. */
  readonly id?: number;
  /** xsk-bind: whether zero-copy is active. */
  readonly "zero-copy"?: boolean;
}

/** An rt-link request naming a device by `ifi-index` (the ifinfomsg header) or `ifname`. */
export interface LinkIdRequest {
  /** ifindex in the caller's netns (`ifinfomsg.ifi_index`, used when > 0). */
  readonly "ifi-index"?: number;
  /** Interface name in the caller's netns (`IFLA_IFNAME`), used without an ifindex. */
  readonly ifname?: string;
}
