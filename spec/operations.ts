/**
 * The operation catalogue (`spec/operations.json`): one name per kernel operation — the ynl or
 * `ip` name users know — with its family, how it reaches the kernel, its request and reply
 * attribute sets (YNL shapes: dashed names, enums by name) and the symbols it can define. The
 * model names its operations with these names, the scenario format and parser read the
 * attribute sets, the process protocol lists them, and the kernel agent reads the same JSON.
 *
 * @module
 */

import catalogue from "./operations.json" with { type: "json" };

/** What a symbol names. */
export type SymbolKind = "device" | "binding";

/** The shape of one attribute value. */
export type AttrSpec =
  | {
    /** An integer (or, for `enum`, one of the names or any integer in range). */
    readonly type: "int";
    /** Smallest value ynl can encode. */
    readonly min: number;
    /** Largest value ynl can encode. */
    readonly max: number;
    /** Enum names accepted in place of numbers. */
    readonly enum?: readonly string[];
    /** The attribute may be written as `$symbol` of this kind (resolved at replay time). */
    readonly ref?: SymbolKind;
  }
  | {
    /** A string, optionally one of `enum`. */
    readonly type: "string";
    /** Allowed values. */
    readonly enum?: readonly string[];
  }
  | {
    /** A boolean. */
    readonly type: "bool";
  }
  | {
    /** A set of flags, as ynl prints one: a list of their names (`[up, broadcast]`). */
    readonly type: "flags";
    /** The flag names. */
    readonly names: readonly string[];
  }
  | {
    /** The name of a namespace declared in the topology. */
    readonly type: "netns";
  }
  | {
    /** A nested attribute set (an object). */
    readonly type: "nest";
    /** The nested set. */
    readonly set: AttrSet;
  }
  | {
    /** A multi-attr nest (a list of objects). */
    readonly type: "nest-list";
    /** The set of each element. */
    readonly set: AttrSet;
  };

/** An attribute set: the names a nest may use. */
export interface AttrSet {
  /** The set's name (for messages and the schema). */
  readonly name: string;
  /** Attributes by name. */
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /**
   * Whether raw attributes `attr-<type>` (integer value) are allowed, to send types ynl has no
   * name for (strict-validation paths, QC-00c). Only for strictly validated netdev sets.
   */
  readonly raw: boolean;
  /** Keys a request must carry (only for actions outside netlink; netlink leaves it to the kernel). */
  readonly required?: readonly string[];
}

/** How an operation reaches the kernel through ynl (absent for actions outside netlink). */
export interface YnlOp {
  /** The YNL family (`netdev`, `rt-link`, `ethtool`). */
  readonly family: string;
  /** The op's name for a do request. */
  readonly do: string;
  /** The op's name for a dump request, when it has one. */
  readonly dump?: string;
}

/** The operation names, one per kernel operation. */
export type OpName =
  | "queue-create"
  | "queue-get"
  | "bind-rx"
  | "bind-tx"
  | "newlink"
  | "getlink"
  | "dellink"
  | "channels-set"
  | "link-set"
  | "netns-move"
  | "phys-remove"
  | "netns-delete"
  | "netns-set-id"
  | "zcrx-register"
  | "xsk-bind"
  | "close";

/** One operation of the catalogue. */
export interface OpSpec {
  /** The operation's name. */
  readonly name: OpName;
  /** Family or tool: `netdev`, `rt-link`, `ethtool` (ynl), or `ip`, `sysfs`, `io_uring`, `af_xdp`. */
  readonly family: string;
  /** The ynl request, for netlink operations. */
  readonly ynl?: YnlOp;
  /** The command or system call, for operations outside netlink. */
  readonly tool?: string;
  /** The kernel function the operation enters (and its file). */
  readonly kernel: string;
  /** What it does, for the README and the schema. */
  readonly doc: string;
  /** Request attributes. */
  readonly request: AttrSet;
  /** Reply shape (a do), or null for an acknowledgement without payload. */
  readonly reply: AttrSet | null;
  /** Whether `dump: true` is allowed (the reply is then a list of `reply`). */
  readonly dump: boolean;
  /** Symbols the step can define. */
  readonly defines: readonly ("device" | "peer" | "binding")[];
}

type RawSpec = { readonly type: string; readonly set?: string } & Record<string, unknown>;
type RawSet = {
  readonly attrs: Readonly<Record<string, RawSpec>>;
  readonly raw: boolean;
  readonly required?: readonly string[];
};

function buildSets(raw: Readonly<Record<string, RawSet>>): ReadonlyMap<string, AttrSet> {
  const sets = new Map<string, AttrSet>();
  const resolve = (name: string, seen: readonly string[]): AttrSet => {
    const done = sets.get(name);
    if (done !== undefined) return done;
    const r = raw[name];
    if (r === undefined) {
      throw new TypeError(`spec/operations.json: unknown attribute set "${name}"`);
    }
    if (seen.includes(name)) {
      throw new TypeError(`spec/operations.json: set "${name}" nests itself`);
    }
    const attrs: Record<string, AttrSpec> = {};
    for (const [key, spec] of Object.entries(r.attrs)) {
      attrs[key] = spec.type === "nest" || spec.type === "nest-list"
        ? { type: spec.type, set: resolve(spec.set!, [...seen, name]) }
        : spec as unknown as AttrSpec;
    }
    const set: AttrSet = r.required === undefined
      ? { name, attrs, raw: r.raw }
      : { name, attrs, raw: r.raw, required: r.required };
    sets.set(name, set);
    return set;
  };
  for (const name of Object.keys(raw)) resolve(name, []);
  return sets;
}

/** Every attribute set of the catalogue, by name. */
export const ATTR_SETS: ReadonlyMap<string, AttrSet> = buildSets(
  catalogue.sets as unknown as Readonly<Record<string, RawSet>>,
);

function set(name: string): AttrSet {
  const s = ATTR_SETS.get(name);
  if (s === undefined) throw new TypeError(`spec/operations.json: unknown attribute set "${name}"`);
  return s;
}

/**
 * The catalogue, keyed by operation name, in catalogue order.
 *
 * @example Usage
 * ```ts
 * import { OPERATIONS } from "./operations.ts";
 * import assert from "node:assert/strict";
 * assert.equal(OPERATIONS["queue-create"].ynl?.family, "netdev");
 * assert.ok("lease" in OPERATIONS["queue-create"].request.attrs);
 * ```
 */
export const OPERATIONS: Readonly<Record<OpName, OpSpec>> = Object.fromEntries(
  catalogue.operations.map((o) => {
    const op: OpSpec = {
      name: o.name as OpName,
      family: o.family,
      ...("ynl" in o && o.ynl !== undefined ? { ynl: o.ynl as YnlOp } : {}),
      ...("tool" in o && o.tool !== undefined ? { tool: o.tool as string } : {}),
      kernel: o.kernel,
      doc: o.doc,
      request: set(o.request),
      reply: o.reply === null ? null : set(o.reply),
      dump: o.dump,
      defines: o.defines as OpSpec["defines"],
    };
    return [o.name, op];
  }),
) as Record<OpName, OpSpec>;

/** Operation names in catalogue order. */
export const OP_NAMES: readonly OpName[] = Object.keys(OPERATIONS) as OpName[];
