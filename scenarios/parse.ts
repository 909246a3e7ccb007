/**
 * Parsing and validation of scenario files: YAML text → {@linkcode Scenario}.
 *
 * YAML errors become {@linkcode ScenarioSyntaxError}; every shape error (unknown key, wrong
 * type, undeclared namespace or symbol, inconsistent errno) becomes
 * {@linkcode ScenarioValidationError} naming the file, line, column and the path of the
 * offending field. Nothing else is thrown for any input text.
 *
 * @module
 */

import { type FactBase, loadFacts, parseVersionRange } from "../spec/facts.ts";
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { ERRNO_VALUES } from "./errno.ts";
import type {
  ErrorExpectation,
  Expectation,
  JsonObject,
  JsonValue,
  LinkDecl,
  NamespaceDecl,
  OpName,
  PeerDecl,
  PhysicalDecl,
  PhysicalKind,
  RaceSpec,
  Scenario,
  ScheduleEntry,
  SourcePos,
  Step,
  StepDefines,
  Topology,
} from "./format.ts";
import {
  type AttrSet,
  type AttrSpec,
  LINKINFO_SET,
  NEWLINK_SET,
  OP_NAMES,
  OPERATIONS,
  type SymbolKind,
} from "./ops.ts";
import { rawDeviceWarnings, type ScenarioWarning } from "./device_refs.ts";

/** A scenario that is not well-formed YAML. */
export class ScenarioSyntaxError extends SyntaxError {
  /** Stable error code. */
  readonly code: string = "LCS001";
  /** The file name given to the parser. */
  readonly file: string;
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error. */
  readonly column: number;

  /** Creates the error; `cause` is the YAML library's error. */
  constructor(file: string, line: number, column: number, detail: string, cause?: unknown) {
    super(`Cannot parse scenario ${file}:${line}:${column}: ${detail}`, { cause });
    this.name = "ScenarioSyntaxError";
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** A well-formed YAML document that is not a valid scenario. */
export class ScenarioValidationError extends TypeError {
  /** Stable error code. */
  readonly code: string = "LCS002";
  /** The file name given to the parser. */
  readonly file: string;
  /** 1-based line of the offending node. */
  readonly line: number;
  /** 1-based column of the offending node. */
  readonly column: number;
  /** Path of the offending field, e.g. `steps[3].request.lease.queue.id` (empty for the root). */
  readonly path: string;

  /** Creates the error. */
  constructor(file: string, line: number, column: number, path: string, detail: string) {
    super(`Cannot parse scenario ${file}:${line}:${column}: ${detail}`);
    this.name = "ScenarioValidationError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.path = path;
  }
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * The candidate closest to `word` when it is close enough to be a likely typo, else undefined.
 *
 * @example Usage
 * ```ts
 * import { suggest } from "./parse.ts";
 * import assert from "node:assert/strict";
 * assert.equal(suggest("ifindx", ["ifindex", "type"]), "ifindex");
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}

const TOP_KEYS = [
  "name",
  "description",
  "facts",
  "kernel",
  "source",
  "topology",
  "steps",
  "schedule",
  "race",
] as const;
const RACE_KEYS = ["repetitions", "jitter-us"] as const;
const STEP_KEYS = [
  "netns",
  "cap-net-admin",
  "op",
  "dump",
  "request",
  "expect",
  "defines",
  "thread",
  "note",
] as const;
const EXPECT_KEYS = ["ok", "reply", "reply-subset", "present", "absent", "error"] as const;
const ERROR_KEYS = ["errno", "code", "extack", "bad-attr", "miss-type", "miss-nest"] as const;

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const SYMBOL_RE = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const NETNS_RE = /^[A-Za-z0-9_.-]{1,32}$/;
const FACT_RE = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9A-Z]*[0-9][a-z]?$/;
const PATH_RE = /^(\[[0-9]+\]|[a-z0-9-]+)(\.[a-z0-9-]+|\[[0-9]+\])*$/;
const ATTR_PATH_RE = /^(\.[a-z0-9-]+(\([a-z0-9-]+\))?)+$/;
const THREAD_RE = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;
const RAW_ATTR_RE = /^attr-([0-9]{1,5})$/;

/** Built-in symbols every topology has: `lo` (ifindex 1 in every namespace). */
export const BUILTIN_SYMBOLS: Readonly<Record<string, SymbolKind>> = { lo: "device" };

/** A field as the walker sees it: the YAML node plus where to blame it. */
interface Field {
  readonly node: unknown;
  readonly path: string;
  readonly pos: SourcePos;
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

function where(path: string): string {
  return path === "" ? "the scenario" : path;
}

function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a sequence";
  if (isAlias(node)) return "an alias";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return "null";
    if (typeof v === "string") return `string ${JSON.stringify(v)}`;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return typeof v;
  }
  return node === null || node === undefined ? "nothing" : "an unsupported node";
}

/** The walker: one per parse, holds the file name, the line counter and the declared names. */
class Walker {
  readonly namespaces = new Set<string>(["init"]);
  readonly symbols = new Map<string, SymbolKind>(Object.entries(BUILTIN_SYMBOLS));

  constructor(readonly file: string, readonly lines: LineCounter) {}

  pos(node: unknown, fallback: SourcePos): SourcePos {
    const range = (node as { range?: unknown } | null)?.range;
    if (Array.isArray(range) && typeof range[0] === "number") {
      const p = this.lines.linePos(range[0]);
      return { line: p.line, column: p.col };
    }
    return fallback;
  }

  fail(at: SourcePos, path: string, detail: string): never {
    throw new ScenarioValidationError(this.file, at.line, at.column, path, detail);
  }

  /** Rejects aliases and tags the walker does not interpret. */
  plain(f: Field): void {
    if (isAlias(f.node)) this.fail(f.pos, f.path, `${where(f.path)}: aliases are not supported`);
  }

  /** The mapping's entries after checking every key is a known string. */
  map(f: Field, allowed: readonly string[]): Map<string, Field> {
    this.plain(f);
    if (!isMap(f.node)) {
      this.fail(f.pos, f.path, `${where(f.path)}: expected a mapping, got ${describe(f.node)}`);
    }
    const out = new Map<string, Field>();
    for (const item of f.node.items) {
      if (!isPair(item)) this.fail(f.pos, f.path, `${where(f.path)}: malformed mapping entry`);
      const keyPos = this.pos(item.key, f.pos);
      const key = isScalar(item.key) ? item.key.value : undefined;
      if (typeof key !== "string") {
        this.fail(
          keyPos,
          f.path,
          `${where(f.path)}: keys must be strings, got ${describe(item.key)}`,
        );
      }
      if (!allowed.includes(key)) {
        const hint = suggest(key, allowed);
        this.fail(
          keyPos,
          join(f.path, key),
          `unknown key ${JSON.stringify(key)} in ${where(f.path)}` +
            (hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`),
        );
      }
      if (out.has(key)) {
        this.fail(keyPos, join(f.path, key), `duplicate key ${JSON.stringify(key)}`);
      }
      const path = join(f.path, key);
      out.set(key, { node: item.value, path, pos: this.pos(item.value, keyPos) });
    }
    return out;
  }

  need(f: Field, entries: Map<string, Field>, key: string): Field {
    const e = entries.get(key);
    if (e === undefined) {
      this.fail(f.pos, join(f.path, key), `missing key ${JSON.stringify(key)} in ${where(f.path)}`);
    }
    return e;
  }

  seq(f: Field): Field[] {
    this.plain(f);
    if (!isSeq(f.node)) {
      this.fail(f.pos, f.path, `${where(f.path)}: expected a sequence, got ${describe(f.node)}`);
    }
    return f.node.items.map((node, i) => ({
      node,
      path: join(f.path, i),
      pos: this.pos(node, f.pos),
    }));
  }

  scalar(f: Field): unknown {
    this.plain(f);
    if (f.node === null || f.node === undefined) return null;
    if (!isScalar(f.node)) return undefined;
    return f.node.value;
  }

  str(f: Field, re?: RegExp, what = "a string"): string {
    const v = this.scalar(f);
    if (typeof v !== "string" || v === "" || (re !== undefined && !re.test(v))) {
      this.fail(f.pos, f.path, `${where(f.path)}: expected ${what}, got ${describe(f.node)}`);
    }
    return v;
  }

  int(f: Field, min: number, max: number): number {
    const v = this.scalar(f);
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(
        f.pos,
        f.path,
        `${where(f.path)}: expected an integer in ${min}..${max}, got ${describe(f.node)}`,
      );
    }
    return v;
  }

  bool(f: Field): boolean {
    const v = this.scalar(f);
    if (typeof v !== "boolean") {
      this.fail(f.pos, f.path, `${where(f.path)}: expected true or false, got ${describe(f.node)}`);
    }
    return v;
  }

  nullableStr(f: Field, re?: RegExp, what?: string): string | null {
    return this.scalar(f) === null ? null : this.str(f, re, what);
  }

  netns(f: Field): string {
    const name = this.str(f, NETNS_RE, "a namespace name");
    if (!this.namespaces.has(name)) {
      const hint = suggest(name, [...this.namespaces]);
      this.fail(
        f.pos,
        f.path,
        `${where(f.path)}: namespace ${JSON.stringify(name)} is not declared in the topology` +
          (hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`),
      );
    }
    return name;
  }

  defineSymbol(f: Field, kind: SymbolKind): string {
    const name = this.str(f, SYMBOL_RE, "a symbol name (letters, digits, _)");
    if (this.symbols.has(name)) {
      this.fail(f.pos, f.path, `${where(f.path)}: symbol ${JSON.stringify(name)} already defined`);
    }
    this.symbols.set(name, kind);
    return name;
  }

  /** A value of attribute spec `spec`. */
  value(f: Field, spec: AttrSpec): JsonValue {
    switch (spec.type) {
      case "int": {
        const v = this.scalar(f);
        if (typeof v === "string" && v.startsWith("$") && spec.ref !== undefined) {
          const name = v.slice(1);
          const kind = this.symbols.get(name);
          if (kind !== spec.ref) {
            const known = [...this.symbols].filter(([, k]) => k === spec.ref).map(([n]) => n);
            const hint = suggest(name, known);
            this.fail(
              f.pos,
              f.path,
              `${where(f.path)}: ${spec.ref} symbol ${JSON.stringify(v)} is not defined` +
                (hint === undefined ? "" : ` (did you mean "$${hint}"?)`),
            );
          }
          return v;
        }
        if (typeof v === "string" && spec.enum !== undefined) {
          if (spec.enum.includes(v)) return v;
          const hint = suggest(v, spec.enum);
          this.fail(
            f.pos,
            f.path,
            `${where(f.path)}: expected one of ${spec.enum.join(", ")} or an integer, got ` +
              `${describe(f.node)}` + (hint === undefined ? "" : ` (did you mean "${hint}"?)`),
          );
        }
        return this.int(f, spec.min, spec.max);
      }
      case "string": {
        const v = this.str(f);
        if (spec.enum !== undefined && !spec.enum.includes(v)) {
          this.fail(
            f.pos,
            f.path,
            `${where(f.path)}: expected one of ${spec.enum.join(", ")}, got ${describe(f.node)}`,
          );
        }
        return v;
      }
      case "bool":
        return this.bool(f);
      case "flags":
        return this.seq(f).map((e) => {
          const v = this.str(e);
          if (!spec.names.includes(v)) {
            const hint = suggest(v, spec.names);
            this.fail(
              e.pos,
              e.path,
              `${where(e.path)}: expected a flag name (${spec.names.join(", ")}), got ` +
                `${describe(e.node)}` + (hint === undefined ? "" : ` (did you mean "${hint}"?)`),
            );
          }
          return v;
        });
      case "netns":
        return this.netns(f);
      case "nest":
        return this.attrs(f, spec.set);
      case "nest-list":
        return this.seq(f).map((e) => this.attrs(e, spec.set));
    }
  }

  /** An object of attribute set `set` (a request, reply or nest). */
  attrs(f: Field, set: AttrSet): JsonObject {
    this.plain(f);
    const names = Object.keys(set.attrs);
    if (!isMap(f.node)) {
      this.fail(f.pos, f.path, `${where(f.path)}: expected a mapping, got ${describe(f.node)}`);
    }
    const allowed = [...names];
    for (const item of f.node.items) {
      const key = isPair(item) && isScalar(item.key) ? item.key.value : undefined;
      if (set.raw && typeof key === "string" && RAW_ATTR_RE.test(key)) allowed.push(key);
    }
    const entries = this.map(f, allowed);
    const out: Record<string, JsonValue> = {};
    for (const [key, e] of entries) {
      const raw = RAW_ATTR_RE.exec(key);
      if (raw !== null && set.attrs[key] === undefined) {
        const type = Number(raw[1]);
        if (type < 1 || type > 0x3fff) {
          this.fail(e.pos, e.path, `${e.path}: raw attribute types are 1..16383`);
        }
        out[key] = this.int(e, 0, 0xffffffff);
      } else {
        out[key] = this.value(e, set.attrs[key]);
      }
    }
    for (const key of set.required ?? []) this.need(f, entries, key);
    if (set === LINKINFO_SET) {
      const data = entries.get("data");
      if (data !== undefined && out.kind !== undefined && out.kind !== "netkit") {
        this.fail(data.pos, data.path, `${data.path}: only kind netkit takes data here`);
      }
    }
    return out;
  }
}

function namespaceDecls(w: Walker, f: Field): NamespaceDecl[] {
  const items = w.seq(f);
  const raw = items.map((item) => {
    const e = w.map(item, ["name", "nsids"]);
    const name = w.str(w.need(item, e, "name"), NETNS_RE, "a namespace name");
    if (w.namespaces.has(name) && name !== "init") {
      w.fail(item.pos, item.path, `${item.path}: namespace ${JSON.stringify(name)} declared twice`);
    }
    w.namespaces.add(name);
    return { item, e, name };
  });
  if (new Set(raw.map((r) => r.name)).size !== raw.length) {
    w.fail(f.pos, f.path, `${f.path}: a namespace is declared twice`);
  }
  const decls = raw.map(({ item, e, name }): NamespaceDecl => {
    const nsids: Record<string, number> = {};
    const n = e.get("nsids");
    if (n !== undefined) {
      const peers = w.map(n, [...w.namespaces].filter((x) => x !== name));
      const ids = new Set<number>();
      for (const [peer, v] of peers) {
        const id = w.int(v, 0, 0x7fffffff);
        if (ids.has(id)) w.fail(v.pos, v.path, `${v.path}: netns id ${id} assigned twice`);
        ids.add(id);
        nsids[peer] = id;
      }
    }
    return { name, nsids, pos: item.pos };
  });
  if (!decls.some((d) => d.name === "init")) {
    decls.unshift({ name: "init", nsids: {}, pos: f.pos });
  }
  return [...decls.filter((d) => d.name === "init"), ...decls.filter((d) => d.name !== "init")];
}

function physicalDecls(w: Walker, f: Field): PhysicalDecl[] {
  return w.seq(f).map((item) => {
    const e = w.map(item, ["name", "netns", "kind", "queues", "max-channels", "up"]);
    const name = w.defineSymbol(w.need(item, e, "name"), "device");
    const netns = e.has("netns") ? w.netns(e.get("netns")!) : "init";
    const kindF = w.need(item, e, "kind");
    const kind = w.str(kindF);
    if (kind !== "netdevsim" && kind !== "mlx5") {
      w.fail(kindF.pos, kindF.path, `${kindF.path}: expected netdevsim or mlx5, got "${kind}"`);
    }
    const queues = w.int(w.need(item, e, "queues"), 1, 1024);
    const maxF = e.get("max-channels");
    const maxChannels = maxF === undefined ? undefined : w.int(maxF, queues, 1024);
    const up = e.has("up") ? w.bool(e.get("up")!) : true;
    const decl: PhysicalDecl = {
      name,
      netns,
      kind: kind as PhysicalKind,
      queues,
      ...(maxChannels === undefined ? {} : { maxChannels }),
      up,
      pos: item.pos,
    };
    return decl;
  });
}

function linkDecls(w: Walker, f: Field): LinkDecl[] {
  return w.seq(f).map((item) => {
    const e = w.map(item, ["name", "netns", "request", "up", "peer"]);
    const netns = e.has("netns") ? w.netns(e.get("netns")!) : "init";
    const reqF = w.need(item, e, "request");
    const request = w.attrs(reqF, NEWLINK_SET);
    if (request["ifi-index"] !== undefined) {
      w.fail(reqF.pos, reqF.path, `${reqF.path}: a topology link creates a device: no ifi-index`);
    }
    const linkinfo = request.linkinfo as JsonObject | undefined;
    if (linkinfo?.kind === undefined) {
      w.fail(
        reqF.pos,
        join(reqF.path, "linkinfo.kind"),
        `missing key "linkinfo.kind" in ${reqF.path}`,
      );
    }
    const name = w.defineSymbol(w.need(item, e, "name"), "device");
    const up = e.has("up") ? w.bool(e.get("up")!) : true;
    let peer: PeerDecl | undefined;
    const pf = e.get("peer");
    if (pf !== undefined) {
      const pe = w.map(pf, ["name", "netns", "up"]);
      peer = {
        name: w.defineSymbol(w.need(pf, pe, "name"), "device"),
        netns: pe.has("netns") ? w.netns(pe.get("netns")!) : netns,
        up: pe.has("up") ? w.bool(pe.get("up")!) : true,
      };
    }
    const decl: LinkDecl = {
      name,
      netns,
      request,
      up,
      ...(peer === undefined ? {} : { peer }),
      pos: item.pos,
    };
    return decl;
  });
}

function topologyOf(w: Walker, f: Field): Topology {
  const e = w.map(f, ["namespaces", "physical", "links"]);
  const nsF = e.get("namespaces");
  const namespaces = nsF === undefined
    ? [{ name: "init", nsids: {}, pos: f.pos }]
    : namespaceDecls(w, nsF);
  const physical = e.has("physical") ? physicalDecls(w, e.get("physical")!) : [];
  const links = e.has("links") ? linkDecls(w, e.get("links")!) : [];
  return { namespaces, physical, links };
}

function errorExpectation(w: Walker, f: Field): ErrorExpectation {
  const e = w.map(f, ERROR_KEYS);
  const errnoF = w.need(f, e, "errno");
  const errno = w.str(errnoF, /^E[A-Z0-9]+$/, "an errno name such as EINVAL");
  const value = ERRNO_VALUES[errno];
  if (value === undefined) {
    const hint = suggest(errno, Object.keys(ERRNO_VALUES));
    w.fail(
      errnoF.pos,
      errnoF.path,
      `${errnoF.path}: unknown errno ${JSON.stringify(errno)}` +
        (hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`),
    );
  }
  const codeF = e.get("code");
  if (codeF !== undefined) {
    const code = w.int(codeF, -4095, -1);
    if (code !== -value) {
      w.fail(codeF.pos, codeF.path, `${codeF.path}: ${errno} is ${-value}, not ${code}`);
    }
  }
  const out: {
    kind: "error";
    errno: string;
    code: number;
    extack?: string | null;
    badAttr?: string | null;
    missType?: string | null;
    missNest?: string | null;
  } = { kind: "error", errno, code: -value };
  if (e.has("extack")) out.extack = w.nullableStr(e.get("extack")!);
  if (e.has("bad-attr")) {
    out.badAttr = w.nullableStr(e.get("bad-attr")!, ATTR_PATH_RE, "a path such as .lease.ifindex");
  }
  if (e.has("miss-type")) out.missType = w.nullableStr(e.get("miss-type")!);
  if (e.has("miss-nest")) {
    out.missNest = w.nullableStr(e.get("miss-nest")!, ATTR_PATH_RE, "a path such as .lease");
  }
  return out;
}

function replyValue(w: Walker, f: Field, op: OpName, dump: boolean): JsonValue {
  const spec = OPERATIONS[op];
  if (spec.reply === null) {
    w.fail(
      f.pos,
      f.path,
      `${f.path}: ${op} replies with an acknowledgement only; expect "ok: true" instead`,
    );
  }
  const set = spec.reply;
  return dump ? w.seq(f).map((item) => w.attrs(item, set)) : w.attrs(f, set);
}

function expectation(w: Walker, f: Field, op: OpName, dump: boolean): Expectation {
  const e = w.map(f, EXPECT_KEYS);
  const kinds = ["ok", "reply", "reply-subset", "error"].filter((k) => e.has(k));
  if (kinds.length !== 1) {
    w.fail(
      f.pos,
      f.path,
      `${f.path}: expected exactly one of ok, reply, reply-subset, error, got ` +
        (kinds.length === 0 ? "none" : kinds.join(", ")),
    );
  }
  const paths = (key: "present" | "absent"): string[] => {
    const pf = e.get(key);
    if (pf === undefined) return [];
    if (kinds[0] !== "reply-subset") {
      w.fail(pf.pos, pf.path, `${pf.path}: ${key} goes with reply-subset`);
    }
    return w.seq(pf).map((p) => w.str(p, PATH_RE, "a reply path such as lease.netns-id"));
  };
  switch (kinds[0]) {
    case "ok": {
      const okF = e.get("ok")!;
      if (w.bool(okF) !== true) {
        w.fail(okF.pos, okF.path, `${okF.path}: only "ok: true" is allowed`);
      }
      paths("present");
      paths("absent");
      return { kind: "ok" };
    }
    case "error":
      paths("present");
      paths("absent");
      return errorExpectation(w, e.get("error")!);
    default: {
      const subset = kinds[0] === "reply-subset";
      const reply = replyValue(w, e.get(kinds[0])!, op, dump);
      return {
        kind: "reply",
        match: subset ? "subset" : "exact",
        reply,
        present: paths("present"),
        absent: paths("absent"),
      };
    }
  }
}

function stepOf(w: Walker, f: Field, index: number): Step {
  const e = w.map(f, STEP_KEYS);
  const opF = w.need(f, e, "op");
  const opName = w.str(opF);
  if (!(OP_NAMES as readonly string[]).includes(opName)) {
    const hint = suggest(opName, OP_NAMES);
    w.fail(
      opF.pos,
      opF.path,
      `${opF.path}: unknown operation ${JSON.stringify(opName)}` +
        (hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`),
    );
  }
  const op = opName as OpName;
  const spec = OPERATIONS[op];
  const netns = e.has("netns") ? w.netns(e.get("netns")!) : "init";
  const capF = e.get("cap-net-admin");
  const capNetAdmin = capF === undefined ? true : w.bool(capF);
  const dumpF = e.get("dump");
  const dump = dumpF === undefined ? false : w.bool(dumpF);
  if (dump && !spec.dump) w.fail(dumpF!.pos, dumpF!.path, `${dumpF!.path}: ${op} has no dump`);
  const reqF = e.get("request");
  if (reqF === undefined && (spec.request.required?.length ?? 0) > 0) w.need(f, e, "request");
  const request = reqF === undefined ? {} : w.attrs(reqF, spec.request);
  const expF = e.get("expect");
  const expect: Expectation = expF === undefined ? { kind: "ok" } : expectation(w, expF, op, dump);
  const defines: { device?: string; peer?: string; binding?: string } = {};
  const defF = e.get("defines");
  if (defF !== undefined) {
    const de = w.map(defF, spec.defines);
    if (op === "newlink" && request["ifi-index"] !== undefined) {
      w.fail(defF.pos, defF.path, `${defF.path}: a newlink that changes a device defines nothing`);
    }
    if (de.has("device")) defines.device = w.defineSymbol(de.get("device")!, "device");
    if (de.has("peer")) defines.peer = w.defineSymbol(de.get("peer")!, "device");
    if (de.has("binding")) defines.binding = w.defineSymbol(de.get("binding")!, "binding");
  }
  const threadF = e.get("thread");
  const thread = threadF === undefined ? undefined : w.str(threadF, THREAD_RE, "a thread name");
  const noteF = e.get("note");
  const note = noteF === undefined ? undefined : w.str(noteF);
  const step: Step = {
    index,
    pos: f.pos,
    netns,
    capNetAdmin,
    op,
    dump,
    request,
    expect,
    defines: defines as StepDefines,
    ...(thread === undefined ? {} : { thread }),
    ...(note === undefined ? {} : { note }),
  };
  return step;
}

/**
 * A race's settings and the shape of its steps: setup steps (no thread) first, then at least
 * two threads whose steps expect nothing (the model computes what is allowed) and define no
 * symbol (each thread runs apart from the replayer's bookkeeping).
 */
function raceOf(w: Walker, f: Field, steps: readonly Step[], fields: readonly Field[]): RaceSpec {
  const e = w.map(f, RACE_KEYS);
  const rep = e.get("repetitions");
  const jitter = e.get("jitter-us");
  const threads = new Set<string>();
  steps.forEach((s, i) => {
    const at = `steps[${i}]`;
    if (s.thread === undefined) {
      if (threads.size > 0) {
        w.fail(s.pos, at, `${at}: a race's steps without a thread (its setup) come first`);
      }
      return;
    }
    threads.add(s.thread);
    const own = w.map(fields[i], STEP_KEYS);
    const expect = own.get("expect");
    if (expect !== undefined) {
      w.fail(
        expect.pos,
        `${at}.expect`,
        `${at}.expect: a race's threads expect nothing: the model computes the allowed outcomes`,
      );
    }
    const defines = own.get("defines");
    if (defines !== undefined) {
      w.fail(defines.pos, `${at}.defines`, `${at}.defines: a race's threads define no symbol`);
    }
  });
  if (threads.size < 2) {
    w.fail(f.pos, "race", `race: needs steps of at least two threads, got ${threads.size}`);
  }
  return {
    repetitions: rep === undefined ? 200 : w.int(rep, 1, 100_000),
    jitterUs: jitter === undefined ? 500 : w.int(jitter, 0, 1_000_000),
    pos: f.pos,
  };
}

function scheduleOf(w: Walker, f: Field, steps: readonly Step[]): ScheduleEntry[] {
  const perThread = new Map<string, number>();
  for (const s of steps) {
    if (s.thread === undefined) {
      w.fail(f.pos, `steps[${s.index}]`, `steps[${s.index}]: a scheduled scenario needs a thread`);
    }
    perThread.set(s.thread, (perThread.get(s.thread) ?? 0) + 1);
  }
  const completions = new Map<string, number>();
  const entries = w.seq(f).map((item): ScheduleEntry => {
    const text = w.str(
      item,
      /^[A-Za-z_][A-Za-z0-9_]{0,31}(:[A-Za-z0-9_-]{1,32})?$/,
      "THREAD or THREAD:LABEL",
    );
    const [thread, label] = text.split(":");
    if (!perThread.has(thread)) {
      const hint = suggest(thread, [...perThread.keys()]);
      w.fail(
        item.pos,
        item.path,
        `${item.path}: no step belongs to thread ${JSON.stringify(thread)}` +
          (hint === undefined ? "" : ` (did you mean ${JSON.stringify(hint)}?)`),
      );
    }
    if (label === undefined) {
      const n = (completions.get(thread) ?? 0) + 1;
      if (n > perThread.get(thread)!) {
        w.fail(item.pos, item.path, `${item.path}: thread ${thread} has only ${n - 1} steps`);
      }
      completions.set(thread, n);
    }
    return { thread, ...(label === undefined ? {} : { label }), pos: item.pos };
  });
  for (const [thread, n] of perThread) {
    if ((completions.get(thread) ?? 0) !== n) {
      w.fail(
        f.pos,
        f.path,
        `${f.path}: thread ${thread} has ${n} steps but the schedule completes ${
          completions.get(thread) ?? 0
        }`,
      );
    }
  }
  return entries;
}

/** Options of {@linkcode parseScenario}. */
export interface ParseOptions {
  /** The fact base fact ids are checked against (default: `spec/facts.yaml`). */
  readonly facts?: FactBase;
  /**
   * Steps that name a device by a raw ifindex or a name nothing in the scenario explains
   * (`rawDeviceWarnings`): `warn` (default) reports each to `onWarning`, `error` rejects the
   * scenario, `allow` says nothing.
   */
  readonly rawDevices?: "warn" | "error" | "allow";
  /** Receives each warning (default: warnings are dropped). */
  readonly onWarning?: (warning: ScenarioWarning) => void;
}

/**
 * Parses and validates a scenario. `fileName` is used in messages only; every fact id the
 * scenario cites must be in the fact base.
 *
 * @param text The YAML text.
 * @param fileName The file name to report in errors, e.g. `nk_qlease_test_double_lease.yaml`.
 * @param options The fact base the `facts` list is checked against (default `spec/facts.yaml`).
 * @returns The typed scenario.
 * @throws {ScenarioSyntaxError} When the text is not well-formed YAML (one document).
 * @throws {ScenarioValidationError} When the document is not a valid scenario.
 *
 * @example Usage
 * ```ts
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: queue-get\n    dump: true\n",
 *   "t.yaml",
 * );
 * assert.equal(s.steps[0].op, "queue-get");
 * assert.throws(() => parseScenario("name: t\ndescription: d\nfacts: [QC-99]\n", "t.yaml"), /fact base/);
 * ```
 */
export function parseScenario(
  text: string,
  fileName: string,
  options: ParseOptions = {},
): Scenario {
  const lines = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (cause) {
    // The YAML library only throws on pathological input (e.g. nesting deep enough to exhaust
    // the stack); report it as a syntax error at the start of the file.
    throw new ScenarioSyntaxError(
      fileName,
      1,
      1,
      `the YAML parser failed: ${String(cause)}`,
      cause,
    );
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const p = err.linePos?.[0] ?? lines.linePos(err.pos[0]);
    const detail = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ScenarioSyntaxError(fileName, p.line, p.col, detail, err);
  }
  const w = new Walker(fileName, lines);
  const root: Field = { node: doc.contents, path: "", pos: { line: 1, column: 1 } };
  if (doc.contents === null) w.fail(root.pos, "", "the file is empty");
  const e = w.map(root, TOP_KEYS);
  const name = w.str(w.need(root, e, "name"), NAME_RE, "a name of letters, digits, _ . -");
  const description = w.str(w.need(root, e, "description"));
  const factsF = w.need(root, e, "facts");
  const base = options.facts ?? loadFacts();
  const facts = w.seq(factsF).map((f) => {
    const id = w.str(f, FACT_RE, "a fact id such as QC-22");
    if (!base.has(id)) {
      const like = base.similar(id, 3);
      w.fail(
        f.pos,
        f.path,
        `facts: "${id}" is not in the fact base (spec/facts.yaml)` +
          (like.length ? `; did you mean ${like.join(", ")}?` : ""),
      );
    }
    return id;
  });
  const dup = facts.find((x, i) => facts.indexOf(x) !== i);
  if (dup !== undefined) w.fail(factsF.pos, factsF.path, `facts: ${dup} is listed twice`);
  const kernelF = w.need(root, e, "kernel");
  const kernel = w.str(kernelF, undefined, 'a kernel version range such as ">=7.2"');
  try {
    parseVersionRange(kernel);
  } catch (err) {
    w.fail(
      kernelF.pos,
      kernelF.path,
      `kernel: ${JSON.stringify(kernel)} is not a kernel version range (${
        err instanceof Error ? err.message : String(err)
      }; syntax in spec/README.md, e.g. ">=7.2", "7.3", ">=7.1 <7.1.5")`,
    );
  }
  const source = e.has("source") ? w.str(e.get("source")!) : undefined;
  const topology = topologyOf(w, w.need(root, e, "topology"));
  const stepsF = w.need(root, e, "steps");
  const stepFields = w.seq(stepsF);
  if (stepFields.length === 0) w.fail(stepsF.pos, "steps", "steps: expected at least one step");
  const steps = stepFields.map((f, i) => stepOf(w, f, i));
  const schedF = e.get("schedule");
  const raceF = e.get("race");
  let schedule: ScheduleEntry[] | undefined;
  let race: RaceSpec | undefined;
  if (raceF !== undefined) {
    if (schedF !== undefined) {
      w.fail(schedF.pos, "schedule", "schedule: a race has no schedule (its threads run at once)");
    }
    race = raceOf(w, raceF, steps, stepFields);
  } else if (schedF !== undefined) schedule = scheduleOf(w, schedF, steps);
  else {
    const threaded = steps.find((s) => s.thread !== undefined);
    if (threaded !== undefined) {
      w.fail(
        threaded.pos,
        `steps[${threaded.index}].thread`,
        `steps[${threaded.index}].thread: threads need a schedule`,
      );
    }
  }
  const scenario: Scenario = {
    file: fileName,
    name,
    description,
    facts,
    kernel,
    ...(source === undefined ? {} : { source }),
    topology,
    steps,
    ...(schedule === undefined ? {} : { schedule }),
    ...(race === undefined ? {} : { race }),
  };
  if (options.rawDevices !== "allow") {
    for (const warning of rawDeviceWarnings(scenario)) {
      if (options.rawDevices === "error") {
        w.fail(warning.pos, warning.path, `${warning.message} (rawDevices: "allow" permits it)`);
      }
      options.onWarning?.(warning);
    }
  }
  return scenario;
}
