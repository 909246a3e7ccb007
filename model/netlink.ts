/**
 * Strict generic-netlink attribute validation (lib/nlattr.c under `NL_VALIDATE_STRICT`) over
 * requests in ynl JSON shape (dashed names, enum values by name or number, nests as objects).
 *
 * Attributes are validated in the order of the request's keys, which is the order ynl encodes
 * them, depth first into nests; the first failure wins (QC-00c). A key `attr-<n>` stands for a
 * raw attribute of type `n`, so requests can carry types ynl has no name for.
 *
 * @module
 */

import { failure, type OpFailure } from "./errors.ts";

/** Policy of one attribute. */
export type AttrPolicy =
  | {
    /** Unsigned 32-bit integer with optional range; `enumValues` maps ynl names to values. */
    readonly type: "u32";
    /** Minimum (inclusive). */
    readonly min?: number;
    /** Maximum (inclusive). */
    readonly max?: number;
    /** ynl enum names accepted in place of numbers. */
    readonly enumValues?: Readonly<Record<string, number>>;
  }
  | {
    /** Signed 32-bit integer. */
    readonly type: "s32";
    /** Minimum (inclusive). */
    readonly min?: number;
  }
  | {
    /** A nest validated against another policy. */
    readonly type: "nest";
    /** The nested policy. */
    readonly policy: NestPolicy;
  };

/** A policy table: the attribute set's numbering, `maxattr`, and the entries that exist. */
export interface NestPolicy {
  /** Every attribute name of the set and its number. */
  readonly numbers: Readonly<Record<string, number>>;
  /** Highest attribute type the policy array covers. */
  readonly maxattr: number;
  /** Entries of the policy array; a type <= maxattr without an entry is NLA_UNSPEC. */
  readonly entries: Readonly<Record<string, AttrPolicy>>;
}

/** ynl enum `netkit-mode`. */
export const NETKIT_MODE: Readonly<Record<string, number>> = { l2: 0, l3: 1 };
/** ynl enum `netkit-policy` (only forward/blackhole are valid link policies). */
export const NETKIT_POLICY: Readonly<Record<string, number>> = { forward: 0, blackhole: 2 };
/** ynl enum `netkit-scrub`. */
export const NETKIT_SCRUB: Readonly<Record<string, number>> = { none: 0, default: 1 };
/** ynl enum `netkit-pairing`. */
export const NETKIT_PAIRING: Readonly<Record<string, number>> = { pair: 0, single: 1 };

/** Bad-attribute path prefix of netkit link-info data (ynl-specs.md §2.1). */
export const DATA_PATH = ".linkinfo.data(netkit)";

/** The netdev `queue-type` enum. */
export const QUEUE_TYPE: Readonly<Record<string, number>> = { rx: 0, tx: 1 };

/** The netdev `queue` attribute set (ynl-specs.md §1.2). */
export const QUEUE_ATTRS: Readonly<Record<string, number>> = {
  id: 1,
  ifindex: 2,
  type: 3,
  "napi-id": 4,
  dmabuf: 5,
  "io-uring": 6,
  xsk: 7,
  lease: 8,
};

/** The queue-id nest policy (`id`, `type`; numbering of the `queue` set, maxattr `type`). */
export const QUEUE_ID_POLICY: NestPolicy = {
  numbers: QUEUE_ATTRS,
  maxattr: 3,
  entries: {
    id: { type: "u32" },
    type: { type: "u32", max: 1, enumValues: QUEUE_TYPE },
  },
};

/** The lease nest policy (ynl-specs.md §1.4). */
export const LEASE_POLICY: NestPolicy = {
  numbers: { ifindex: 1, queue: 2, "netns-id": 3 },
  maxattr: 3,
  entries: {
    ifindex: { type: "u32", min: 1 },
    queue: { type: "nest", policy: QUEUE_ID_POLICY },
    "netns-id": { type: "s32", min: 0 },
  },
};

/** `queue-create` request policy (QC-00c): maxattr `lease` (8). */
export const QUEUE_CREATE_POLICY: NestPolicy = {
  numbers: QUEUE_ATTRS,
  maxattr: 8,
  entries: {
    ifindex: { type: "u32", min: 1 },
    type: { type: "u32", max: 1, enumValues: QUEUE_TYPE },
    lease: { type: "nest", policy: LEASE_POLICY },
  },
};

/** The netdev `dmabuf` attribute set (bind-rx, bind-tx; `rx-page-size` is new in 7.3). */
export const DMABUF_ATTRS: Readonly<Record<string, number>> = {
  ifindex: 1,
  queues: 2,
  fd: 3,
  id: 4,
  "rx-page-size": 5,
};

/**
 * `bind-rx` request policy before 7.3 (`netdev_bind_rx_nl_policy`, maxattr `fd` (3): DM-12);
 * `queues` is a multi-attribute nest of the queue-id policy.
 */
export const BIND_RX_POLICY: NestPolicy = {
  numbers: DMABUF_ATTRS,
  maxattr: 3,
  entries: {
    ifindex: { type: "u32", min: 1 },
    queues: { type: "nest", policy: QUEUE_ID_POLICY },
    fd: { type: "u32" },
  },
};

/** PAGE_SIZE of the modelled machines (x86-64). */
export const PAGE_SIZE = 4096;

/** `bind-rx` request policy from 7.3: maxattr `rx-page-size` (5), at least PAGE_SIZE (DM-11). */
export const BIND_RX_POLICY_7_3: NestPolicy = {
  ...BIND_RX_POLICY,
  maxattr: 5,
  entries: { ...BIND_RX_POLICY.entries, "rx-page-size": { type: "u32", min: PAGE_SIZE } },
};

/** `bind-tx` request policy (`netdev_bind_tx_nl_policy`): maxattr `fd` (3), no `queues`. */
export const BIND_TX_POLICY: NestPolicy = {
  numbers: DMABUF_ATTRS,
  maxattr: 3,
  entries: { ifindex: { type: "u32", min: 1 }, fd: { type: "u32" } },
};

/** `queue-get` do request policy (QG-02): maxattr `type` (3). */
export const QUEUE_GET_DO_POLICY: NestPolicy = {
  numbers: QUEUE_ATTRS,
  maxattr: 3,
  entries: {
    id: { type: "u32" },
    ifindex: { type: "u32", min: 1 },
    type: { type: "u32", max: 1, enumValues: QUEUE_TYPE },
  },
};

/** `queue-get` dump request policy (QG-D1): maxattr `ifindex` (2). */
export const QUEUE_GET_DUMP_POLICY: NestPolicy = {
  numbers: QUEUE_ATTRS,
  maxattr: 2,
  entries: { ifindex: { type: "u32", min: 1 } },
};

/** Thrown for a request ynl could not even encode (wrong JSON type, unknown name). */
export class RequestShapeError extends TypeError {
  /** Stable error code. */
  readonly code = "LCM002";
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RequestShapeError";
  }
}

function attrNumber(name: string, policy: NestPolicy, path: string): number {
  const raw = /^attr-(\d+)$/.exec(name);
  if (raw) return Number(raw[1]);
  const n = policy.numbers[name];
  if (n === undefined) {
    throw new RequestShapeError(`Cannot encode attribute "${path}": not in the attribute set`);
  }
  return n;
}

/**
 * The value of attribute `name` of `request`, given by name or raw (`attr-<n>`, its number in
 * `numbers`), or undefined.
 *
 * @example Usage
 * ```ts
 * import { DMABUF_ATTRS, rawOr } from "./netlink.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rawOr({ "attr-5": 8192 }, "rx-page-size", DMABUF_ATTRS), 8192);
 * ```
 */
export function rawOr(
  request: object,
  name: string,
  numbers: Readonly<Record<string, number>>,
): unknown {
  const r = request as Record<string, unknown>;
  return r[name] ?? r[`attr-${numbers[name]}`];
}

/**
 * The numeric value of an integer attribute (enum names resolved), or a {@linkcode
 * RequestShapeError} when ynl could not encode it.
 */
export function intValue(
  value: unknown,
  path: string,
  enumValues?: Readonly<Record<string, number>>,
): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && enumValues && enumValues[value] !== undefined) {
    return enumValues[value];
  }
  throw new RequestShapeError(`Cannot encode attribute "${path}": ${JSON.stringify(value)}`);
}

/**
 * Validates `request` against `policy` like `__nla_validate_parse` with `NL_VALIDATE_STRICT`;
 * returns the first failure or undefined.
 *
 * @example Usage
 * ```ts
 * import { QUEUE_CREATE_POLICY, validateStrict } from "./netlink.ts";
 * import assert from "node:assert/strict";
 * const f = validateStrict({ ifindex: 0 }, QUEUE_CREATE_POLICY);
 * assert.equal(f?.extack, "integer out of range");
 * ```
 */
export function validateStrict(
  request: Readonly<Record<string, unknown>>,
  policy: NestPolicy,
  path = "",
): OpFailure | undefined {
  for (const [name, value] of Object.entries(request)) {
    if (value === undefined) continue;
    const at = `${path}.${name}`;
    const type = attrNumber(name, policy, at);
    if (type === 0 || type > policy.maxattr) {
      return failure("EINVAL", { extack: "Unknown attribute type", badAttr: at });
    }
    // A raw `attr-<n>` is the set's attribute of that number when it has one.
    const known = Object.keys(policy.numbers).find((k) => policy.numbers[k] === type);
    const entry = policy.entries[known ?? name];
    if (entry === undefined) {
      return failure("EINVAL", { extack: "Unsupported attribute", badAttr: at });
    }
    if (entry.type === "nest") {
      // A multi-attribute nest (ynl's list of objects, e.g. bind-rx `queues`) is each element.
      for (const item of Array.isArray(value) ? value : [value]) {
        if (typeof item !== "object" || item === null || Array.isArray(item)) {
          throw new RequestShapeError(`Cannot encode attribute "${at}": expected a nest`);
        }
        const inner = validateStrict(item as Record<string, unknown>, entry.policy, at);
        if (inner) return inner;
      }
      continue;
    }
    const n = intValue(value, at, entry.type === "u32" ? entry.enumValues : undefined);
    const max = entry.type === "u32" ? entry.max : undefined;
    const lo = entry.min ?? (entry.type === "u32" ? 0 : -0x80000000);
    const hi = max ?? (entry.type === "u32" ? 0xffffffff : 0x7fffffff);
    if (n < lo || n > hi) {
      // lib/nlattr.c nla_validate_range_unsigned/_signed: "integer out of range" with -ERANGE.
      // operations.md (QC-00c) says -EINVAL; the 7.2.13 kernel answers -ERANGE (certified in a
      // VM), and the code has returned -ERANGE since range checks were added to the policy core.
      return failure("ERANGE", { extack: "integer out of range", badAttr: at });
    }
  }
  return undefined;
}
