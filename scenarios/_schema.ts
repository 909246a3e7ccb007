/**
 * Builds the JSON Schema (draft 2020-12) of scenario files from the operation catalogue, so
 * `schema.json` and the parser cannot drift apart (a test compares the file with this output),
 * and a small validator for the subset of JSON Schema the file uses (no new dependency).
 *
 * @module
 */

import type { JsonObject, JsonValue } from "./format.ts";
import { type AttrSet, type AttrSpec, OP_NAMES, OPERATIONS } from "./ops.ts";

type Schema = { [key: string]: JsonValue };

const SYMBOL = "^\\$[A-Za-z_][A-Za-z0-9_]{0,31}$";
const ERRNO_NAME = "^E[A-Z0-9]+$";
const NULLABLE_STRING: Schema = { type: ["string", "null"] };

function attrSchema(spec: AttrSpec, ref: (set: AttrSet) => Schema): Schema {
  switch (spec.type) {
    case "int": {
      const alts: Schema[] = [{ type: "integer", minimum: spec.min, maximum: spec.max }];
      if (spec.enum !== undefined) alts.push({ enum: [...spec.enum] });
      if (spec.ref !== undefined) {
        alts.push({ type: "string", pattern: SYMBOL, description: `a ${spec.ref} symbol` });
      }
      return alts.length === 1 ? alts[0] : { anyOf: alts };
    }
    case "string":
      return spec.enum === undefined ? { type: "string" } : { enum: [...spec.enum] };
    case "bool":
      return { type: "boolean" };
    case "flags":
      return { type: "array", items: { enum: [...spec.names] }, uniqueItems: true };
    case "netns":
      return { $ref: "#/$defs/netns-name" };
    case "nest":
      return ref(spec.set);
    case "nest-list":
      return { type: "array", items: ref(spec.set) };
  }
}

/**
 * The JSON Schema of scenario files.
 *
 * @example Usage
 * ```ts
 * import { scenarioSchema } from "./_schema.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scenarioSchema().$schema, "https://json-schema.org/draft/2020-12/schema");
 * ```
 */
export function scenarioSchema(): Schema {
  const defs: Record<string, Schema> = {};
  const names = new Map<AttrSet, string>();
  const ref = (set: AttrSet): Schema => {
    let name = names.get(set);
    if (name === undefined) {
      name = `set-${set.name}`;
      for (let i = 2; Object.hasOwn(defs, name); i++) name = `set-${set.name}-${i}`;
      names.set(set, name);
      defs[name] = {}; // reserve before recursing
      const properties: Schema = {};
      for (const [k, spec] of Object.entries(set.attrs)) properties[k] = attrSchema(spec, ref);
      const s: Schema = { type: "object", properties, additionalProperties: false };
      if (set.raw) s.patternProperties = { "^attr-[0-9]{1,5}$": { type: "integer", minimum: 0 } };
      if (set.required !== undefined) s.required = [...set.required];
      defs[name] = s;
    }
    return { $ref: `#/$defs/${name}` };
  };
  const steps: Schema[] = [];
  for (const op of OP_NAMES) {
    const spec = OPERATIONS[op];
    const replies: Schema[] = [{ $ref: "#/$defs/expect-ok" }, { $ref: "#/$defs/expect-error" }];
    if (spec.reply !== null) {
      const one = ref(spec.reply);
      const reply: Schema = spec.dump ? { anyOf: [one, { type: "array", items: one }] } : one;
      replies.push(
        {
          type: "object",
          properties: { reply },
          required: ["reply"],
          additionalProperties: false,
        },
        {
          type: "object",
          properties: {
            "reply-subset": reply,
            present: { $ref: "#/$defs/reply-paths" },
            absent: { $ref: "#/$defs/reply-paths" },
          },
          required: ["reply-subset"],
          additionalProperties: false,
        },
      );
    }
    const defines: Schema = {};
    for (const d of spec.defines) defines[d] = { $ref: "#/$defs/symbol-name" };
    const properties: Schema = {
      netns: { $ref: "#/$defs/netns-name" },
      "cap-net-admin": { type: "boolean" },
      op: { const: op, description: spec.doc },
      request: ref(spec.request),
      expect: { oneOf: replies },
      defines: { type: "object", properties: defines, additionalProperties: false },
      thread: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,31}$" },
      note: { type: "string" },
    };
    if (spec.dump) properties.dump = { type: "boolean" };
    const step: Schema = {
      type: "object",
      properties,
      required: ["op"],
      additionalProperties: false,
    };
    defs[`step-${op}`] = step;
    steps.push({ $ref: `#/$defs/step-${op}` });
  }
  Object.assign(defs, {
    "netns-name": { type: "string", pattern: "^[A-Za-z0-9_.-]{1,32}$" },
    "symbol-name": { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,31}$" },
    "reply-paths": {
      type: "array",
      items: {
        type: "string",
        pattern: "^(\\[[0-9]+\\]|[a-z0-9-]+)(\\.[a-z0-9-]+|\\[[0-9]+\\])*$",
      },
    },
    "expect-ok": {
      type: "object",
      properties: { ok: { const: true } },
      required: ["ok"],
      additionalProperties: false,
    },
    "expect-error": {
      type: "object",
      properties: {
        error: {
          type: "object",
          properties: {
            errno: { type: "string", pattern: ERRNO_NAME },
            code: { type: "integer", minimum: -4095, maximum: -1 },
            extack: NULLABLE_STRING,
            "bad-attr": NULLABLE_STRING,
            "miss-type": NULLABLE_STRING,
            "miss-nest": NULLABLE_STRING,
          },
          required: ["errno"],
          additionalProperties: false,
        },
      },
      required: ["error"],
      additionalProperties: false,
    },
    namespace: {
      type: "object",
      properties: {
        name: { $ref: "#/$defs/netns-name" },
        nsids: {
          type: "object",
          additionalProperties: { type: "integer", minimum: 0, maximum: 2147483647 },
        },
      },
      required: ["name"],
      additionalProperties: false,
    },
    physical: {
      type: "object",
      properties: {
        name: { $ref: "#/$defs/symbol-name" },
        netns: { $ref: "#/$defs/netns-name" },
        kind: { enum: ["netdevsim", "mlx5"] },
        queues: { type: "integer", minimum: 1, maximum: 1024 },
        "max-channels": { type: "integer", minimum: 1, maximum: 1024 },
        up: { type: "boolean" },
      },
      required: ["name", "kind", "queues"],
      additionalProperties: false,
    },
    link: {
      type: "object",
      properties: {
        name: { $ref: "#/$defs/symbol-name" },
        netns: { $ref: "#/$defs/netns-name" },
        request: ref(OPERATIONS.newlink.request),
        up: { type: "boolean" },
        peer: {
          type: "object",
          properties: {
            name: { $ref: "#/$defs/symbol-name" },
            netns: { $ref: "#/$defs/netns-name" },
            up: { type: "boolean" },
          },
          required: ["name"],
          additionalProperties: false,
        },
      },
      required: ["name", "request"],
      additionalProperties: false,
    },
    topology: {
      type: "object",
      properties: {
        namespaces: { type: "array", items: { $ref: "#/$defs/namespace" } },
        physical: { type: "array", items: { $ref: "#/$defs/physical" } },
        links: { type: "array", items: { $ref: "#/$defs/link" } },
      },
      additionalProperties: false,
    },
    step: { oneOf: steps },
  });
  const sorted: Record<string, Schema> = {};
  for (const k of Object.keys(defs).sort()) sorted[k] = defs[k];
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/leasecheck/leasecheck/scenarios/schema.json",
    title: "leasecheck scenario",
    description: "A replayable rx-queue leasing scenario; see scenarios/README.md.",
    type: "object",
    properties: {
      name: { type: "string", pattern: "^[A-Za-z0-9_.-]{1,64}$" },
      description: { type: "string", minLength: 1 },
      facts: {
        type: "array",
        items: { type: "string", pattern: "^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-[0-9A-Z]*[0-9][a-z]?$" },
        uniqueItems: true,
      },
      kernel: {
        type: "string",
        minLength: 1,
        description: 'kernel version range the expectations hold on (">=7.2", "7.3")',
      },
      source: { type: "string" },
      topology: { $ref: "#/$defs/topology" },
      steps: { type: "array", minItems: 1, items: { $ref: "#/$defs/step" } },
      schedule: {
        type: "array",
        items: {
          type: "string",
          pattern: "^[A-Za-z_][A-Za-z0-9_]{0,31}(:[A-Za-z0-9_-]{1,32})?$",
        },
      },
      race: {
        type: "object",
        description: "the threads run at once, repeatedly; the model computes the allowed outcomes",
        properties: {
          repetitions: { type: "integer", minimum: 1, maximum: 100000 },
          "jitter-us": { type: "integer", minimum: 0, maximum: 1000000 },
        },
        additionalProperties: false,
      },
    },
    required: ["name", "description", "facts", "kernel", "topology", "steps"],
    additionalProperties: false,
    $defs: sorted,
  };
}

function typeOf(v: JsonValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(want: JsonValue, v: JsonValue): boolean {
  const wants = Array.isArray(want) ? want : [want];
  const t = typeOf(v);
  return wants.some((w) => w === t || (w === "number" && t === "integer"));
}

/**
 * Validates `value` against `schema` (the subset of JSON Schema `scenarioSchema` uses: `$ref`,
 * `type`, `properties`, `patternProperties`, `additionalProperties`, `required`, `items`,
 * `enum`, `const`, `anyOf`, `oneOf`, `minimum`, `maximum`, `pattern`, `minItems`, `minLength`)
 * and returns one message per problem, each naming the path.
 *
 * @example Usage
 * ```ts
 * import { scenarioSchema, validateWithSchema } from "./_schema.ts";
 * import assert from "node:assert/strict";
 * assert.ok(validateWithSchema({ nam: "x" }, scenarioSchema()).length > 0);
 * ```
 */
export function validateWithSchema(value: JsonValue, root: Schema): string[] {
  const out: string[] = [];
  const defs = (root.$defs ?? {}) as Record<string, Schema>;
  const check = (v: JsonValue, s: Schema, path: string, errs: string[]): void => {
    if (typeof s.$ref === "string") {
      const target = defs[s.$ref.replace("#/$defs/", "")];
      if (target === undefined) errs.push(`${path}: unresolved $ref ${s.$ref}`);
      else check(v, target, path, errs);
    }
    if (s.type !== undefined && !typeMatches(s.type, v)) {
      errs.push(`${path}: expected ${JSON.stringify(s.type)}, got ${typeOf(v)}`);
      return;
    }
    if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(v)) {
      errs.push(`${path}: expected ${JSON.stringify(s.const)}`);
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      errs.push(`${path}: expected one of ${JSON.stringify(s.enum)}`);
    }
    if (typeof v === "number") {
      if (typeof s.minimum === "number" && v < s.minimum) errs.push(`${path}: below ${s.minimum}`);
      if (typeof s.maximum === "number" && v > s.maximum) errs.push(`${path}: above ${s.maximum}`);
    }
    if (typeof v === "string") {
      if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v)) {
        errs.push(`${path}: does not match ${s.pattern}`);
      }
      if (typeof s.minLength === "number" && v.length < s.minLength) {
        errs.push(`${path}: too short`);
      }
    }
    for (const key of ["anyOf", "oneOf"] as const) {
      const alts = s[key];
      if (!Array.isArray(alts)) continue;
      const results = alts.map((a) => {
        const e: string[] = [];
        check(v, a as Schema, path, e);
        return e;
      });
      const ok = results.filter((e) => e.length === 0).length;
      if (key === "anyOf" ? ok === 0 : ok !== 1) {
        const best = results.reduce((a, b) => (b.length < a.length ? b : a));
        errs.push(
          ok === 0 ? (best[0] ?? `${path}: no alternative matches`) : `${path}: ${ok} match`,
        );
      }
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === "number" && v.length < s.minItems) errs.push(`${path}: too few`);
      if (s.items !== undefined) {
        v.forEach((x, i) => check(x, s.items as Schema, `${path}[${i}]`, errs));
      }
    } else if (typeof v === "object" && v !== null) {
      const obj = v as JsonObject;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>);
      for (const key of (Array.isArray(s.required) ? s.required : []) as string[]) {
        if (!Object.hasOwn(obj, key)) errs.push(`${path}: missing ${key}`);
      }
      for (const [key, x] of Object.entries(obj)) {
        const at = `${path}.${key}`;
        if (Object.hasOwn(props, key)) {
          check(x, props[key], at, errs);
          continue;
        }
        const pat = patterns.find(([p]) => new RegExp(p, "u").test(key));
        if (pat !== undefined) check(x, pat[1], at, errs);
        else if (s.additionalProperties === false) errs.push(`${at}: key not allowed`);
        else if (typeof s.additionalProperties === "object" && s.additionalProperties !== null) {
          check(x, s.additionalProperties as Schema, at, errs);
        }
      }
    }
  };
  check(value, root, "$", out);
  return out;
}

if (import.meta.main) {
  // deno run scenarios/_schema.ts > scenarios/schema.json && deno fmt scenarios/schema.json
  console.log(JSON.stringify(scenarioSchema(), null, 2));
}
