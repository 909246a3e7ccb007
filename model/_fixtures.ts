/**
 * Shared topologies for the model's tests, shaped like the netdevsim selftest environment
 * (selftests.md §2.1). Private to model tests.
 *
 * @module
 */

import { type ModelConfig, SELFTEST_CONFIG } from "./config.ts";
import { initialState } from "./init.ts";
import type { OpReply } from "./errors.ts";
import type { ModelState } from "./state.ts";
import type { QueueCreateRequest } from "./ops/queue_create.ts";

/** Caller in `init`. */
export const INIT = { netns: 0 } as const;
/** Caller in `ns1` (the container; it names `init` as netns id 0). */
export const NS1 = { netns: 1 } as const;

/**
 * Default topology. Device indexes: 0 lo@init, 1 lo@ns1, 2 eth0@init (ifindex 2, netdevsim, 2
 * queues), 3 nk1@ns1 (pair peer = guest, ifindex 2), 4 nk0@init (pair primary = host, ifindex 3).
 */
export function selftestState(overrides: Partial<ModelConfig> = {}): ModelState {
  return initialState({ ...SELFTEST_CONFIG, ...overrides });
}

/**
 * Single-netkit topology: 0 lo@init, 1 lo@ns1, 2 eth0@init (ifindex 2), then `nks`@init
 * (single, ifindex 3, index 3). `driver` picks netdevsim or mlx5.
 */
export function singleState(
  driver: "netdevsim" | "mlx5" = "netdevsim",
  queues = 2,
  numRxQueues = 2,
): ModelState {
  return initialState({
    ...SELFTEST_CONFIG,
    physical: [{ name: "eth0", netns: "init", driver, queues }],
    netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues }],
  });
}

/** Lease request from the guest in ns1 on eth0 queue `q` through netns id 0 (selftest form). */
export function guestLease(q: number, ifindex = 2): QueueCreateRequest {
  return {
    ifindex,
    type: "rx",
    lease: { ifindex: 2, queue: { id: q, type: "rx" }, "netns-id": 0 },
  } as const;
}

/** Lease request in the same netns without netns-id. */
export function localLease(virt: number, phys: number, q: number): QueueCreateRequest {
  return { ifindex: virt, type: "rx", lease: { ifindex: phys, queue: { id: q, type: "rx" } } };
}

/** Returns the reply's value, or throws with the error when it failed. */
export function ok<R>(reply: OpReply<R>): R {
  if (!reply.ok) throw new Error(`expected success, got ${JSON.stringify(reply)}`);
  return reply.reply;
}
