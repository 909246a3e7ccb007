/**
 * The operation catalogue of scenario steps: for each operation, the family it belongs to, the
 * attributes its request may carry (ynl attribute sets, with dashed names and enums by name),
 * the shape of its reply, and the symbols it can define. The parser, the JSON schema and the
 * adapters all read this one table.
 *
 * Attribute sets follow the YNL specs (ynl-specs.md): netdev `queue`, `queue-id`, `lease`,
 * `dmabuf`; rt-link link attributes and netkit `linkinfo.data`; ethtool `channels`. Actions
 * that are not netlink requests (`link-set`, `netns-move`, ...) have small shapes of their own.
 *
 * @module
 */

import type { OpName } from "./format.ts";

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

const U8 = { type: "int", min: 0, max: 0xff } as const;
const U16 = { type: "int", min: 0, max: 0xffff } as const;
const U32 = { type: "int", min: 0, max: 0xffffffff } as const;
const S32 = { type: "int", min: -0x80000000, max: 0x7fffffff } as const;
const IFINDEX = { type: "int", min: 0, max: 0xffffffff, ref: "device" } as const;
const STRING = { type: "string" } as const;
const QUEUE_TYPE = { type: "int", min: 0, max: 0xffffffff, enum: ["rx", "tx"] } as const;

function intEnum(names: readonly string[]): AttrSpec {
  return { type: "int", min: 0, max: 0xffffffff, enum: names };
}

/** netdev `queue-id` set: the queue nest of a lease and of bind-rx. */
export const QUEUE_ID_SET: AttrSet = {
  name: "queue-id",
  attrs: { id: U32, type: QUEUE_TYPE },
  raw: true,
};

/** netdev `lease` set (new in 7.1). */
export const LEASE_SET: AttrSet = {
  name: "lease",
  attrs: {
    ifindex: IFINDEX,
    queue: { type: "nest", set: QUEUE_ID_SET },
    "netns-id": S32,
  },
  raw: true,
};

/** netdev `io-uring-provider-info` (empty in 7.1, `rx-buf-len` in 7.2). */
export const IO_URING_SET: AttrSet = {
  name: "io-uring-provider-info",
  attrs: { "rx-buf-len": U32 },
  raw: true,
};

/** netdev `xsk-info` (always empty). */
export const XSK_SET: AttrSet = { name: "xsk-info", attrs: {}, raw: true };

/** netdev `queue` set: queue-create and queue-get requests and replies. */
export const QUEUE_SET: AttrSet = {
  name: "queue",
  attrs: {
    id: U32,
    ifindex: IFINDEX,
    type: QUEUE_TYPE,
    "napi-id": U32,
    dmabuf: U32,
    "io-uring": { type: "nest", set: IO_URING_SET },
    xsk: { type: "nest", set: XSK_SET },
    lease: { type: "nest", set: LEASE_SET },
  },
  raw: true,
};

/** netdev `dmabuf` set: bind-rx request and reply. */
export const DMABUF_SET: AttrSet = {
  name: "dmabuf",
  attrs: {
    ifindex: IFINDEX,
    queues: { type: "nest-list", set: QUEUE_ID_SET },
    fd: U32,
    id: U32,
  },
  raw: true,
};

/** netkit peer-info: the peer's ifinfomsg attributes (an object here; binary on the wire). */
export const PEER_INFO_SET: AttrSet = {
  name: "netkit-peer-info",
  attrs: {
    ifname: STRING,
    address: STRING,
    "num-rx-queues": U32,
    "num-tx-queues": U32,
    "net-ns": { type: "netns" },
  },
  raw: false,
};

/** rt-link `linkinfo-netkit-attrs` (`linkinfo.data` of kind netkit). */
export const NETKIT_DATA_SET: AttrSet = {
  name: "linkinfo-netkit-attrs",
  attrs: {
    "peer-info": { type: "nest", set: PEER_INFO_SET },
    primary: U8,
    policy: intEnum(["forward", "blackhole"]),
    "peer-policy": intEnum(["forward", "blackhole"]),
    mode: intEnum(["l2", "l3"]),
    scrub: intEnum(["none", "default"]),
    "peer-scrub": intEnum(["none", "default"]),
    headroom: U16,
    tailroom: U16,
    pairing: intEnum(["pair", "single"]),
  },
  raw: false,
};

/** rt-link `linkinfo-attrs` (`kind`, and `data` for kind netkit). */
export const LINKINFO_SET: AttrSet = {
  name: "linkinfo-attrs",
  attrs: { kind: STRING, data: { type: "nest", set: NETKIT_DATA_SET } },
  raw: false,
};

/** rt-link NEWLINK request: the link attributes scenarios use, plus the header's `ifi-index`. */
export const NEWLINK_SET: AttrSet = {
  name: "link-attrs",
  attrs: {
    "ifi-index": IFINDEX,
    ifname: STRING,
    address: STRING,
    mtu: U32,
    "num-rx-queues": U32,
    "num-tx-queues": U32,
    linkinfo: { type: "nest", set: LINKINFO_SET },
  },
  raw: false,
};

/** rt-link GETLINK / DELLINK request. */
export const LINK_ID_SET: AttrSet = {
  name: "link-attrs",
  attrs: { "ifi-index": IFINDEX, ifname: STRING },
  raw: false,
};

/** rt-link GETLINK reply: the attributes scenarios compare (use `reply-subset`). */
export const GETLINK_REPLY_SET: AttrSet = {
  name: "link-attrs",
  attrs: {
    "ifi-family": U8,
    "ifi-type": U16,
    "ifi-index": IFINDEX,
    "ifi-flags": { type: "string" },
    ifname: STRING,
    address: STRING,
    mtu: U32,
    link: IFINDEX,
    "link-netnsid": S32,
    operstate: STRING,
    carrier: U8,
    "num-rx-queues": U32,
    "num-tx-queues": U32,
    linkinfo: { type: "nest", set: LINKINFO_SET },
  },
  raw: false,
};

/** ethtool `header` nest. */
export const ETHTOOL_HEADER_SET: AttrSet = {
  name: "header",
  attrs: { "dev-index": IFINDEX, "dev-name": STRING, flags: U32 },
  raw: false,
};

/** ethtool `channels` set (channels-set request). */
export const CHANNELS_SET: AttrSet = {
  name: "channels",
  attrs: {
    header: { type: "nest", set: ETHTOOL_HEADER_SET },
    "rx-count": U32,
    "tx-count": U32,
    "other-count": U32,
    "combined-count": U32,
  },
  raw: false,
};

const EMPTY_SET: AttrSet = { name: "ack", attrs: {}, raw: false };

/** One operation of the catalogue. */
export interface OpSpec {
  /** Scenario name. */
  readonly name: OpName;
  /** Family or tool: `netdev`, `rt-link`, `ethtool` (ynl), or `ip`, `sysfs`, `io_uring`, `af_xdp`. */
  readonly family: string;
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

/** The catalogue, keyed by scenario operation name. */
export const OPERATIONS: Readonly<Record<OpName, OpSpec>> = {
  "queue-create": {
    name: "queue-create",
    family: "netdev",
    doc: "netdev queue-create (do): lease a physical rx queue into a virtual device",
    request: QUEUE_SET,
    reply: QUEUE_SET,
    dump: false,
    defines: [],
  },
  "queue-get": {
    name: "queue-get",
    family: "netdev",
    doc: "netdev queue-get (do, or dump with `dump: true`)",
    request: QUEUE_SET,
    reply: QUEUE_SET,
    dump: true,
    defines: [],
  },
  "bind-rx": {
    name: "bind-rx",
    family: "netdev",
    doc: "netdev bind-rx (devmem dmabuf binding); the binding lives until `close`",
    request: DMABUF_SET,
    reply: DMABUF_SET,
    dump: false,
    defines: ["binding"],
  },
  newlink: {
    name: "newlink",
    family: "rt-link",
    doc: "rt-link NEWLINK: creates a device (CREATE|EXCL), or changes the one `ifi-index` names",
    request: NEWLINK_SET,
    reply: null,
    dump: false,
    defines: ["device", "peer"],
  },
  getlink: {
    name: "getlink",
    family: "rt-link",
    doc: "rt-link GETLINK (do)",
    request: LINK_ID_SET,
    reply: GETLINK_REPLY_SET,
    dump: false,
    defines: [],
  },
  dellink: {
    name: "dellink",
    family: "rt-link",
    doc: "rt-link DELLINK (`ip link del`)",
    request: LINK_ID_SET,
    reply: null,
    dump: false,
    defines: [],
  },
  "channels-set": {
    name: "channels-set",
    family: "ethtool",
    doc: "ethtool channels-set (`ethtool -L DEV combined N`)",
    request: CHANNELS_SET,
    reply: null,
    dump: false,
    defines: [],
  },
  "link-set": {
    name: "link-set",
    family: "ip",
    doc: "`ip link set DEV up|down`",
    request: {
      name: "link-set",
      attrs: { ifindex: IFINDEX, up: { type: "bool" } },
      raw: false,
      required: ["ifindex", "up"],
    },
    reply: null,
    dump: false,
    defines: [],
  },
  "netns-move": {
    name: "netns-move",
    family: "ip",
    doc: "`ip link set DEV netns NS`",
    request: {
      name: "netns-move",
      attrs: { ifindex: IFINDEX, netns: { type: "netns" } },
      raw: false,
      required: ["ifindex", "netns"],
    },
    reply: null,
    dump: false,
    defines: [],
  },
  "phys-remove": {
    name: "phys-remove",
    family: "sysfs",
    doc: "removal of a physical device by its driver (netdevsim `del_device`, PCI unbind)",
    request: {
      name: "phys-remove",
      attrs: { ifindex: IFINDEX },
      raw: false,
      required: ["ifindex"],
    },
    reply: null,
    dump: false,
    defines: [],
  },
  "netns-delete": {
    name: "netns-delete",
    family: "ip",
    doc: "`ip netns del NS`",
    request: {
      name: "netns-delete",
      attrs: { netns: { type: "netns" } },
      raw: false,
      required: ["netns"],
    },
    reply: null,
    dump: false,
    defines: [],
  },
  "zcrx-register": {
    name: "zcrx-register",
    family: "io_uring",
    doc: "io_uring IORING_REGISTER_ZCRX_IFQ on ifindex + rx queue; lives until `close`",
    request: {
      name: "zcrx-register",
      attrs: { ifindex: IFINDEX, "queue-id": U32 },
      raw: false,
      required: ["ifindex", "queue-id"],
    },
    reply: null,
    dump: false,
    defines: ["binding"],
  },
  "xsk-bind": {
    name: "xsk-bind",
    family: "af_xdp",
    doc: "AF_XDP socket bind to ifindex + queue id (mode: copy, zerocopy, or try zero-copy)",
    request: {
      name: "xsk-bind",
      attrs: {
        ifindex: IFINDEX,
        "queue-id": U32,
        mode: { type: "string", enum: ["copy", "zerocopy"] },
      },
      raw: false,
      required: ["ifindex", "queue-id"],
    },
    reply: { name: "xsk-bind-reply", attrs: { "zero-copy": { type: "bool" } }, raw: false },
    dump: false,
    defines: ["binding"],
  },
  close: {
    name: "close",
    family: "socket",
    doc: "close an io_uring ifq, a dmabuf binding's netlink socket or an AF_XDP socket",
    request: {
      name: "close",
      attrs: { binding: { type: "int", min: 0, max: 0xffffffff, ref: "binding" } },
      raw: false,
      required: ["binding"],
    },
    reply: null,
    dump: false,
    defines: [],
  },
};

/** Operation names in catalogue order. */
export const OP_NAMES: readonly OpName[] = Object.keys(OPERATIONS) as OpName[];

/** The reply set used when an operation only acknowledges. */
export const ACK_SET: AttrSet = EMPTY_SET;
