/**
 * Attributes spec fact ids (shared/spec/operations.md) to one model transition: the check that
 * produced an error (by operation, errno and extack, as the operation files cite them), or the
 * success facts of the operation. Only ids the table below knows are attributed; an outcome it
 * does not know gets none.
 *
 * @module
 */

import type { OpReply } from "./errors.ts";
import { isChange } from "./ops/newlink.ts";
import type { ModelStep } from "./step.ts";
import type { OpName } from "../spec/operations.ts";
import { deviceByIfindex, deviceByLinkId, isPhysical, type ModelState } from "./state.ts";

/** queue-create errors by extack (QC-11..QC-24, NK-QC-1/2), from model/ops/queue_create.ts. */
const QUEUE_CREATE_EXTACK: Readonly<Record<string, string>> = {
  "Device is not a virtual device": "QC-11",
  "Device does not support queue creation": "QC-12",
  "Device must have at least one real queue": "QC-13",
  "Lease device is a virtual device": "QC-16",
  "Lease device has been removed from the system": "QC-17",
  "Lease device does not support queue management operations": "QC-18",
  "Device queue in use by AF_XDP": "QC-21",
  "Device queue in use due to queue leasing": "QC-22",
  "Device queue in use by memory provider": "QC-23",
  "Leasing queues from different devices not supported": "QC-24",
  "netkit can only lease against the peer device": "NK-QC-1",
  "netkit maximum queue limit reached": "NK-QC-2",
};

function queueCreateFacts(
  step: Extract<ModelStep, { op: "queue-create" }>,
  reply: OpReply<unknown>,
  before: ModelState,
): string[] {
  if (reply.ok) return ["QC-S1", "QC-S3", "NK-QC-3"];
  const byExtack = reply.extack === undefined ? undefined : QUEUE_CREATE_EXTACK[reply.extack];
  if (byExtack !== undefined) return [byExtack];
  switch (reply.errno) {
    case "EPERM":
      return ["QC-00a"];
    case "ENONET":
      return ["QC-14"];
    case "ERANGE":
      return ["QC-20"];
    case "ENODEV": {
      const ifindex = (step.request as { ifindex?: unknown }).ifindex;
      const virt = typeof ifindex === "number"
        ? deviceByIfindex(before, step.caller.netns, ifindex)
        : undefined;
      return [virt === undefined ? "QC-10" : "QC-15"];
    }
    case "EINVAL":
      if (reply.missNest === ".lease.queue") return ["QC-07"];
      if (reply.missNest === ".lease") return ["QC-04"];
      if (reply.missType !== undefined) return ["QC-01"];
      if (reply.badAttr === ".type") return ["QC-02"];
      if (reply.badAttr === ".lease.queue.type") return ["QC-08"];
      return [];
    default:
      return [];
  }
}

function bindFacts(step: ModelStep, reply: OpReply<unknown>, before: ModelState): string[] {
  switch (step.op) {
    case "zcrx-register":
      if (reply.ok) return ["IOU-4", "REF-3"];
      return reply.errno === "EOPNOTSUPP" ? ["IOU-3"] : reply.errno === "ENODEV" ? ["IOU-2"] : [];
    case "bind-rx":
      if (reply.ok) return ["DM-5"];
      if (reply.errno === "EOPNOTSUPP" && reply.extack === "Device doesn't support DMA") {
        return ["DM-4"];
      }
      return reply.errno === "ENODEV" ? ["DM-2"] : [];
    case "bind-tx":
      if (reply.ok) {
        const dev = deviceByIfindex(before, step.caller.netns, step.request.ifindex!);
        return dev !== undefined && before.devices[dev].kind === "netkit"
          ? ["DM-15", "DM-7b"]
          : ["DM-15"];
      }
      if (reply.errno === "ENODEV") return ["DM-14"];
      if (reply.extack === "Driver does not support netmem TX") return ["DM-8"];
      return reply.extack === "No DMA-capable device found for netmem TX" ? ["DM-7b"] : [];
    case "xsk-bind": {
      if (reply.ok) return ["XSK-4", "REF-4"];
      if (reply.errno !== "EBUSY") return reply.errno === "ENODEV" ? ["XSK-1"] : [];
      // XSK-2: the named device's own arrays already hold a pool; else XSK-3 (through a lease).
      const r = step.request;
      const dev = deviceByIfindex(before, step.caller.netns, r.ifindex);
      const own = dev === undefined ? undefined : before.devices[dev].rxq[r["queue-id"]]?.pool;
      return [own !== null && own !== undefined ? "XSK-2" : "XSK-3"];
    }
    default:
      return [];
  }
}

/**
 * Every fact id {@linkcode factsOf} can attribute, by operation: what an exploration's coverage
 * can reach at most. A result lists those of its enabled operations no transition reached
 * (`modelScope`'s `labels`); facts_of_test.ts keeps the list and `factsOf` in step.
 *
 * @example Usage
 * ```ts
 * import { LABELLED_FACTS } from "./facts_of.ts";
 * import assert from "node:assert/strict";
 * assert.ok(LABELLED_FACTS["queue-create"].includes("QC-20"));
 * ```
 */
export const LABELLED_FACTS: Readonly<Record<OpName, readonly string[]>> = {
  "queue-create": [
    "QC-00a",
    "QC-01",
    "QC-02",
    "QC-04",
    "QC-07",
    "QC-08",
    "QC-10",
    ...Object.values(QUEUE_CREATE_EXTACK),
    "QC-14",
    "QC-15",
    "QC-20",
    "QC-S1",
    "QC-S3",
    "NK-QC-3",
  ],
  "queue-get": ["QG-06", "QG-D1"],
  "bind-rx": ["DM-2", "DM-4", "DM-5"],
  "bind-tx": ["DM-7b", "DM-8", "DM-14", "DM-15"],
  newlink: ["NK-CHG-1", "NK-CHG-2", "NK-NEW-10", "NK-NEW-16", "NK-NEW-17"],
  getlink: ["NK-GET-6", "LINK-GET-1"],
  dellink: ["NK-DEL-1"],
  "channels-set": ["ETH-1", "ETH-3"],
  "link-set": ["FLAP-1"],
  "netns-move": ["NS-1", "NS-2", "NS-3"],
  "phys-remove": ["UNREG-1"],
  "netns-delete": ["NS-5"],
  "netns-set-id": ["NS-7"],
  "zcrx-register": ["IOU-2", "IOU-3", "IOU-4", "REF-3"],
  "xsk-bind": ["XSK-1", "XSK-2", "XSK-3", "XSK-4", "REF-4"],
  close: ["MP-C2"],
};

/**
 * The fact ids one transition exercises: `step` run in `before` with `reply`.
 *
 * @example Usage
 * ```ts
 * import { factsOf } from "./facts_of.ts";
 * import { failure } from "./errors.ts";
 * import { initialState } from "./init.ts";
 * import { DEFAULT_CONFIG } from "./config.ts";
 * const s = initialState(DEFAULT_CONFIG);
 * const step = {
 *   op: "queue-create" as const,
 *   caller: { netns: 1 },
 *   request: { ifindex: 2, type: "rx", lease: { ifindex: 2, queue: { id: 5, type: "rx" } } },
 * };
 * import assert from "node:assert/strict";
 * assert.equal(factsOf(step, failure("ERANGE"), s)[0], "QC-20");
 * ```
 */
export function factsOf(step: ModelStep, reply: OpReply<unknown>, before: ModelState): string[] {
  switch (step.op) {
    case "queue-create":
      return queueCreateFacts(step, reply, before);
    case "queue-get":
      return step.dump ? ["QG-D1"] : reply.ok ? ["QG-06"] : [];
    case "newlink": {
      if (isChange(step.request)) {
        if (reply.ok) return [];
        if (reply.errno === "EACCES") {
          return [reply.extack?.includes("only through the primary") ? "NK-CHG-1" : "NK-CHG-2"];
        }
        return [];
      }
      if (!reply.ok) return reply.errno === "EOPNOTSUPP" ? ["NK-NEW-10"] : [];
      const pairing = step.request.linkinfo.data?.pairing;
      return [pairing === "single" || pairing === 1 ? "NK-NEW-17" : "NK-NEW-16"];
    }
    case "getlink": {
      if (!reply.ok) return [];
      const dev = deviceByLinkId(before, step.caller.netns, step.request);
      return typeof dev === "number" && isPhysical(before.devices[dev]) ? ["LINK-GET-1"] : [
        "NK-GET-6",
      ];
    }
    case "dellink":
      return reply.ok ? ["NK-DEL-1"] : [];
    case "phys-remove":
      return reply.ok ? ["UNREG-1"] : [];
    case "netns-move": {
      if (!reply.ok) return [];
      // A stepped move completes in its last section: before it the device is still in the
      // caller's namespace, but marked moving (which hides it from lookups).
      const i = before.devices.findIndex((d) =>
        d.netns === step.caller.netns && d.ifindex === step.request.ifindex &&
        d.reg === "registered"
      );
      const dev = i < 0 ? undefined : i;
      if (dev === undefined) return ["NS-1"];
      return ["NS-1", isPhysical(before.devices[dev]) ? "NS-3" : "NS-2"];
    }
    case "link-set":
      return reply.ok ? ["FLAP-1"] : [];
    case "zcrx-register":
    case "bind-rx":
    case "bind-tx":
    case "xsk-bind":
      return bindFacts(step, reply, before);
    case "close":
      return reply.ok ? ["MP-C2"] : [];
    case "channels-set":
      if (reply.ok) return [];
      if (reply.errno === "EINVAL" && reply.extack?.startsWith("Device queue in use")) {
        return ["ETH-3"];
      }
      return reply.errno === "EOPNOTSUPP" ? ["ETH-1"] : [];
    case "netns-set-id":
      return ["NS-7"];
    case "netns-delete":
      return reply.ok ? ["NS-5"] : [];
    default:
      return [];
  }
}
