/**
 * Traces in the Informal Trace Format (ITF, Apalache ADR-015), as Quint, Apalache, itf-rs and
 * the ITF trace viewer read them: `#meta` on the trace and on every state, every integer as
 * `{"#bigint": "N"}`, `Map`s as `#map`, `Set`s as sorted `#set`s, and Quint's model-based-testing
 * variables `mbt::actionTaken` and `mbt::nondetPicks` in every state.
 *
 * The encoding is generic: any plain-data state of any spec converts. Arrays become lists,
 * plain objects records, `null` the variant `None` (`{"tag": "None", "value": {"#tup": []}}`);
 * an `undefined` record field is left out, an `undefined` state variable or list element is
 * `None` too (every state defines every variable). Values ITF cannot hold (fractions, NaN,
 * functions, class instances) become `{"#unserializable": "..."}`. A record whose keys start
 * with `#` (ITF reserves them) becomes a `#map` with string keys.
 *
 * @module
 */

import type { Trace } from "./result.ts";

/** An ITF value. */
export type ItfValue =
  | boolean
  | string
  | { readonly "#bigint": string }
  | readonly ItfValue[]
  | { readonly "#tup": readonly ItfValue[] }
  | { readonly "#set": readonly ItfValue[] }
  | { readonly "#map": readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly "#unserializable": string }
  | { readonly [field: string]: ItfValue };

/** The trace-level `#meta` object: the ADR's known fields, then our own, all strings. */
export interface ItfTraceMeta {
  /** Always `"ITF"`. */
  readonly format: "ITF";
  /** Where the format is described. */
  readonly "format-description": string;
  /** The tool (and spec) that produced the trace. */
  readonly source: string;
  /** What the trace shows. */
  readonly description: string;
  /** Milliseconds since the epoch when the trace was written. */
  readonly timestamp: number;
  /** Extra fields (spec name, violation, replay token, reproduce command): strings only. */
  readonly [extra: string]: string | number;
}

/** The `#meta` object of one state: its position and the label of the step that reached it. */
export interface ItfStateMeta {
  /** 0-based position in the trace. */
  readonly index: number;
  /** The step's label, e.g. `queue-create(@ns1 {...})` (`Init` for the first state). */
  readonly label: string;
}

/** One state: `#meta` plus one field per variable. */
export interface ItfState {
  /** Position and label. */
  readonly "#meta": ItfStateMeta;
  /** The variables. */
  readonly [variable: string]: ItfValue | ItfStateMeta;
}

/** An ITF trace. */
export interface ItfTrace {
  /** Trace metadata. */
  readonly "#meta": ItfTraceMeta;
  /** The variables every state defines (the spec's, then the two `mbt::` ones). */
  readonly vars: readonly string[];
  /** The states, the initial one first. */
  readonly states: readonly ItfState[];
}

/** What the caller knows about a trace, for its `#meta`. */
export interface ItfMetaInput {
  /** Producer (default `"leasecheck"`). */
  readonly source?: string;
  /** What the trace shows (default: the spec and the violation, when given). */
  readonly description?: string;
  /** Milliseconds since the epoch (default `Date.now()`). */
  readonly timestamp?: number;
  /** The spec's name, e.g. `netkit-queue-leasing[C-02]`. */
  readonly spec?: string;
  /** The violation, e.g. `invariant INV-L1`. */
  readonly violation?: string;
  /** The command that reproduces the trace (e.g. `deno task check ... --replay TOKEN`). */
  readonly reproduce?: string;
  /** More string fields (kernel version, scenario file...). */
  readonly extra?: Readonly<Record<string, string>>;
}

/** The variable naming the action taken into each state (Quint `--mbt`). */
export const MBT_ACTION_TAKEN = "mbt::actionTaken";
/** The variable holding the nondeterministic picks of that action (Quint `--mbt`). */
export const MBT_NONDET_PICKS = "mbt::nondetPicks";

const FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html";
const UNIT: ItfValue = { "#tup": [] };
const NONE: ItfValue = { tag: "None", value: UNIT };

function some(value: ItfValue): ItfValue {
  return { tag: "Some", value };
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function bigintOf(v: ItfValue): bigint | null {
  if (typeof v !== "object" || v === null || Array.isArray(v) || !("#bigint" in v)) return null;
  return BigInt((v as { "#bigint": string })["#bigint"]);
}

/** Orders encoded values: integers numerically, everything else by its JSON text. */
function compareItf(a: ItfValue, b: ItfValue): number {
  const ia = bigintOf(a);
  const ib = bigintOf(b);
  if (ia !== null && ib !== null) return ia < ib ? -1 : ia > ib ? 1 : 0;
  if (ia !== null) return -1;
  if (ib !== null) return 1;
  const ja = JSON.stringify(a);
  const jb = JSON.stringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

/**
 * Encodes one plain-data value as an ITF value (see the module documentation for the rules).
 *
 * @param value A number, bigint, string, boolean, null, undefined, array, plain object, Map or
 * Set, nested freely.
 * @returns The ITF encoding.
 *
 * @example Usage
 * ```ts
 * import { toItfValue } from "./itf.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(toItfValue({ q: [1, null], s: new Set([3, 2]) }), {
 *   q: [{ "#bigint": "1" }, { tag: "None", value: { "#tup": [] } }],
 *   s: { "#set": [{ "#bigint": "2" }, { "#bigint": "3" }] },
 * });
 * ```
 */
export function toItfValue(value: unknown): ItfValue {
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "bigint":
      return { "#bigint": value.toString() };
    case "number":
      return Number.isInteger(value)
        ? { "#bigint": BigInt(value).toString() }
        : { "#unserializable": String(value) };
    case "undefined":
      return NONE;
    case "object": {
      if (value === null) return NONE;
      if (Array.isArray(value)) return value.map(toItfValue);
      if (value instanceof Set) return { "#set": [...value].map(toItfValue).sort(compareItf) };
      if (value instanceof Map) {
        const entries = [...value].map(([k, v]) => [toItfValue(k), toItfValue(v)] as const);
        return { "#map": entries.sort((a, b) => compareItf(a[0], b[0])) };
      }
      if (!isPlainObject(value)) return { "#unserializable": String(value) };
      const fields = Object.entries(value).filter(([, v]) => v !== undefined);
      if (fields.some(([k]) => k.startsWith("#"))) {
        return { "#map": fields.map(([k, v]) => [k, toItfValue(v)] as const) };
      }
      const out: Record<string, ItfValue> = {};
      for (const [k, v] of fields) out[k] = toItfValue(v);
      return out;
    }
    default:
      return { "#unserializable": typeof value };
  }
}

/** The state's variables: its fields when it is a plain object, else one variable `value`. */
function variablesOf(state: unknown): Record<string, unknown> {
  return typeof state === "object" && state !== null && !Array.isArray(state) &&
      !(state instanceof Map) && !(state instanceof Set) && isPlainObject(state)
    ? state
    : { value: state };
}

/**
 * Converts an engine trace into an ITF trace. Each state gets `#meta` (index and step label),
 * its variables, `mbt::actionTaken` (the step's action name, `Init` first) and
 * `mbt::nondetPicks` (`{param: Some(p)}` for a step with parameter `p`, `{param: None}` for
 * the initial state and for actions without a parameter).
 *
 * @param trace The trace (a violation's, or one rebuilt with `replayPath`).
 * @param meta What to put in the trace's `#meta`; extra values must be strings.
 * @returns The ITF trace, ready for `JSON.stringify`.
 * @throws {TypeError} When an extra `#meta` value is not a string (itf-rs rejects those).
 *
 * @example Usage
 * ```ts
 * import { toItf } from "./itf.ts";
 * import assert from "node:assert/strict";
 * const itf = toItf({
 *   token: "1AB",
 *   steps: [
 *     { action: "Init", param: 0, label: "Init", state: { x: 0 } },
 *     { action: "Inc", param: 2, label: "Inc(2)", state: { x: 2 } },
 *   ],
 * }, { spec: "counter", timestamp: 0 });
 * assert.deepEqual(itf.vars, ["x", "mbt::actionTaken", "mbt::nondetPicks"]);
 * assert.deepEqual(itf.states[1].x, { "#bigint": "2" });
 * assert.equal(itf.states[1]["mbt::actionTaken"], "Inc");
 * ```
 */
export function toItf<S>(trace: Trace<S>, meta: ItfMetaInput = {}): ItfTrace {
  const vars: string[] = [];
  const seen = new Set<string>();
  for (const step of trace.steps) {
    for (const [k, v] of Object.entries(variablesOf(step.state))) {
      if (v !== undefined && !seen.has(k)) {
        seen.add(k);
        vars.push(k);
      }
    }
  }
  const states = trace.steps.map((step, index): ItfState => {
    const fields = variablesOf(step.state);
    const out: Record<string, ItfValue | ItfStateMeta> = {
      "#meta": { index, label: step.label },
    };
    for (const v of vars) out[v] = toItfValue(fields[v]);
    out[MBT_ACTION_TAKEN] = step.action;
    out[MBT_NONDET_PICKS] = {
      param: index === 0 || step.param === undefined ? NONE : some(toItfValue(step.param)),
    };
    return out as ItfState;
  });
  const extras: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined) extras[key] = value;
  };
  put("spec", meta.spec);
  put("violation", meta.violation);
  put("token", trace.token);
  put("reproduce", meta.reproduce);
  for (const [k, v] of Object.entries(meta.extra ?? {})) {
    if (typeof v !== "string") {
      throw new TypeError(`Cannot write ITF #meta field "${k}": extra values must be strings`);
    }
    extras[k] = v;
  }
  const description = meta.description ??
    [meta.spec, meta.violation].filter((x) => x !== undefined).join(": ");
  return {
    "#meta": {
      format: "ITF",
      "format-description": FORMAT_DESCRIPTION,
      source: meta.source ?? "leasecheck",
      description: description === "" ? `trace ${trace.token}` : description,
      timestamp: meta.timestamp ?? Date.now(),
      ...extras,
    },
    vars: [...vars, MBT_ACTION_TAKEN, MBT_NONDET_PICKS],
    states,
  };
}
