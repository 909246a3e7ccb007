/**
 * The project's machine-readable fact base: `spec/facts.yaml`, one entry per fact id, loaded and
 * validated here.
 *
 * Every check, scenario and report of leasecheck cites fact ids (`QC-22`, `NK-NEW-10`, `INV-L1`,
 * `MP-U3` ...). This module is the only place that knows what those ids mean. It is the lowest
 * layer of the project: it imports no other project module, so `model/`, `scenarios/` and
 * `reports/` can all read it.
 *
 * The file format, the kinds, the version-range syntax and the meaning of `status` are described
 * in `spec/README.md`.
 *
 * Reading needs `--allow-read` for `spec/facts.yaml`. The npm `yaml` parser also looks at the
 * environment variables `LOG_TOKENS` and `LOG_STREAM`; run with
 * `--ignore-env=LOG_TOKENS,LOG_STREAM` (as the project's tasks do) or `--allow-env` for them.
 *
 * @example Load the base and look a fact up
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFacts } from "./facts.ts";
 *
 * const facts = loadFacts();
 * assert.equal(facts.get("QC-22")?.errno[0], "EBUSY");
 * assert.ok(facts.inRange("MP-U3", "7.2.13"));
 * ```
 *
 * @module
 */
import { compareFactIds, FACT_ID_RE, factFamily } from "./ids.ts";

export { compareFactIds, FACT_ID_RE, factFamily } from "./ids.ts";

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";

// ---------------------------------------------------------------------------------------------
// Types

/**
 * What sort of statement a fact is (see `spec/README.md` for each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FACT_KINDS, type FactKind } from "./facts.ts";
 *
 * const kind: FactKind = "check";
 * assert.ok(FACT_KINDS.includes(kind));
 * ```
 */
export type FactKind =
  | "check"
  | "behaviour"
  | "invariant"
  | "lock-rule"
  | "reference-rule"
  | "limit"
  | "bug"
  | "review-defect"
  | "mutant"
  | "model-property";

/**
 * Every {@linkcode FactKind}, in the order `spec/README.md` documents them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FACT_KINDS } from "./facts.ts";
 *
 * assert.equal(FACT_KINDS.length, 10);
 * assert.ok(FACT_KINDS.includes("mutant"));
 * ```
 */
export const FACT_KINDS: readonly FactKind[] = [
  "check",
  "behaviour",
  "invariant",
  "lock-rule",
  "reference-rule",
  "limit",
  "bug",
  "review-defect",
  "mutant",
  "model-property",
];

/**
 * How a fact is known: `verified` (observed on a real kernel, or read in kernel source — the
 * entry's `source` says which) or `inferred` (derived from reading, never tested).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FactStatus } from "./facts.ts";
 *
 * const s: FactStatus = "inferred";
 * assert.notEqual(s, "verified");
 * ```
 */
export type FactStatus = "verified" | "inferred";

/**
 * A kernel location a fact is about.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KernelRef } from "./facts.ts";
 *
 * const ref: KernelRef = { function: "netdev_queue_busy", file: "net/core/netdev_queues.c" };
 * assert.equal(ref.file.split("/").at(-1), "netdev_queues.c");
 * ```
 */
export interface KernelRef {
  /** The C function (or macro, struct, enum) name, when the fact is about one. */
  readonly function?: string;
  /** The path of the file in the kernel tree, e.g. `net/core/netdev-genl.c`. */
  readonly file: string;
}

/**
 * One entry of `spec/facts.yaml`, validated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Fact, loadFacts } from "./facts.ts";
 *
 * const fact: Fact | undefined = loadFacts().get("QC-11");
 * assert.equal(fact?.extack[0], "Device is not a virtual device");
 * assert.equal(fact?.kind, "check");
 * ```
 */
export interface Fact {
  /** The stable id, e.g. `QC-22`. */
  readonly id: string;
  /** A few words naming the fact. */
  readonly title: string;
  /** What the fact says, in the project's own words. */
  readonly statement: string;
  /** What sort of fact it is. */
  readonly kind: FactKind;
  /** errno names (without sign) the fact's operation returns; empty when none applies. */
  readonly errno: readonly string[];
  /** Extack messages, verbatim; empty when none applies. */
  readonly extack: readonly string[];
  /** The ynl `bad-attr` path the error points at (e.g. `.lease.queue.id`), when observable. */
  readonly badAttr?: string;
  /** The ynl `miss-type` attribute name of a missing-attribute report, when observable. */
  readonly missType?: string;
  /** Kernel functions and files the fact is about. */
  readonly kernel: readonly KernelRef[];
  /** Kernel commit ids (12 or more hex digits) the fact comes from. */
  readonly commits: readonly string[];
  /** A CVE id the fact belongs to, e.g. `CVE-2026-74285`. */
  readonly cve?: string;
  /** The kernel version range where the statement holds, as written (e.g. `">=7.1 <7.1.5"`). */
  readonly versions: string;
  /** The parsed form of {@linkcode Fact.versions}. */
  readonly range: VersionRange;
  /** How the fact is known. */
  readonly status: FactStatus;
  /** Where it is known from (observation, kernel file read, shared spec section). */
  readonly source: string;
  /** Related fact ids (all defined in the base). */
  readonly see: readonly string[];
  /** 1-based line of the entry in the file. */
  readonly line: number;
}

/**
 * The loaded fact base.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FactBase, loadFacts } from "./facts.ts";
 *
 * const base: FactBase = loadFacts();
 * assert.ok(base.has("INV-L1"));
 * assert.ok(!base.has("QC-99"));
 * assert.ok(base.similar("QC-2").includes("QC-02"));
 * ```
 */
export interface FactBase {
  /** The file the base was read from (a path or URL string). */
  readonly file: string;
  /** Every fact, in file order. */
  readonly facts: readonly Fact[];
  /** The fact with exactly this id, or `undefined`. */
  get(id: string): Fact | undefined;
  /** Whether the base defines exactly this id. */
  has(id: string): boolean;
  /** Every id, sorted with {@linkcode compareFactIds}. */
  ids(): string[];
  /**
   * Ids that look like `id` — same id ignoring case or zero padding, one edit away, or of the
   * same family (`QC-`, `INV-L`, `NK-NEW-` ...) — best first, at most `limit` (default 12).
   */
  similar(id: string, limit?: number): string[];
  /**
   * Whether fact `id` holds on kernel `kernelVersion` (e.g. `7.2.13`, `7.1.4`).
   *
   * @throws {UnknownFactError} for an id the base does not define.
   * @throws {VersionRangeError} for a version that cannot be parsed.
   */
  inRange(id: string, kernelVersion: string): boolean;
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A bad entry in the fact file: one line naming `file:line:column`, the fact id when known, the
 * field and what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FactFileError, parseFacts } from "./facts.ts";
 *
 * assert.throws(
 *   () => parseFacts("- id: QC-01\n  colour: red\n", "x.yaml"),
 *   (e: unknown) => e instanceof FactFileError && e.line === 2 && e.field === "colour",
 * );
 * ```
 */
export class FactFileError extends Error {
  /** The file being read. */
  readonly file: string;
  /** 1-based line of the problem. */
  readonly line: number;
  /** 1-based column of the problem. */
  readonly column: number;
  /** The field at fault (`errno`, `see[2]` ...), or `""` for the file's shape. */
  readonly field: string;

  /** Creates the error; the message is `file:line:column: [id: ]field "f": detail`. */
  constructor(
    file: string,
    line: number,
    column: number,
    field: string,
    detail: string,
    id?: string,
  ) {
    const where = `${file}:${line}:${column}`;
    const who = id ? `${id}: ` : "";
    const what = field ? `field "${field}": ` : "";
    super(`${where}: ${who}${what}${detail}`);
    this.name = "FactFileError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.field = field;
  }
}

/**
 * Raised for a fact id the base does not define.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFacts, UnknownFactError } from "./facts.ts";
 *
 * assert.throws(() => loadFacts().inRange("QC-99", "7.2.13"), UnknownFactError);
 * ```
 */
export class UnknownFactError extends TypeError {
  /** The id asked for. */
  readonly id: string;
  /** Ids that look like it. */
  readonly suggestions: readonly string[];

  /** Creates the error for `id` with its did-you-mean list. */
  constructor(id: string, suggestions: readonly string[]) {
    super(
      `No fact "${id}" in spec/facts.yaml` +
        (suggestions.length > 0 ? ` (did you mean ${suggestions.join(", ")}?)` : ""),
    );
    this.name = "UnknownFactError";
    this.id = id;
    this.suggestions = suggestions;
  }
}

export {
  compareKernelVersions,
  type KernelVersion,
  parseKernelVersion,
  parseVersionRange,
  type VersionComparator,
  type VersionRange,
  VersionRangeError,
  versionSatisfies,
} from "./versions.ts";
import { parseVersionRange, type VersionRange, versionSatisfies } from "./versions.ts";

// ---------------------------------------------------------------------------------------------
// Ids

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** `QC-2` and `qc-02` both normalise to `QC-2` (upper case, no leading zeros). */
function normaliseId(id: string): string {
  return id.trim().toUpperCase().replace(/-([A-Z]?)0+(\d)/g, "-$1$2");
}

// ---------------------------------------------------------------------------------------------
// The file

/** Linux errno names (asm-generic numbering) a fact may name. */
const ERRNO_NAMES: ReadonlySet<string> = new Set(
  (
    "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ENOMEM EACCES EFAULT " +
    "ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG " +
    "ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY " +
    "ELOOP ENOMSG EIDRM ENOSTR ENODATA ETIME ENOSR ENONET ENOLINK EPROTO EBADMSG EOVERFLOW " +
    "EILSEQ EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT " +
    "ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN " +
    "ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN " +
    "ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS ESTALE " +
    "EDQUOT ECANCELED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON"
  ).split(" "),
);

const KEYS: readonly string[] = [
  "id",
  "title",
  "statement",
  "kind",
  "errno",
  "extack",
  "bad-attr",
  "miss-type",
  "kernel",
  "commits",
  "cve",
  "versions",
  "status",
  "source",
  "see",
];
const REQUIRED: readonly string[] = [
  "id",
  "title",
  "statement",
  "kind",
  "versions",
  "status",
  "source",
];
const KERNEL_KEYS: readonly string[] = ["function", "file"];
const FILE_RE = /^(?:[A-Za-z0-9_.+-]+\/)*[A-Za-z0-9_.+-]+\.(?:c|h|py|yaml|sh|rst)$/;
const FUNCTION_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\(\))?$/;
const COMMIT_RE = /^[0-9a-f]{12,40}$/;
const CVE_RE = /^CVE-\d{4}-\d{4,}$/;
const BAD_ATTR_RE = /^(?:\.[a-z][a-z0-9-]*(?:\([a-z0-9-]+\))?)+$/;
const MISS_TYPE_RE = /^[a-z][a-z0-9-]*$/;
const TITLE_MAX = 80;

/** Where a YAML node starts, as 1-based line and column. */
type Pos = { line: number; column: number };

class Reader {
  constructor(readonly file: string, readonly lines: LineCounter) {}

  pos(node: Node | null | undefined): Pos {
    const offset = node?.range?.[0] ?? 0;
    const p = this.lines.linePos(offset);
    return { line: p.line, column: p.col };
  }

  fail(node: Node | null | undefined, field: string, detail: string, id?: string): never {
    const p = this.pos(node);
    throw new FactFileError(this.file, p.line, p.column, field, detail, id);
  }
}

function scalarString(
  r: Reader,
  node: unknown,
  field: string,
  id: string | undefined,
): string {
  if (!isScalar(node) || typeof node.value !== "string") {
    r.fail(node as Node, field, "must be a string", id);
  }
  const value = node.value as string;
  if (value.trim() === "") r.fail(node as Node, field, "must not be empty", id);
  return value;
}

function stringList(
  r: Reader,
  node: unknown,
  field: string,
  id: string | undefined,
  check: (value: string, item: Node, itemField: string) => void,
): string[] {
  if (isScalar(node)) {
    const v = scalarString(r, node, field, id);
    check(v, node, field);
    return [v];
  }
  if (!isSeq(node)) r.fail(node as Node, field, "must be a string or a list of strings", id);
  const out: string[] = [];
  node.items.forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    const v = scalarString(r, item, itemField, id);
    check(v, item as Node, itemField);
    out.push(v);
  });
  if (out.length === 0) r.fail(node as Node, field, "must not be an empty list", id);
  return out;
}

interface RawFact {
  fact: Omit<Fact, "see"> & { see: string[] };
  seeNodes: Node[];
}

function readEntry(r: Reader, node: unknown, index: number): RawFact {
  if (!isMap(node)) r.fail(node as Node, "", `entry ${index + 1} must be a mapping`);
  const map = node as YAMLMap;
  const fields = new Map<string, { key: Node; value: unknown }>();
  let id: string | undefined;
  for (const pair of map.items) {
    const key = pair.key as Node;
    if (!isScalar(key) || typeof key.value !== "string") r.fail(key, "", "keys must be strings");
    const name = key.value as string;
    if (!KEYS.includes(name)) {
      r.fail(key, name, `unknown key (known: ${KEYS.join(", ")})`, id);
    }
    if (fields.has(name)) r.fail(key, name, "given twice", id);
    fields.set(name, { key, value: pair.value });
    if (name === "id" && isScalar(pair.value) && typeof pair.value.value === "string") {
      id = pair.value.value;
    }
  }
  for (const name of REQUIRED) {
    if (!fields.has(name)) r.fail(map, name, "missing", id);
  }
  const get = (name: string) => fields.get(name)?.value;

  const idNode = get("id");
  const idValue = scalarString(r, idNode, "id", undefined);
  if (!FACT_ID_RE.test(idValue)) {
    r.fail(idNode as Node, "id", `"${idValue}" is not a fact id (e.g. QC-22, INV-L1)`);
  }
  id = idValue;

  const title = scalarString(r, get("title"), "title", id);
  if (title.length > TITLE_MAX || title.includes("\n")) {
    r.fail(get("title") as Node, "title", `must be one line of at most ${TITLE_MAX} chars`, id);
  }
  const statement = scalarString(r, get("statement"), "statement", id).trim();

  const kindNode = get("kind");
  const kind = scalarString(r, kindNode, "kind", id);
  if (!(FACT_KINDS as readonly string[]).includes(kind)) {
    r.fail(kindNode as Node, "kind", `"${kind}" is not one of ${FACT_KINDS.join(", ")}`, id);
  }

  const errno = fields.has("errno")
    ? stringList(r, get("errno"), "errno", id, (v, item, f) => {
      if (!ERRNO_NAMES.has(v)) {
        r.fail(item, f, `"${v}" is not an errno name (write EBUSY, not -EBUSY or 16)`, id);
      }
    })
    : [];
  const extack = fields.has("extack") ? stringList(r, get("extack"), "extack", id, () => {}) : [];

  let badAttr: string | undefined;
  if (fields.has("bad-attr")) {
    badAttr = scalarString(r, get("bad-attr"), "bad-attr", id);
    if (!BAD_ATTR_RE.test(badAttr)) {
      r.fail(get("bad-attr") as Node, "bad-attr", `"${badAttr}" is not a ynl path like .type`, id);
    }
  }
  let missType: string | undefined;
  if (fields.has("miss-type")) {
    missType = scalarString(r, get("miss-type"), "miss-type", id);
    if (!MISS_TYPE_RE.test(missType)) {
      r.fail(get("miss-type") as Node, "miss-type", `"${missType}" is not an attribute name`, id);
    }
  }

  const kernel: KernelRef[] = [];
  if (fields.has("kernel")) {
    const kn = get("kernel");
    if (!isSeq(kn) || kn.items.length === 0) {
      r.fail(kn as Node, "kernel", "must be a non-empty list of {function, file}", id);
    }
    kn.items.forEach((item, i) => {
      const f = `kernel[${i}]`;
      if (!isMap(item)) r.fail(item as Node, f, "must be a mapping {function, file}", id);
      const m = item as YAMLMap;
      let fn: string | undefined;
      let file: string | undefined;
      for (const pair of m.items) {
        const key = pair.key as Node;
        const name = isScalar(key) ? String(key.value) : "";
        if (!KERNEL_KEYS.includes(name)) {
          r.fail(key, `${f}.${name}`, "unknown key (known: function, file)", id);
        }
        const v = scalarString(r, pair.value, `${f}.${name}`, id);
        if (name === "function") {
          if (!FUNCTION_RE.test(v)) {
            r.fail(pair.value as Node, `${f}.function`, `"${v}" is not a C identifier`, id);
          }
          fn = v;
        } else {
          if (!FILE_RE.test(v)) {
            r.fail(pair.value as Node, `${f}.file`, `"${v}" is not a kernel file path`, id);
          }
          file = v;
        }
      }
      if (file === undefined) r.fail(m, `${f}.file`, "missing", id);
      kernel.push(fn === undefined ? { file } : { function: fn, file });
    });
  }

  const commits = fields.has("commits")
    ? stringList(r, get("commits"), "commits", id, (v, item, f) => {
      if (!COMMIT_RE.test(v)) r.fail(item, f, `"${v}" is not 12-40 lower-case hex digits`, id);
    })
    : [];

  let cve: string | undefined;
  if (fields.has("cve")) {
    cve = scalarString(r, get("cve"), "cve", id);
    if (!CVE_RE.test(cve)) r.fail(get("cve") as Node, "cve", `"${cve}" is not a CVE id`, id);
  }

  const versionsNode = get("versions");
  const versions = scalarString(r, versionsNode, "versions", id);
  let range: VersionRange;
  try {
    range = parseVersionRange(versions);
  } catch (e) {
    r.fail(versionsNode as Node, "versions", e instanceof Error ? e.message : String(e), id);
  }

  const statusNode = get("status");
  const status = scalarString(r, statusNode, "status", id);
  if (status !== "verified" && status !== "inferred") {
    r.fail(statusNode as Node, "status", `"${status}" is not verified or inferred`, id);
  }
  const source = scalarString(r, get("source"), "source", id).trim();

  const seeNodes: Node[] = [];
  const see = fields.has("see")
    ? stringList(r, get("see"), "see", id, (v, item, f) => {
      if (!FACT_ID_RE.test(v)) r.fail(item, f, `"${v}" is not a fact id`, id);
      if (v === id) r.fail(item, f, "a fact cannot see itself", id);
      seeNodes.push(item);
    })
    : [];

  const base = {
    id,
    title,
    statement,
    kind: kind as FactKind,
    errno,
    extack,
    kernel,
    commits,
    versions,
    range,
    status: status as FactStatus,
    source,
    see,
    line: r.pos(map).line,
  };
  return {
    fact: {
      ...base,
      ...(badAttr === undefined ? {} : { badAttr }),
      ...(missType === undefined ? {} : { missType }),
      ...(cve === undefined ? {} : { cve }),
    },
    seeNodes,
  };
}

class Base implements FactBase {
  readonly #byId: ReadonlyMap<string, Fact>;
  readonly #sorted: readonly string[];

  constructor(readonly file: string, readonly facts: readonly Fact[]) {
    this.#byId = new Map(facts.map((f) => [f.id, f]));
    this.#sorted = facts.map((f) => f.id).sort(compareFactIds);
  }

  get(id: string): Fact | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  ids(): string[] {
    return [...this.#sorted];
  }

  similar(id: string, limit = 12): string[] {
    const want = normaliseId(id);
    const wantFamily = factFamily(want);
    const scored: { id: string; score: number }[] = [];
    for (const known of this.#sorted) {
      const k = normaliseId(known);
      let score = -1;
      if (k === want) score = 0;
      else if (editDistanceAtMostOne(k, want)) score = 1;
      else if (factFamily(k) === wantFamily && wantFamily !== want) score = 2;
      else if (wantFamily.length > 1 && k.startsWith(`${wantFamily}-`)) score = 3;
      if (score >= 0) scored.push({ id: known, score });
    }
    scored.sort((a, b) => a.score - b.score || compareFactIds(a.id, b.id));
    return scored.slice(0, limit).map((s) => s.id);
  }

  inRange(id: string, kernelVersion: string): boolean {
    const fact = this.#byId.get(id);
    if (!fact) throw new UnknownFactError(id, this.similar(id, 5));
    return versionSatisfies(kernelVersion, fact.range);
  }
}

function errorPos(err: { linePos?: unknown; pos: [number, number] }, lines: LineCounter): Pos {
  const lp = err.linePos as { line: number; col: number }[] | undefined;
  const p = lp?.[0] ?? lines.linePos(err.pos[0]);
  return { line: p.line, column: p.col };
}

/**
 * Parses and validates the text of a fact file. `file` is the name used in error messages.
 * Every problem is a {@linkcode FactFileError}: YAML syntax, an entry that is not a mapping,
 * unknown or repeated keys, a missing required field, a bad id, kind, errno, version range,
 * status, commit or path, a duplicate id, or a `see` naming an id the file does not define.
 *
 * @throws {FactFileError} for the first problem found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFacts } from "./facts.ts";
 *
 * const text = [
 *   "- id: QC-20",
 *   "  title: lease queue id out of range",
 *   "  statement: The physical queue index must be below its live rx queue count.",
 *   "  kind: check",
 *   "  errno: ERANGE",
 *   "  versions: \">=7.1\"",
 *   "  status: verified",
 *   "  source: observed on 7.2.13",
 * ].join("\n");
 * const base = parseFacts(text, "mini.yaml");
 * assert.deepEqual(base.get("QC-20")?.errno, ["ERANGE"]);
 * assert.throws(() => parseFacts(text.replace("ERANGE", "-ERANGE"), "mini.yaml"), /mini.yaml:5:10/);
 * ```
 */
export function parseFacts(text: string, file: string): FactBase {
  const lines = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  } catch (e) {
    if (e instanceof Error && e.name === "NotCapable") {
      throw new FactFileError(
        file,
        1,
        1,
        "",
        "the yaml parser needs the environment variables LOG_TOKENS and LOG_STREAM: run " +
          "with --ignore-env=LOG_TOKENS,LOG_STREAM (or --allow-env=LOG_TOKENS,LOG_STREAM)",
      );
    }
    throw e;
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const p = errorPos(err, lines);
    throw new FactFileError(file, p.line, p.column, "", `YAML: ${err.message.split("\n")[0]}`);
  }
  const r: Reader = new Reader(file, lines);
  const root = doc.contents;
  if (!isSeq(root)) r.fail(root as Node, "", "the file must be a YAML list of fact entries");
  const raws = root.items.map((item, i) => readEntry(r, item, i));
  const seen = new Map<string, number>();
  raws.forEach((raw, i) => {
    const first = seen.get(raw.fact.id);
    if (first !== undefined) {
      const node = (root.items[i] as YAMLMap).get("id", true) as Node;
      r.fail(node, "id", `duplicate id (first defined at line ${first})`, raw.fact.id);
    }
    seen.set(raw.fact.id, raw.fact.line);
  });
  for (const raw of raws) {
    raw.fact.see.forEach((s, i) => {
      if (!seen.has(s)) {
        r.fail(raw.seeNodes[i], `see[${i}]`, `"${s}" is not defined in this file`, raw.fact.id);
      }
    });
  }
  return new Base(file, raws.map((r) => Object.freeze(r.fact) as Fact));
}

const DEFAULT_URL = new URL("./facts.yaml", import.meta.url);
let cached: FactBase | undefined;

/**
 * Reads and validates `spec/facts.yaml` (next to this module) synchronously, or the file at
 * `url`. The default file is read once and cached.
 *
 * @throws {FactFileError} for the first bad entry, naming file:line:column and the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadFacts } from "./facts.ts";
 *
 * const facts = loadFacts();
 * assert.ok(facts.ids().length > 250);
 * assert.equal(facts.get("NK-NEW-10")?.errno[0], "EOPNOTSUPP");
 * assert.ok(!facts.inRange("MP-U2", "7.2.13"));
 * ```
 */
export function loadFacts(url: URL = DEFAULT_URL): FactBase {
  const isDefault = url.href === DEFAULT_URL.href;
  if (isDefault && cached) return cached;
  const name = url.protocol === "file:" ? displayPath(url) : url.href;
  const base = parseFacts(Deno.readTextFileSync(url), name);
  if (isDefault) cached = base;
  return base;
}

function displayPath(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  const specDir = decodeURIComponent(new URL(".", import.meta.url).pathname);
  return path.startsWith(specDir) ? `spec/${path.slice(specDir.length)}` : path;
}
