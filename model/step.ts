/**
 * A step of the model: one request of one kernel operation, named as the operation catalogue
 * names it (`spec/operations.json`), with the caller and the request in ynl's JSON shape — the
 * same shape a scenario step carries once its symbols are resolved. {@linkcode applyStep} runs a
 * step atomically; it is the single entry point for replaying scenarios on the model.
 *
 * @module
 */

import type { OpName } from "../spec/operations.ts";
import type { ModelOptions } from "./mutants.ts";
import type { BindRxRequest } from "./ops/bind_rx.ts";
import type { BindTxRequest } from "./ops/bind_tx.ts";
import type { ChannelsSetRequest } from "./ops/channels_set.ts";
import type { CloseRequest } from "./ops/close.ts";
import type { DellinkRequest } from "./ops/dellink.ts";
import type { GetlinkRequest } from "./ops/getlink.ts";
import type { LinkSetRequest } from "./ops/link_set.ts";
import type { NewlinkRequest } from "./ops/newlink.ts";
import type { NetnsDeleteRequest } from "./ops/netns_delete.ts";
import type { NetnsMoveRequest } from "./ops/netns_move.ts";
import type { NetnsSetIdRequest } from "./ops/netns_set_id.ts";
import type { PhysRemoveRequest } from "./ops/phys_remove.ts";
import type { QueueCreateRequest } from "./ops/queue_create.ts";
import type { QueueGetDumpRequest, QueueGetRequest } from "./ops/queue_get.ts";
import type { Caller, OpResult } from "./ops/types.ts";
import type { XskBindRequest } from "./ops/xsk_bind.ts";
import type { ZcrxRegisterRequest } from "./ops/zcrx_register.ts";
import { runAtomic } from "./process.ts";
import { PROGRAMS } from "./programs.ts";
import type { ModelState } from "./state.ts";

/** What every step carries: the operation and who calls it. */
export interface StepBase<Op extends OpName, R> {
  /** The operation, by its catalogue name. */
  readonly op: Op;
  /** The calling task / netlink socket. */
  readonly caller: Caller;
  /** The request, in ynl's JSON shape. */
  readonly request: R;
}

/** One step of the model: the operation, the caller, and the request. */
export type ModelStep =
  | StepBase<"queue-create", QueueCreateRequest>
  | StepBase<"queue-get", QueueGetRequest | QueueGetDumpRequest> & {
    /** A dump (every queue of the caller's netns, or of one device) rather than a do. */
    readonly dump?: boolean;
  }
  | StepBase<"bind-rx", BindRxRequest>
  | StepBase<"bind-tx", BindTxRequest>
  | StepBase<"newlink", NewlinkRequest>
  | StepBase<"getlink", GetlinkRequest>
  | StepBase<"dellink", DellinkRequest>
  | StepBase<"channels-set", ChannelsSetRequest>
  | StepBase<"link-set", LinkSetRequest>
  | StepBase<"netns-move", NetnsMoveRequest>
  | StepBase<"phys-remove", PhysRemoveRequest>
  | StepBase<"netns-delete", NetnsDeleteRequest>
  | StepBase<"netns-set-id", NetnsSetIdRequest>
  | StepBase<"zcrx-register", ZcrxRegisterRequest>
  | StepBase<"xsk-bind", XskBindRequest>
  | StepBase<"close", CloseRequest>;

/**
 * Applies one step atomically and returns the new state and the reply.
 *
 * @example Usage
 * ```ts
 * import { applyStep } from "./step.ts";
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const r = applyStep(initialState(DEFAULT_CONFIG), {
 *   op: "link-set", caller: { netns: 0 }, request: { ifindex: 2, up: false },
 * });
 * assert.ok(r.reply.ok);
 * ```
 */
export function applyStep(
  state: ModelState,
  step: ModelStep,
  options?: ModelOptions,
): OpResult<unknown> {
  return runAtomic(state, step, PROGRAMS[step.op], options);
}

/**
 * Compact rendering of a step for traces: `queue-create @ns1 {"ifindex":2,...}`.
 *
 * @example Usage
 * ```ts
 * import { formatStep } from "./step.ts";
 * import assert from "node:assert/strict";
 * const text = formatStep({ op: "link-set", caller: { netns: 0 }, request: { ifindex: 2, up: true } });
 * assert.equal(text, 'link-set @ns0 {"ifindex":2,"up":true}');
 * ```
 */
export function formatStep(step: ModelStep): string {
  return `${step.op} ${formatRequest(step)}`;
}

/**
 * A step's caller and request without the operation name: `@ns1 {"ifindex":2,...}` (a dump is
 * marked `dump`).
 *
 * @example Usage
 * ```ts
 * import { formatRequest } from "./step.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   formatRequest({ op: "queue-get", caller: { netns: 1 }, dump: true, request: {} }),
 *   "@ns1 dump {}",
 * );
 * ```
 */
export function formatRequest(step: ModelStep): string {
  const dump = step.op === "queue-get" && step.dump ? "dump " : "";
  return `@ns${step.caller.netns} ${dump}${JSON.stringify(step.request)}`;
}
