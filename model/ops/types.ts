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
