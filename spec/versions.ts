/**
 * Kernel versions and version ranges (the syntax of `spec/README.md`): parsing, ordering and
 * range membership. No dependency: the model's version table (`model/versions.ts`) and the
 * fact base (`facts.ts`) both use it.
 *
 * @module
 */

/**
 * A version or version range that does not follow the syntax of `spec/README.md`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionRange, VersionRangeError } from "./versions.ts";
 *
 * assert.throws(() => parseVersionRange("> = 7.1"), VersionRangeError);
 * ```
 */
export class VersionRangeError extends SyntaxError {
  /** The text that could not be parsed. */
  readonly text: string;

  /** Creates the error for `text` with a reason. */
  constructor(text: string, reason: string) {
    super(`Bad kernel version range "${text}": ${reason}`);
    this.name = "VersionRangeError";
    this.text = text;
  }
}

// ---------------------------------------------------------------------------------------------
// Versions and ranges

/**
 * A kernel version: major, minor, patch, and a release-candidate number (`-rc3` → 3; `null` for
 * a release).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KernelVersion, parseKernelVersion } from "./versions.ts";
 *
 * const v: KernelVersion = parseKernelVersion("7.3.0-rc2");
 * assert.deepEqual(v, { major: 7, minor: 3, patch: 0, rc: 2 });
 * ```
 */
export interface KernelVersion {
  /** Major version (the `7` of `7.2.13`). */
  readonly major: number;
  /** Minor version (the `2` of `7.2.13`). */
  readonly minor: number;
  /** Patch (stable) level (the `13` of `7.2.13`); 0 when not written. */
  readonly patch: number;
  /** Release candidate number, or `null` for a release. */
  readonly rc: number | null;
}

/** A comparison operator of a range. */
type Op = ">=" | ">" | "<=" | "<" | "=";

/**
 * One comparison of a range: `op` applied to `version`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionRange, type VersionComparator } from "./versions.ts";
 *
 * const c: VersionComparator = parseVersionRange(">=7.2").alternatives[0][0];
 * assert.equal(c.op, ">=");
 * assert.equal(c.version.minor, 2);
 * ```
 */
export interface VersionComparator {
  /** The operator. */
  readonly op: ">=" | ">" | "<=" | "<" | "=";
  /** The version compared with. */
  readonly version: KernelVersion;
}

/**
 * A parsed version range: a version satisfies it when it satisfies every comparator of at least
 * one alternative. An empty `alternatives` list (the range `none`) matches no version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionRange, type VersionRange } from "./versions.ts";
 *
 * const r: VersionRange = parseVersionRange(">=7.1 <7.1.5 || >=7.3");
 * assert.equal(r.alternatives.length, 2);
 * assert.equal(r.text, ">=7.1 <7.1.5 || >=7.3");
 * ```
 */
export interface VersionRange {
  /** The range as written. */
  readonly text: string;
  /** The alternatives (joined by `||`), each a list of comparators (joined by spaces). */
  readonly alternatives: readonly (readonly VersionComparator[])[];
}

const VERSION_RE = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:-rc(\d{1,3}))?$/;
const KERNEL_RELEASE_RE = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?(?:-rc(\d{1,3}))?(?:[-+~_].*)?$/;

/**
 * Parses a kernel version: `MAJOR.MINOR[.PATCH][-rcN]`, optionally followed by a distribution
 * suffix that starts with `-`, `+`, `~` or `_` and is ignored (`7.2.13-1`, `7.2.13+deb14-amd64`,
 * `7.3.4-1~bpo13+1`). A missing patch level is 0.
 *
 * @throws {VersionRangeError} when `text` is not such a version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKernelVersion } from "./versions.ts";
 *
 * assert.deepEqual(parseKernelVersion("7.2.13-amd64"), { major: 7, minor: 2, patch: 13, rc: null });
 * assert.equal(parseKernelVersion("7.1").patch, 0);
 * ```
 */
export function parseKernelVersion(text: string): KernelVersion {
  const m = KERNEL_RELEASE_RE.exec(text.trim());
  if (!m) throw new VersionRangeError(text, "a kernel version is MAJOR.MINOR[.PATCH][-rcN]");
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    rc: m[4] === undefined ? null : Number(m[4]),
  };
}

/**
 * Orders two kernel versions: negative when `a` is older, 0 when equal, positive when newer. A
 * release candidate comes before its release (`7.3-rc2` < `7.3.0`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareKernelVersions, parseKernelVersion as v } from "./versions.ts";
 *
 * assert.ok(compareKernelVersions(v("7.1.4"), v("7.1.5")) < 0);
 * assert.ok(compareKernelVersions(v("7.3-rc2"), v("7.3")) < 0);
 * assert.equal(compareKernelVersions(v("7.2"), v("7.2.0")), 0);
 * ```
 */
export function compareKernelVersions(a: KernelVersion, b: KernelVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.rc === b.rc) return 0;
  if (a.rc === null) return 1;
  if (b.rc === null) return -1;
  return a.rc - b.rc;
}

function parseRangeVersion(whole: string, text: string): KernelVersion {
  const m = VERSION_RE.exec(text);
  if (!m) {
    throw new VersionRangeError(whole, `"${text}" is not MAJOR.MINOR[.PATCH][-rcN]`);
  }
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    rc: m[4] === undefined ? null : Number(m[4]),
  };
}

/** `X.Y` (no patch) as a bare term or with `=`: the whole series `>=X.Y <X.(Y+1)`. */
function seriesOf(v: KernelVersion): VersionComparator[] {
  return [
    { op: ">=", version: { ...v, patch: 0, rc: null } },
    { op: "<", version: { major: v.major, minor: v.minor + 1, patch: 0, rc: null } },
  ];
}

const TERM_RE = /^(>=|<=|>|<|=)?(.+?)(\+)?$/;

/**
 * Parses a kernel version range (syntax in `spec/README.md`):
 *
 * - a term is `OP VERSION` with `OP` one of `>=`, `>`, `<=`, `<`, `=` and no space between them
 *   (`>=7.1`, `<7.1.5`); `X.Y+` means `>=X.Y`; a bare `X.Y.Z` means exactly that version; a
 *   bare `X.Y` or `=X.Y` means the whole `X.Y` series (`>=X.Y <X.(Y+1)`);
 * - terms separated by spaces must all hold;
 * - alternatives are separated by `||`;
 * - `*` matches every version and `none` matches none.
 *
 * @throws {VersionRangeError} on any other text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionRange, versionSatisfies } from "./versions.ts";
 *
 * const preCve = parseVersionRange(">=7.1 <7.1.5");
 * assert.ok(versionSatisfies("7.1.4", preCve));
 * assert.ok(!versionSatisfies("7.1.5", preCve));
 * assert.ok(versionSatisfies("7.1.9", parseVersionRange("7.1")));
 * assert.throws(() => parseVersionRange(">= 7.1"));
 * ```
 */
export function parseVersionRange(text: string): VersionRange {
  if (typeof text !== "string") throw new VersionRangeError(String(text), "not a string");
  const trimmed = text.trim();
  if (trimmed === "") throw new VersionRangeError(text, "empty range (write * or none)");
  if (trimmed === "none") return { text, alternatives: [] };
  const alternatives: VersionComparator[][] = [];
  for (const alt of trimmed.split("||")) {
    const terms = alt.trim().split(/\s+/).filter((t) => t !== "");
    if (terms.length === 0) throw new VersionRangeError(text, "empty alternative around ||");
    const comparators: VersionComparator[] = [];
    for (const term of terms) {
      if (term === "*") {
        if (terms.length > 1) throw new VersionRangeError(text, "* cannot be combined");
        continue;
      }
      if (term === "none") throw new VersionRangeError(text, "none cannot be combined");
      const m = TERM_RE.exec(term);
      if (!m) throw new VersionRangeError(text, `bad term "${term}"`);
      const op = m[1] as Op | undefined;
      const plus = m[3] === "+";
      const version = parseRangeVersion(text, m[2]);
      const hasPatch = /^\d+\.\d+\.\d+/.test(m[2]);
      if (plus) {
        if (op !== undefined) {
          throw new VersionRangeError(text, `"${term}": X.Y+ takes no operator`);
        }
        comparators.push({ op: ">=", version });
      } else if ((op === undefined || op === "=") && !hasPatch && version.rc === null) {
        comparators.push(...seriesOf(version));
      } else {
        comparators.push({ op: op ?? "=", version });
      }
    }
    alternatives.push(comparators);
  }
  return { text, alternatives };
}

function holds(c: VersionComparator, v: KernelVersion): boolean {
  const d = compareKernelVersions(v, c.version);
  switch (c.op) {
    case ">=":
      return d >= 0;
    case ">":
      return d > 0;
    case "<=":
      return d <= 0;
    case "<":
      return d < 0;
    case "=":
      return d === 0;
  }
}

/**
 * Whether kernel `version` (a string as {@linkcode parseKernelVersion} takes, or a parsed
 * version) lies in `range` (a string as {@linkcode parseVersionRange} takes, or a parsed range).
 *
 * @throws {VersionRangeError} when either cannot be parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { versionSatisfies } from "./versions.ts";
 *
 * assert.ok(versionSatisfies("7.2.13", ">=7.2"));
 * assert.ok(!versionSatisfies("7.1.9", ">=7.2"));
 * assert.ok(versionSatisfies("7.3.4-1~bpo13+1", ">=7.1.5"));
 * assert.ok(!versionSatisfies("7.2.13", "none"));
 * ```
 */
export function versionSatisfies(
  version: string | KernelVersion,
  range: string | VersionRange,
): boolean {
  const v = typeof version === "string" ? parseKernelVersion(version) : version;
  const r = typeof range === "string" ? parseVersionRange(range) : range;
  return r.alternatives.some((alt) => alt.every((c) => holds(c, v)));
}
