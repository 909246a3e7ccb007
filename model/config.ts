/**
 * Model configuration: the topology to start from (namespaces, netns ids, physical devices,
 * netkit devices), the bounds of exploration, which operations are enabled, and the mutant.
 *
 * @module
 */

import { OP_NAMES, type OpName } from "../spec/operations.ts";
import { type MutantId, MUTANTS } from "./mutants.ts";
import { validateKernel } from "./versions.ts";
import type { NetkitMode, NetkitPairing, PhysicalDriver } from "./state.ts";

/**
 * The operations the exploration can enable, by their catalogue names (`spec/operations.json`).
 * Every catalogue operation is one, GETLINK included.
 */
export const OPERATION_NAMES: readonly OpName[] = OP_NAMES;

/**
 * The operations the named configurations enable: all but GETLINK, whose only effect on the
 * state is the netns id it may allocate for `link-netnsid` (scenarios observe it; the bounded
 * default exploration leaves it out, and its scope says so), and RTM_NEWNSID (`netns-set-id`),
 * whose ids the topologies assign up front.
 */
export const EXPLORED_OPERATIONS: readonly OpName[] = OP_NAMES.filter((op) =>
  op !== "getlink" && op !== "netns-set-id"
);

/** An operation name. */
export type OperationName = OpName;

/** A netns id assigned up front (`ip -n NETNS netns set PEER ID`). */
export interface NsidConfig {
  /** The namespace whose table gets the entry. */
  readonly netns: string;
  /** The namespace being named. */
  readonly peer: string;
  /** The id (>= 0). */
  readonly id: number;
}

/** A physical device present at the start. */
export interface PhysicalConfig {
  /** Interface name, unique. */
  readonly name: string;
  /** Namespace name. */
  readonly netns: string;
  /** Driver flavour: netdevsim (no DMA, no XSK zero-copy) or mlx5 (both). */
  readonly driver: PhysicalDriver;
  /** Combined channels at the start (= rx = tx queues). */
  readonly queues: number;
  /** Maximum combined channels (default `queues`). */
  readonly maxChannels?: number;
  /** Administratively up at the start (default true). */
  readonly up?: boolean;
}

/** A netkit device (or pair) present at the start. */
export interface NetkitConfig {
  /** Name of the (primary) device, unique. */
  readonly name: string;
  /** Namespace of the (primary) device. */
  readonly netns: string;
  /** Pair or single. */
  readonly pairing: NetkitPairing;
  /** `num_rx_queues` (1..1024) of both devices. */
  readonly numRxQueues: number;
  /** Mode (default l2, as the selftests create them). */
  readonly mode?: NetkitMode;
  /** Pair only: the peer's name (default `<name>p`). */
  readonly peerName?: string;
  /** Pair only: the peer's namespace (default the primary's). */
  readonly peerNetns?: string;
  /** Administratively up at the start (default true; a pair's ends both). */
  readonly up?: boolean;
}

/** Everything the model needs to build its initial state and actions. */
export interface ModelConfig {
  /** Namespace names; the first is `init_net`. */
  readonly namespaces: readonly string[];
  /** netns ids assigned before anything else happens. */
  readonly nsids: readonly NsidConfig[];
  /** Physical devices. */
  readonly physical: readonly PhysicalConfig[];
  /** Pre-created netkit devices. */
  readonly netkits: readonly NetkitConfig[];
  /** How many netkit NEWLINK requests may create devices during exploration. */
  readonly netkitCreations: number;
  /** Enabled operations. */
  readonly operations: readonly OperationName[];
  /** Maximum number of simultaneous queue users (io_uring ifqs, devmem bindings, xsk sockets). */
  readonly maxBindings: number;
  /** Maximum number of in-flight operations (1 = every operation is atomic). */
  readonly concurrency: number;
  /** Active mutant (bugs.md section C id), or null. */
  readonly mutant: MutantId | null;
  /** Give every namespace its `lo` (ifindex 1, virtual, no queue creation). */
  readonly loopback: boolean;
  /**
   * Which queues bind requests name: `"all"` (every live rx queue of every device), or
   * `"leased-or-physical"` (physical queues and leased netkit queues: the direct and the proxied
   * paths; binds on an unleased netkit queue are left to the scenarios). Default `"all"`.
   */
  readonly bindQueues?: "all" | "leased-or-physical";
  /**
   * Which link up/down requests are explored: `"all"` (toggle every device), or `"physical"`
   * (toggle physical devices; a netkit is only brought back up after a move took it down).
   * Default `"all"`.
   */
  readonly linkFlaps?: "all" | "physical";
  /**
   * Which devices netns moves are explored for: `"all"` (every physical device and netkit), or
   * `"netkits"` (the container case, NS-2; physical devices stay), or `"single-netkits"` (only
   * single-mode netkits move: a pair's moves multiply the stepped space), or `"physical"` (only
   * physical devices move: a NIC moved while leased). Default `"all"`.
   */
  readonly moves?: "all" | "netkits" | "single-netkits" | "physical";
  /**
   * How many netns-move requests one run may issue (a bound on the exploration, like
   * `netkitCreations`: each request issued uses one, whatever its reply). Absent: unbounded.
   */
  readonly netnsMoves?: number;
  /**
   * The kernel version the model answers for (`versions.ts`); absent: the newest certified
   * (`DEFAULT_KERNEL`).
   */
  readonly kernel?: string;
  /** The late-start reduction of stepped runs (`ModelOptions.lateStart`); absent: on. */
  readonly lateStart?: boolean;
}

/**
 * The selftest topology (selftests.md §2.1), atomic: `init` and a container namespace `ns1`
 * that names `init` as netns id 0, one netdevsim port with 2 queues in `init`, and a netkit pair
 * with 3 rx queues whose peer (the guest) sits in `ns1`. Every operation is enabled and every
 * parameter domain is full; about 23 thousand states. The model's unit tests use it.
 */
export const SELFTEST_CONFIG: ModelConfig = {
  namespaces: ["init", "ns1"],
  nsids: [{ netns: "ns1", peer: "init", id: 0 }],
  physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 2 }],
  netkits: [{
    name: "nk0",
    netns: "init",
    pairing: "pair",
    numRxQueues: 3,
    peerName: "nk1",
    peerNetns: "ns1",
  }],
  netkitCreations: 0,
  operations: EXPLORED_OPERATIONS,
  maxBindings: 1,
  concurrency: 1,
  mutant: null,
  loopback: true,
  bindQueues: "all",
  linkFlaps: "all",
  moves: "all",
  // Unbounded (it would otherwise be the default configuration's bound).
  netnsMoves: undefined,
};

/**
 * The default configuration (`deno task check`): the selftest environment with one more netkit,
 * and two concurrent in-flight operations. `init` and `ns1` (which names `init` as netns id 0),
 * one netdevsim port `eth0` with 2 queues in `init`, a netkit pair `nk0`/`nk1` with 2 rx queues
 * whose peer sits in `ns1`, and a single netkit `nks` with 2 rx queues in `init`. Every operation
 * runs as a process, failing or not. Every operation is enabled but GETLINK. Bounded domains
 * keep it exhaustive in under two minutes on one core (753,487 states): binds name physical and
 * leased netkit queues, link flaps toggle the physical device (netkits are only brought back
 * up), and one netns move per run, of the single netkit (with the pair's moves the stepped space
 * passes 7 million states: the `moves` configuration, for `--workers`). Its scope says all of
 * this.
 */
export const DEFAULT_CONFIG: ModelConfig = {
  ...SELFTEST_CONFIG,
  netkits: [
    {
      name: "nk0",
      netns: "init",
      pairing: "pair",
      numRxQueues: 2,
      peerName: "nk1",
      peerNetns: "ns1",
    },
    { name: "nks", netns: "init", pairing: "single", numRxQueues: 2 },
  ],
  concurrency: 2,
  bindQueues: "leased-or-physical",
  linkFlaps: "physical",
  moves: "single-netkits",
  netnsMoves: 1,
};

/**
 * Named configurations, for the command line and for nightly or simulation runs:
 * `default` ({@linkcode DEFAULT_CONFIG}), `selftest` ({@linkcode SELFTEST_CONFIG}), `atomic`
 * (the default topology, atomic, every domain full: about 400 thousand states), `full` (the
 * default topology with every domain full and two in-flight operations: millions of states, for
 * `--workers` or simulation), `moves` (the default with the netkit pair's moves too: millions of
 * states, for `--workers` or simulation), `mlx5` (a DMA-capable NIC with AF_XDP zero-copy behind a single
 * netkit: the io_uring, devmem and zero-copy paths, stepped) and `two-nics` (two NICs and a
 * single netkit with 3 rx queues: the different-lessor checks).
 */
export const NAMED_CONFIGS: Readonly<Record<string, ModelConfig>> = {
  default: DEFAULT_CONFIG,
  selftest: SELFTEST_CONFIG,
  atomic: {
    ...DEFAULT_CONFIG,
    operations: EXPLORED_OPERATIONS,
    concurrency: 1,
    bindQueues: "all",
    linkFlaps: "all",
    moves: "all",
  },
  full: {
    ...DEFAULT_CONFIG,
    operations: EXPLORED_OPERATIONS,
    bindQueues: "all",
    linkFlaps: "all",
    moves: "all",
  },
  moves: { ...DEFAULT_CONFIG, moves: "netkits", netnsMoves: undefined },
  mlx5: {
    ...SELFTEST_CONFIG,
    physical: [{ name: "eth0", netns: "init", driver: "mlx5", queues: 2 }],
    netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
    concurrency: 2,
    moves: "netkits",
  },
  "two-nics": {
    ...SELFTEST_CONFIG,
    physical: [
      { name: "eth0", netns: "init", driver: "netdevsim", queues: 1 },
      { name: "eth1", netns: "init", driver: "netdevsim", queues: 1 },
    ],
    netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 3 }],
  },
};

/**
 * A JSON-Schema-like description of {@linkcode ModelConfig} for configuration files (the caller
 * parses YAML or JSON; {@linkcode validateConfig} then checks the data and names the first bad
 * field).
 */
export const MODEL_CONFIG_SCHEMA: Readonly<Record<string, unknown>> = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "leasecheck model configuration",
  type: "object",
  additionalProperties: false,
  properties: {
    namespaces: {
      type: "array",
      items: { type: "string", minLength: 1 },
      minItems: 1,
      maxItems: 8,
      uniqueItems: true,
      description: "namespace names; the first is init_net",
    },
    nsids: {
      type: "array",
      items: {
        type: "object",
        required: ["netns", "peer", "id"],
        properties: {
          netns: { type: "string", description: "the namespace whose table gets the entry" },
          peer: { type: "string", description: "the namespace being named" },
          id: { type: "integer", minimum: 0, maximum: 0x7fffffff },
        },
      },
    },
    physical: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "netns", "driver", "queues"],
        properties: {
          name: { type: "string", minLength: 1, maxLength: 15 },
          netns: { type: "string" },
          driver: { enum: ["netdevsim", "mlx5"] },
          queues: { type: "integer", minimum: 1, maximum: 64 },
          maxChannels: { type: "integer", minimum: 1, maximum: 64 },
          up: { type: "boolean" },
        },
      },
    },
    netkits: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "netns", "pairing", "numRxQueues"],
        properties: {
          name: { type: "string", minLength: 1, maxLength: 15 },
          netns: { type: "string" },
          pairing: { enum: ["pair", "single"] },
          numRxQueues: { type: "integer", minimum: 1, maximum: 1024 },
          mode: { enum: ["l2", "l3"] },
          peerName: { type: "string", minLength: 1, maxLength: 15 },
          peerNetns: { type: "string" },
          up: { type: "boolean" },
        },
      },
    },
    netkitCreations: { type: "integer", minimum: 0, maximum: 8 },
    netnsMoves: { type: "integer", minimum: 0, maximum: 8 },
    operations: { type: "array", items: { enum: [...OPERATION_NAMES] } },
    maxBindings: { type: "integer", minimum: 0, maximum: 8 },
    concurrency: { type: "integer", minimum: 1, maximum: 4 },
    mutant: { type: ["string", "null"], pattern: "^C-[0-9]{2}$" },
    loopback: { type: "boolean" },
    bindQueues: { enum: ["all", "leased-or-physical"] },
    linkFlaps: { enum: ["all", "physical"] },
    moves: { enum: ["all", "netkits", "single-netkits", "physical"] },
    kernel: { type: "string", pattern: "^[0-9]+\\.[0-9]+" },
    lateStart: { type: "boolean" },
  },
};

/** A configuration error naming the offending field. */
export class ModelConfigError extends TypeError {
  /** Stable error code. */
  readonly code = "LCM001";
  /** Path of the field, e.g. `physical[0].queues`. */
  readonly field: string;

  /** Creates the error for `field` with `message`. */
  constructor(field: string, message: string) {
    super(`Invalid model config field "${field}": ${message}`);
    this.name = "ModelConfigError";
    this.field = field;
  }
}

function requireInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ModelConfigError(
      field,
      `expected an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}

function requireNetns(field: string, value: unknown, namespaces: readonly string[]): string {
  if (typeof value !== "string" || !namespaces.includes(value)) {
    throw new ModelConfigError(
      field,
      `expected one of ${namespaces.join(", ")}, got ${String(value)}`,
    );
  }
  return value;
}

function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new ModelConfigError(
      field,
      `expected one of ${allowed.join(", ")}, got ${String(value)}`,
    );
  }
  return value as T;
}

/**
 * Fills in defaults and checks a (partial) configuration; throws {@linkcode ModelConfigError}
 * naming the first invalid field.
 *
 * @example Usage
 * ```ts
 * import { validateConfig } from "./config.ts";
 * import assert from "node:assert/strict";
 * const config = validateConfig({ netkitCreations: 0 });
 * assert.equal(config.namespaces[0], "init");
 * ```
 */
export function validateConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const config: ModelConfig = { ...DEFAULT_CONFIG, ...partial };
  const ns = config.namespaces;
  if (!Array.isArray(ns) || ns.length === 0) {
    throw new ModelConfigError("namespaces", "expected a non-empty list of names");
  }
  if (ns.length > 8) throw new ModelConfigError("namespaces", "at most 8 namespaces");
  ns.forEach((n, i) => {
    if (typeof n !== "string" || n === "") {
      throw new ModelConfigError(`namespaces[${i}]`, "expected a non-empty name");
    }
    if (ns.indexOf(n) !== i) throw new ModelConfigError(`namespaces[${i}]`, `duplicate "${n}"`);
  });
  config.nsids.forEach((e, i) => {
    requireNetns(`nsids[${i}].netns`, e.netns, ns);
    requireNetns(`nsids[${i}].peer`, e.peer, ns);
    if (e.netns === e.peer) {
      throw new ModelConfigError(`nsids[${i}].peer`, "a namespace cannot name itself");
    }
    requireInt(`nsids[${i}].id`, e.id, 0, 0x7fffffff);
    const clash = config.nsids.findIndex((o) =>
      o.netns === e.netns && (o.peer === e.peer || o.id === e.id)
    );
    if (clash !== i) throw new ModelConfigError(`nsids[${i}]`, "duplicate peer or id in one table");
  });
  const names = new Set<string>();
  const claim = (field: string, name: unknown) => {
    if (typeof name !== "string" || name === "" || name.length > 15) {
      throw new ModelConfigError(field, "expected an interface name of 1..15 characters");
    }
    if (names.has(name) || name === "lo") {
      throw new ModelConfigError(field, `duplicate name "${name}"`);
    }
    names.add(name);
  };
  config.physical.forEach((p, i) => {
    claim(`physical[${i}].name`, p.name);
    requireNetns(`physical[${i}].netns`, p.netns, ns);
    requireOneOf(`physical[${i}].driver`, p.driver, ["netdevsim", "mlx5"] as const);
    requireInt(`physical[${i}].queues`, p.queues, 1, 64);
    if (p.maxChannels !== undefined) {
      requireInt(`physical[${i}].maxChannels`, p.maxChannels, p.queues, 64);
    }
  });
  config.netkits.forEach((k, i) => {
    claim(`netkits[${i}].name`, k.name);
    requireNetns(`netkits[${i}].netns`, k.netns, ns);
    requireOneOf(`netkits[${i}].pairing`, k.pairing, ["pair", "single"] as const);
    requireInt(`netkits[${i}].numRxQueues`, k.numRxQueues, 1, 1024);
    if (k.mode !== undefined) requireOneOf(`netkits[${i}].mode`, k.mode, ["l2", "l3"] as const);
    if (k.pairing === "single") {
      if (k.peerName !== undefined || k.peerNetns !== undefined) {
        throw new ModelConfigError(`netkits[${i}].peerName`, "a single netkit has no peer");
      }
    } else {
      claim(`netkits[${i}].peerName`, k.peerName ?? `${k.name}p`);
      if (k.peerNetns !== undefined) requireNetns(`netkits[${i}].peerNetns`, k.peerNetns, ns);
    }
  });
  requireInt("netkitCreations", config.netkitCreations, 0, 8);
  if (config.netnsMoves !== undefined) requireInt("netnsMoves", config.netnsMoves, 0, 8);
  if (!Array.isArray(config.operations)) {
    throw new ModelConfigError("operations", "expected a list of operation names");
  }
  config.operations.forEach((o, i) => requireOneOf(`operations[${i}]`, o, OPERATION_NAMES));
  requireInt("maxBindings", config.maxBindings, 0, 8);
  requireInt("concurrency", config.concurrency, 1, 4);
  if (config.mutant !== null && !MUTANTS.some((m) => m.id === config.mutant)) {
    throw new ModelConfigError(
      "mutant",
      `unknown mutant "${String(config.mutant)}" (bugs.md C-01..C-46)`,
    );
  }
  if (config.kernel !== undefined) {
    if (typeof config.kernel !== "string") {
      throw new ModelConfigError("kernel", "expected a string");
    }
    try {
      validateKernel(config.kernel);
    } catch (e) {
      throw new ModelConfigError("kernel", (e as Error).message);
    }
  }
  if (config.lateStart !== undefined && typeof config.lateStart !== "boolean") {
    throw new ModelConfigError("lateStart", "expected a boolean");
  }
  if (typeof config.loopback !== "boolean") {
    throw new ModelConfigError("loopback", "expected a boolean");
  }
  if (config.bindQueues !== undefined) {
    requireOneOf("bindQueues", config.bindQueues, ["all", "leased-or-physical"] as const);
  }
  if (config.linkFlaps !== undefined) {
    requireOneOf("linkFlaps", config.linkFlaps, ["all", "physical"] as const);
  }
  if (config.moves !== undefined) {
    requireOneOf("moves", config.moves, ["all", "netkits", "single-netkits", "physical"] as const);
  }
  const known = new Set(Object.keys(MODEL_CONFIG_SCHEMA.properties as object));
  for (const key of Object.keys(config)) {
    if (!known.has(key)) throw new ModelConfigError(key, "unknown field");
  }
  return config;
}
