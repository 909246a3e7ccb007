/**
 * Replies of modelled operations: success with a ynl-shaped reply, or a netlink error with the
 * errno (name and positive value; the kernel returns its negation) and the extack fields ynl
 * decodes (`msg`, `bad-attr`, `miss-type`, `miss-nest`), as described in ynl-specs.md §2.1.
 *
 * @module
 */

/** errno values used by the operations (Linux asm-generic/errno*.h). */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ENXIO: 6,
  EBADF: 9,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ERANGE: 34,
  EDEADLK: 35,
  ENONET: 64,
  EMSGSIZE: 90,
  EOPNOTSUPP: 95,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENOTCONN: 107,
} as const;

/** An errno name known to the model. */
export type ErrnoName = keyof typeof ERRNO;

/** A successful operation and its reply. */
export interface OpSuccess<R> {
  /** Discriminant. */
  readonly ok: true;
  /** The reply in ynl JSON shape. */
  readonly reply: R;
}

/** A failed operation: the netlink error and the extack fields. */
export interface OpFailure {
  /** Discriminant. */
  readonly ok: false;
  /** errno name, e.g. `"EINVAL"`. */
  readonly errno: ErrnoName;
  /** Positive errno value, e.g. 22 (the netlink error is its negation). */
  readonly errnoValue: number;
  /** The extack message (`msg`), when the kernel sets one. */
  readonly extack?: string;
  /** The bad attribute as a dotted path from the request root, e.g. `.lease.queue.id`. */
  readonly badAttr?: string;
  /** The missing attribute's name (`miss-type`). */
  readonly missType?: string;
  /** The nest the missing attribute belongs in, as a dotted path (`miss-nest`), e.g. `.lease`. */
  readonly missNest?: string;
}

/** The outcome of an operation. */
export type OpReply<R> = OpSuccess<R> | OpFailure;

/** The optional extack fields of a failure. */
export interface FailureDetails {
  /** See {@linkcode OpFailure.extack}. */
  readonly extack?: string;
  /** See {@linkcode OpFailure.badAttr}. */
  readonly badAttr?: string;
  /** See {@linkcode OpFailure.missType}. */
  readonly missType?: string;
  /** See {@linkcode OpFailure.missNest}. */
  readonly missNest?: string;
}

/**
 * Builds a failure; only the extack fields that are given appear in the object.
 *
 * @example Usage
 * ```ts
 * import { failure } from "./errors.ts";
 * import assert from "node:assert/strict";
 * const f = failure("EBUSY", { extack: "Device queue in use due to queue leasing" });
 * assert.equal(f.errnoValue, 16);
 * ```
 */
export function failure(errno: ErrnoName, details: FailureDetails = {}): OpFailure {
  const out: {
    ok: false;
    errno: ErrnoName;
    errnoValue: number;
    extack?: string;
    badAttr?: string;
    missType?: string;
    missNest?: string;
  } = { ok: false, errno, errnoValue: ERRNO[errno] };
  if (details.extack !== undefined) out.extack = details.extack;
  if (details.badAttr !== undefined) out.badAttr = details.badAttr;
  if (details.missType !== undefined) out.missType = details.missType;
  if (details.missNest !== undefined) out.missNest = details.missNest;
  return out;
}

/**
 * Builds a success.
 *
 * @example Usage
 * ```ts
 * import { success } from "./errors.ts";
 * import assert from "node:assert/strict";
 * assert.ok(success({ id: 1 }).ok);
 * ```
 */
export function success<R>(reply: R): OpSuccess<R> {
  return { ok: true, reply };
}

/**
 * Renders a reply the way the ynl CLI prints an error (ynl-specs.md §2.1), or the reply as JSON.
 *
 * @example Usage
 * ```ts
 * import { failure, formatReply } from "./errors.ts";
 * formatReply(failure("ENODEV")); // "Netlink error: No such device"
 * ```
 */
export function formatReply(reply: OpReply<unknown>): string {
  if (reply.ok) return JSON.stringify(reply.reply);
  const fields: string[] = [];
  if (reply.badAttr !== undefined) fields.push(`'bad-attr': '${reply.badAttr}'`);
  if (reply.missType !== undefined) fields.push(`'miss-type': '${reply.missType}'`);
  if (reply.missNest !== undefined) fields.push(`'miss-nest': '${reply.missNest}'`);
  const head = reply.extack === undefined
    ? `Netlink error: ${STRERROR[reply.errno]}`
    : `Netlink error: ${reply.extack}: ${STRERROR[reply.errno]}`;
  return fields.length === 0 ? head : `${head} {${fields.join(", ")}}`;
}

/** `strerror` texts (glibc) for the errnos the model returns. */
export const STRERROR: Readonly<Record<ErrnoName, string>> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ENXIO: "No such device or address",
  EBADF: "Bad file descriptor",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  ENODEV: "No such device",
  EINVAL: "Invalid argument",
  ERANGE: "Numerical result out of range",
  EDEADLK: "Resource deadlock avoided",
  ENONET: "Machine is not on the network",
  EMSGSIZE: "Message too long",
  EOPNOTSUPP: "Operation not supported",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENETDOWN: "Network is down",
  ENOTCONN: "Transport endpoint is not connected",
};
