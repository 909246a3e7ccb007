/**
 * The kernel version the model answers for, and the one table of facts that hold only on some
 * versions. Every version-dependent branch of the model asks {@linkcode kernelHas} with a fact id
 * of this table; nothing else in `model/` compares versions. Each entry's range is the fact's
 * `versions` field in `spec/facts.yaml` (a test keeps the two equal) and cites the kernel code
 * the difference was read in.
 *
 * @module
 */

import {
  compareKernelVersions,
  type KernelVersion,
  parseKernelVersion,
  parseVersionRange,
  versionSatisfies,
} from "../spec/versions.ts";

/** One version-dependent fact: the kernels it holds on and where the difference is. */
export interface VersionedFact {
  /** The version range (`spec/README.md` syntax), as in `spec/facts.yaml`. */
  readonly range: string;
  /** The kernel function and file that differ, and how. */
  readonly cite: string;
}

/**
 * The version-dependent facts the model implements, by fact id.
 *
 * @example Usage
 * ```ts
 * import { VERSIONED_FACTS } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(VERSIONED_FACTS["DM-7b"].range, ">=7.2");
 * ```
 */
export const VERSIONED_FACTS = {
  "MP-U2": {
    range: ">=7.1 <7.1.5",
    cite: "net/core/netdev_rx_queue.c netif_rxq_cleanup_unlease: the provider's uninstall runs " +
      "before the physical queue is closed (CVE-2026-74285)",
  },
  "MP-U3": {
    range: ">=7.1.5",
    cite: "net/core/netdev_rx_queue.c netif_rxq_cleanup_unlease: the queue is closed (stopped " +
      "and restarted without the provider) before the provider's uninstall",
  },
  "QG-M4": {
    range: ">=7.2",
    cite: "io_uring/zcrx.c io_pp_nl_fill: the io-uring nest carries rx-buf-len",
  },
  "QG-M5": {
    range: ">=7.1 <7.2",
    cite: "io_uring/zcrx.c io_pp_nl_fill: the io-uring nest is empty",
  },
  "DM-7b": {
    range: ">=7.2",
    cite: "net/core/netdev-genl.c netdev_find_netmem_tx_dev: bind-tx on a NO_DMA device binds " +
      "to the DMA-capable NIC its rx queues are leased from",
  },
  "DM-9": {
    range: ">=7.2",
    cite: "drivers/net/netkit.c netkit_setup: netmem_tx = NETMEM_TX_NO_DMA (before 7.2 netkit " +
      "has no netmem TX)",
  },
  "DM-10": {
    range: ">=7.3",
    cite: "net/core/netdev-genl.c netdev_nl_bind_rx_doit: rx-page-size must be a power of 2",
  },
  "DM-11": {
    range: ">=7.3",
    cite: "net/core/netdev-genl-gen.c netdev_bind_rx_nl_policy: rx-page-size is at least " +
      "PAGE_SIZE",
  },
  "DM-12": {
    range: ">=7.1 <7.3",
    cite: "net/core/netdev-genl-gen.c: the bind-rx policy ends at fd, so rx-page-size is an " +
      "unknown attribute (lib/nlattr.c __nla_validate_parse, strict)",
  },
} as const satisfies Record<string, VersionedFact>;

/** The id of a version-dependent fact. */
export type VersionedFactId = keyof typeof VERSIONED_FACTS;

/** The kernels the model describes: the leasing feature exists from 7.1. */
export const MODEL_KERNEL_RANGE = ">=7.1";

/**
 * The kernel version the model answers for when none is given: the newest release it was
 * certified against.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_KERNEL, kernelHas } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kernelHas(DEFAULT_KERNEL, "DM-7b"), true);
 * ```
 */
export const DEFAULT_KERNEL = "7.3.4";

/** A kernel version the model cannot answer for. */
export class KernelVersionError extends RangeError {
  /** Creates the error for `text` with a reason. */
  constructor(text: string, reason: string) {
    super(`kernel "${text}": ${reason}`);
    this.name = "KernelVersionError";
  }
}

/**
 * Checks a kernel version for the model: `MAJOR.MINOR[.PATCH][-rcN]` within
 * {@linkcode MODEL_KERNEL_RANGE}; a distribution suffix is allowed (`7.3.4-1~bpo13+1`).
 *
 * @throws {KernelVersionError} when it cannot be parsed or is older than 7.1.
 *
 * @example Usage
 * ```ts
 * import { validateKernel } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(validateKernel("7.2"), "7.2");
 * assert.throws(() => validateKernel("6.18"), /older than the leasing feature/);
 * ```
 */
export function validateKernel(text: string): string {
  try {
    parseKernelVersion(text);
  } catch {
    throw new KernelVersionError(text, "a kernel version is MAJOR.MINOR[.PATCH][-rcN], e.g. 7.2");
  }
  if (!versionSatisfies(text, MODEL_KERNEL_RANGE)) {
    throw new KernelVersionError(text, "older than the leasing feature (the model covers >=7.1)");
  }
  return text;
}

const cache = new Map<string, ReadonlySet<VersionedFactId>>();

/**
 * Whether version-dependent fact `fact` holds on `kernel` (absent: {@linkcode DEFAULT_KERNEL}).
 * Answers are cached per version: the model asks on hot paths.
 *
 * @example Usage
 * ```ts
 * import { kernelHas } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kernelHas("7.1.4", "MP-U2"), true);
 * assert.equal(kernelHas("7.1.5", "MP-U2"), false);
 * assert.equal(kernelHas("7.2.13", "DM-10"), false);
 * ```
 */
export function kernelHas(kernel: string | undefined, fact: VersionedFactId): boolean {
  const version = kernel ?? DEFAULT_KERNEL;
  let holds = cache.get(version);
  if (holds === undefined) {
    const ids = Object.keys(VERSIONED_FACTS) as VersionedFactId[];
    holds = new Set(ids.filter((id) => versionSatisfies(version, VERSIONED_FACTS[id].range)));
    cache.set(version, holds);
  }
  return holds.has(fact);
}

function versionText(v: KernelVersion): string {
  return `${v.major}.${v.minor}${v.patch === 0 ? "" : `.${v.patch}`}` +
    (v.rc === null ? "" : `-rc${v.rc}`);
}

/**
 * The kernel versions where the model's answers can change, oldest first: every version a range
 * of {@linkcode VERSIONED_FACTS} (or {@linkcode MODEL_KERNEL_RANGE}) names. Between two of them
 * (a segment) every version-dependent fact holds or fails alike, so the model answers alike.
 *
 * @example Usage
 * ```ts
 * import { KERNEL_SEGMENTS } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(KERNEL_SEGMENTS, ["7.1", "7.1.5", "7.2", "7.3"]);
 * ```
 */
export const KERNEL_SEGMENTS: readonly string[] = (() => {
  const all = [MODEL_KERNEL_RANGE, ...Object.values(VERSIONED_FACTS).map((f) => f.range)]
    .flatMap((r) => parseVersionRange(r).alternatives.flat().map((c) => c.version));
  all.sort(compareKernelVersions);
  return [...new Set(all.map(versionText))];
})();

/**
 * The segment of {@linkcode KERNEL_SEGMENTS} that `kernel` falls in (its start).
 *
 * @example Usage
 * ```ts
 * import { segmentOf } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(segmentOf("7.2.13"), "7.2");
 * assert.equal(segmentOf("7.1.4"), "7.1");
 * ```
 */
export function segmentOf(kernel: string): string {
  const v = parseKernelVersion(kernel);
  let at = KERNEL_SEGMENTS[0];
  for (const start of KERNEL_SEGMENTS) {
    if (compareKernelVersions(parseKernelVersion(start), v) <= 0) at = start;
  }
  return at;
}

/**
 * The version range of the segments where `holds` is true (one flag per
 * {@linkcode KERNEL_SEGMENTS} entry), as the scenario format writes it.
 *
 * @throws {RangeError} when no segment holds.
 *
 * @example Usage
 * ```ts
 * import { rangeOfSegments } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(rangeOfSegments([true, true, true, true]), ">=7.1");
 * assert.equal(rangeOfSegments([false, false, true, true]), ">=7.2");
 * assert.equal(rangeOfSegments([false, true, true, false]), ">=7.1.5 <7.3");
 * ```
 */
export function rangeOfSegments(holds: readonly boolean[]): string {
  const parts: string[] = [];
  for (let i = 0; i < KERNEL_SEGMENTS.length; i++) {
    if (!holds[i]) continue;
    let j = i;
    while (j + 1 < KERNEL_SEGMENTS.length && holds[j + 1]) j++;
    parts.push(
      j + 1 < KERNEL_SEGMENTS.length
        ? `>=${KERNEL_SEGMENTS[i]} <${KERNEL_SEGMENTS[j + 1]}`
        : `>=${KERNEL_SEGMENTS[i]}`,
    );
    i = j;
  }
  if (parts.length === 0) throw new RangeError("no kernel version segment holds");
  return parts.join(" || ");
}

/**
 * A kernel version the model can answer for within `range` (a scenario's `kernel:`): the default
 * when the range holds it, else the newest segment start it holds, else undefined.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_KERNEL, kernelWithin } from "./versions.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kernelWithin(">=7.2"), DEFAULT_KERNEL);
 * assert.equal(kernelWithin("7.2"), "7.2");
 * assert.equal(kernelWithin("<7.0"), undefined);
 * ```
 */
export function kernelWithin(range: string): string | undefined {
  if (versionSatisfies(DEFAULT_KERNEL, range)) return DEFAULT_KERNEL;
  return [...KERNEL_SEGMENTS].reverse().find((v) => versionSatisfies(v, range));
}
