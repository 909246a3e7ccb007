/**
 * Expectation matching: an adapter's actual outcome against a step's expectation (exact or
 * subset reply, present/absent paths, errno name and code, extack fields), with a line-per-
 * difference diff for reports.
 *
 * @module
 */

import type { ErrorExpectation, Expectation, JsonValue } from "./format.ts";

/** What an adapter observed for one step. */
export type Outcome =
  | {
    /** Success. */
    readonly kind: "reply";
    /** The reply in ynl JSON shape; null for an acknowledgement without payload. */
    readonly reply: JsonValue;
  }
  | {
    /** A netlink (or syscall) error. */
    readonly kind: "error";
    /** errno name, e.g. `"EBUSY"`. */
    readonly errno: string;
    /** Negated errno value as ynl prints it, e.g. -16. */
    readonly code: number;
    /** Extack `msg`, when set. */
    readonly extack?: string;
    /** Extack `bad-attr` path, when set. */
    readonly badAttr?: string;
    /** Extack `miss-type`, when set. */
    readonly missType?: string;
    /** Extack `miss-nest`, when set. */
    readonly missNest?: string;
  }
  | {
    /** The adapter cannot run this step (the implementation lacks the feature). */
    readonly kind: "unsupported";
    /** Why. */
    readonly reason: string;
  };

/** Renders a JSON value compactly for diffs. */
export function show(value: JsonValue | undefined): string {
  return value === undefined ? "absent" : JSON.stringify(value);
}

/**
 * Renders an outcome in one line: the reply as JSON, or the error the way ynl prints it
 * (`EBUSY (-16) "msg" {bad-attr: .lease.queue.id}`).
 *
 * @example Usage
 * ```ts
 * import { showOutcome } from "./match.ts";
 * import assert from "node:assert/strict";
 * assert.equal(showOutcome({ kind: "reply", reply: { id: 1 } }), 'reply {"id":1}');
 * ```
 */
export function showOutcome(o: Outcome): string {
  if (o.kind === "reply") return o.reply === null ? "ok (ack)" : `reply ${show(o.reply)}`;
  if (o.kind === "unsupported") return `unsupported: ${o.reason}`;
  return `error ${o.errno} (${o.code})` + errorDetails(o);
}

function errorDetails(e: {
  extack?: string | null;
  badAttr?: string | null;
  missType?: string | null;
  missNest?: string | null;
}): string {
  const parts: string[] = [];
  if (e.extack !== undefined) {
    parts.push(e.extack === null ? "no extack" : JSON.stringify(e.extack));
  }
  const fields: [string, string | null | undefined][] = [
    ["bad-attr", e.badAttr],
    ["miss-type", e.missType],
    ["miss-nest", e.missNest],
  ];
  const dict = fields.filter(([, v]) => v !== undefined).map(([k, v]) =>
    `${k}: ${v === null ? "none" : v}`
  );
  if (dict.length > 0) parts.push(`{${dict.join(", ")}}`);
  return parts.length === 0 ? "" : " " + parts.join(" ");
}

/**
 * Renders an expectation in one line, in the style of {@linkcode showOutcome}.
 *
 * @example Usage
 * ```ts
 * import { showExpectation } from "./match.ts";
 * import assert from "node:assert/strict";
 * assert.equal(showExpectation({ kind: "ok" }), "ok");
 * ```
 */
export function showExpectation(e: Expectation): string {
  if (e.kind === "ok") return "ok";
  if (e.kind === "error") return `error ${e.errno} (${e.code})` + errorDetails(e);
  const extra = [
    ...e.present.map((p) => `+${p}`),
    ...e.absent.map((p) => `-${p}`),
  ];
  return `${e.match === "exact" ? "reply" : "reply-subset"} ${show(e.reply)}` +
    (extra.length === 0 ? "" : ` [${extra.join(" ")}]`);
}

function isObject(v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Appends to `out` one line per difference between `expected` and `actual` at `path`. */
function compare(
  expected: JsonValue,
  actual: JsonValue | undefined,
  subset: boolean,
  path: string,
  out: string[],
): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      out.push(`${path}: expected a list, got ${show(actual)}`);
      return;
    }
    if (expected.length !== actual.length) {
      out.push(`${path}: expected ${expected.length} entries, got ${actual.length}`);
    }
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) compare(expected[i], actual[i], subset, `${path}[${i}]`, out);
    return;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) {
      out.push(`${path}: expected an object, got ${show(actual)}`);
      return;
    }
    for (const [k, v] of Object.entries(expected)) {
      compare(v, actual[k], subset, `${path}.${k}`, out);
    }
    if (!subset) {
      for (const [k, v] of Object.entries(actual)) {
        if (!(k in expected)) out.push(`${path}.${k}: expected absent, got ${show(v)}`);
      }
    }
    return;
  }
  if (expected !== actual) out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}

/**
 * The value at a reply path (`lease.netns-id`, `[1].lease`), or undefined when absent.
 *
 * @example Usage
 * ```ts
 * import { lookup } from "./match.ts";
 * import assert from "node:assert/strict";
 * assert.equal(lookup([{ lease: { ifindex: 3 } }], "[0].lease.ifindex"), 3);
 * ```
 */
export function lookup(value: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = value;
  for (const part of path.match(/\[[0-9]+\]|[^.[\]]+/g) ?? []) {
    if (part.startsWith("[")) {
      cur = Array.isArray(cur) ? cur[Number(part.slice(1, -1))] : undefined;
    } else {
      cur = isObject(cur) && Object.hasOwn(cur, part) ? cur[part] : undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

function matchError(e: ErrorExpectation, o: Outcome & { kind: "error" }, out: string[]): void {
  if (e.errno !== o.errno || e.code !== o.code) {
    out.push(`errno: expected ${e.errno} (${e.code}), got ${o.errno} (${o.code})`);
  }
  const fields: [string, string | null | undefined, string | undefined][] = [
    ["extack", e.extack, o.extack],
    ["bad-attr", e.badAttr, o.badAttr],
    ["miss-type", e.missType, o.missType],
    ["miss-nest", e.missNest, o.missNest],
  ];
  for (const [name, want, got] of fields) {
    if (want === undefined) continue;
    if ((want ?? undefined) !== got) {
      out.push(
        `${name}: expected ${want === null ? "none" : JSON.stringify(want)}, got ` +
          (got === undefined ? "none" : JSON.stringify(got)),
      );
    }
  }
}

/**
 * Compares an outcome with a (symbol-resolved) expectation; returns the differences, one per
 * line, empty when the step passes.
 *
 * @example Usage
 * ```ts
 * import { diffOutcome } from "./match.ts";
 * import assert from "node:assert/strict";
 * const d = diffOutcome(
 *   { kind: "reply", match: "subset", reply: { id: 1 }, present: [], absent: ["lease"] },
 *   { kind: "reply", reply: { id: 1, type: "rx" } },
 * );
 * assert.equal(d.length, 0);
 * ```
 */
export function diffOutcome(expected: Expectation, actual: Outcome): string[] {
  const out: string[] = [];
  if (actual.kind === "unsupported") {
    out.push(`the adapter cannot run this step: ${actual.reason}`);
    return out;
  }
  if (expected.kind === "error") {
    if (actual.kind !== "error") {
      out.push(`expected ${showExpectation(expected)}, got ${showOutcome(actual)}`);
    } else {
      matchError(expected, actual, out);
    }
    return out;
  }
  if (actual.kind !== "reply") {
    out.push(`expected ${showExpectation(expected)}, got ${showOutcome(actual)}`);
    return out;
  }
  if (expected.kind === "ok") return out;
  compare(expected.reply, actual.reply, expected.match === "subset", "reply", out);
  const at = (p: string) => (p.startsWith("[") ? `reply${p}` : `reply.${p}`);
  for (const p of expected.present) {
    if (lookup(actual.reply, p) === undefined) out.push(`${at(p)}: expected present, got absent`);
  }
  for (const p of expected.absent) {
    const v = lookup(actual.reply, p);
    if (v !== undefined) out.push(`${at(p)}: expected absent, got ${show(v)}`);
  }
  return out;
}
