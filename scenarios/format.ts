/**
 * The typed form of a scenario file (see `README.md` beside this file for the YAML format).
 *
 * Names that come from the kernel keep their wire spelling inside requests and replies
 * (`"netns-id"`, `"ifi-index"`); the scenario structure itself is translated to camelCase here,
 * in exactly one place ({@linkcode parseScenario} does the translation).
 *
 * @module
 */

/** A JSON value as found in requests and replies. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object (a request, a reply, a nest). */
export type JsonObject = { readonly [key: string]: JsonValue };

/** Where something was written: 1-based line and column in the scenario file. */
export interface SourcePos {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A network namespace of the topology. */
export interface NamespaceDecl {
  /** The `ip netns` name; `init` is the initial namespace and always exists. */
  readonly name: string;
  /** Netns ids this namespace assigns up front (`ip -n NAME netns set PEER ID`): peer → id. */
  readonly nsids: Readonly<Record<string, number>>;
  /** Where it was declared. */
  readonly pos: SourcePos;
}

/** Which real driver a physical device behaves like. */
export type PhysicalKind = "netdevsim" | "mlx5";

/** A physical device (a device with a parent: a netdevsim port or a NIC). */
export interface PhysicalDecl {
  /** Symbol (`$name` in requests) and interface name. */
  readonly name: string;
  /** Namespace it lives in. */
  readonly netns: string;
  /** Driver flavour: `netdevsim` (no DMA, no AF_XDP zero-copy) or `mlx5` (both). */
  readonly kind: PhysicalKind;
  /** Combined channels (rx = tx queues) at the start. */
  readonly queues: number;
  /** Maximum combined channels (default `queues`). */
  readonly maxChannels?: number;
  /** Brought up during setup (default true). */
  readonly up: boolean;
  /** Where it was declared. */
  readonly pos: SourcePos;
}

/** The peer of a pair created by a topology link. */
export interface PeerDecl {
  /** Symbol of the peer device. */
  readonly name: string;
  /** Namespace the peer is moved to after creation (default: the link's namespace). */
  readonly netns: string;
  /** Brought up during setup, after the move (default true). */
  readonly up: boolean;
}

/** A device created during setup with an rt-link NEWLINK request. */
export interface LinkDecl {
  /** Symbol of the created (primary) device. */
  readonly name: string;
  /** Namespace the request is sent from (the device is created there). */
  readonly netns: string;
  /** The rt-link NEWLINK request in ynl JSON shape (sent with NLM_F_CREATE | NLM_F_EXCL). */
  readonly request: JsonObject;
  /** Brought up during setup (default true). */
  readonly up: boolean;
  /** The implicitly created peer (pair mode), if it gets a symbol. */
  readonly peer?: PeerDecl;
  /** Where it was declared. */
  readonly pos: SourcePos;
}

/** Namespaces and devices that exist before the first step. */
export interface Topology {
  /** Namespaces, `init` first. */
  readonly namespaces: readonly NamespaceDecl[];
  /** Physical devices, created in order. */
  readonly physical: readonly PhysicalDecl[];
  /** Links created in order after the physical devices. */
  readonly links: readonly LinkDecl[];
}

/** The operation a step performs: a name of the operation catalogue (`spec/operations.json`). */
export type { OpName } from "../spec/operations.ts";
import type { OpName } from "../spec/operations.ts";

/** Expected error: the errno and the extack fields as ynl prints them. */
export interface ErrorExpectation {
  /** Discriminant. */
  readonly kind: "error";
  /** errno name, e.g. `"EBUSY"`. */
  readonly errno: string;
  /** The netlink error code as ynl prints it (`error: -16`): the negated errno value. */
  readonly code: number;
  /** Extack `msg`: a string to match, null for "no message", absent for "not checked". */
  readonly extack?: string | null;
  /** `bad-attr` path (`.lease.queue.id`); null for "none", absent for "not checked". */
  readonly badAttr?: string | null;
  /** `miss-type` (missing attribute name); null for "none", absent for "not checked". */
  readonly missType?: string | null;
  /** `miss-nest` (dotted path of the nest); null for "none", absent for "not checked". */
  readonly missNest?: string | null;
}

/** Expected success with a reply compared exactly or as a subset. */
export interface ReplyExpectation {
  /** Discriminant. */
  readonly kind: "reply";
  /** `exact`: equal up to key order; `subset`: every given key matches recursively. */
  readonly match: "exact" | "subset";
  /** The expected reply, `$symbols` unresolved. */
  readonly reply: JsonValue;
  /** Dotted paths that must exist in the reply (subset only), e.g. `napi-id`, `[1].lease`. */
  readonly present: readonly string[];
  /** Dotted paths that must not exist in the reply (subset only), e.g. `lease.netns-id`. */
  readonly absent: readonly string[];
}

/** Expected success, reply not checked. */
export interface OkExpectation {
  /** Discriminant. */
  readonly kind: "ok";
}

/** What a step expects. */
export type Expectation = OkExpectation | ReplyExpectation | ErrorExpectation;

/** Symbols a step defines from its result (created devices, bindings). */
export interface StepDefines {
  /** `newlink` (create): symbol of the created (primary) device. */
  readonly device?: string;
  /** `newlink` (create, pair): symbol of the peer. */
  readonly peer?: string;
  /** `bind-rx`, `bind-tx`, `zcrx-register`, `xsk-bind`: symbol of the binding, for `close`. */
  readonly binding?: string;
}

/** One step: an operation from a namespace, with its request and expectation. */
export interface Step {
  /** 0-based index in the file's `steps` list. */
  readonly index: number;
  /** Where the step starts. */
  readonly pos: SourcePos;
  /** The caller's namespace (default `init`). */
  readonly netns: string;
  /**
   * Whether the caller has CAP_NET_ADMIN in the initial user namespace (default true; false is
   * root inside a container's own user namespace, QC-00a).
   */
  readonly capNetAdmin: boolean;
  /** The operation. */
  readonly op: OpName;
  /** `queue-get` only: a dump instead of a do. */
  readonly dump: boolean;
  /** The request in ynl JSON shape, `$symbols` unresolved. */
  readonly request: JsonObject;
  /** The expectation (default: success, reply not checked). */
  readonly expect: Expectation;
  /** Symbols this step defines. */
  readonly defines: StepDefines;
  /** The thread the step belongs to (concurrent scenarios). */
  readonly thread?: string;
  /** A note for readers and reports. */
  readonly note?: string;
}

/**
 * One entry of a concurrent scenario's schedule: thread `thread` takes its next transition.
 * An entry without `label` completes the thread's current operation; an entry with a label
 * (`t1:lock-phys`) names an intermediate point of a stepped operation, which atomic adapters
 * skip (see `linearize`).
 */
export interface ScheduleEntry {
  /** The thread. */
  readonly thread: string;
  /** The intermediate point, for stepped execution. */
  readonly label?: string;
  /** Where it was written. */
  readonly pos: SourcePos;
}

/**
 * A race (`race:` in the file): the steps without a thread set the scene one after the other;
 * then every thread runs its steps at the same time as the others, as truly concurrently as the
 * implementation can (the kernel: one process and netlink socket per thread, released together),
 * `repetitions` times. The threads' steps carry no expectations: the model computes the set of
 * allowed outcomes (each thread's replies and the full observation after the race) by exploring
 * every interleaving, and each repetition's outcome must be one of them (`race.ts`).
 */
export interface RaceSpec {
  /** How many times the race is run (default 200). */
  readonly repetitions: number;
  /** Each thread waits a random 0 to `jitterUs` microseconds after the release (default 500). */
  readonly jitterUs: number;
  /** Where it was written. */
  readonly pos: SourcePos;
}

/** A parsed, validated scenario. */
export interface Scenario {
  /** The file name given to the parser (for messages and reports). */
  readonly file: string;
  /** Name, e.g. `nk_qlease_test_double_lease` (KTAP test name). */
  readonly name: string;
  /** What the scenario shows. */
  readonly description: string;
  /** Spec fact ids the scenario covers (`QC-22`, `NK-QC-3`). */
  readonly facts: readonly string[];
  /**
   * The kernel versions the expectations hold on, as a version range (spec/README.md: `">=7.2"`,
   * `"7.3"` for the 7.3 series, `">=7.1 <7.1.5"`). An implementation that states its kernel
   * version (`OpenedAdapter.kernelVersion`) outside the range skips the scenario.
   */
  readonly kernel: string;
  /** Where the case comes from (selftest file and test, or spec section). */
  readonly source?: string;
  /** Namespaces and devices before the first step. */
  readonly topology: Topology;
  /** The steps in file order. */
  readonly steps: readonly Step[];
  /** Concurrent scenarios: the interleaving of the threads' steps. */
  readonly schedule?: readonly ScheduleEntry[];
  /** Races: the threads run concurrently, repeatedly, checked against allowed outcomes. */
  readonly race?: RaceSpec;
}
