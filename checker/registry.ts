/**
 * Named, parameterised specs that a command line (or a worker) can build by name: the generic
 * mechanism behind `--spec NAME --param key=value`.
 *
 * @module
 */

import type { Spec } from "./spec.ts";

/** A parameter value. */
export type ParamValue = number | boolean | string;

/** Declaration of one spec parameter. */
export interface ParamInfo {
  /** The value's type. */
  readonly type: "int" | "bool" | "string";
  /** The default value. */
  readonly default: ParamValue;
  /** What the parameter means. */
  readonly description: string;
  /** Smallest accepted value (int only). */
  readonly min?: number;
  /** Largest accepted value (int only). */
  readonly max?: number;
  /** Accepted values (string only). */
  readonly choices?: readonly string[];
}

/** A spec that can be built by name with parameters. */
export interface SpecEntry<S = unknown> {
  /** The name used with `--spec`. */
  readonly name: string;
  /** One line saying what the spec models. */
  readonly description: string;
  /** The parameters `build` accepts. */
  readonly params: Readonly<Record<string, ParamInfo>>;
  /** Builds the spec from complete, validated parameter values. */
  build(params: Readonly<Record<string, ParamValue>>): Spec<S>;
}

/**
 * Declares a registry entry for a spec of any state type (the registry holds entries of
 * different state types side by side; the engine treats states as opaque plain data).
 */
export function specEntry<S>(entry: SpecEntry<S>): SpecEntry {
  return entry as unknown as SpecEntry;
}

/** A mistake in how a command was called: reported in one line, exit code 2. */
export class UsageError extends TypeError {
  /** The error's class name. */
  override readonly name: string = "UsageError";
  /** Stable error code. */
  readonly code: string = "LC-USAGE";
}

/**
 * Parses `key=value` assignments against an entry's parameter declarations, filling defaults.
 *
 * @throws {UsageError} naming the parameter when a key is unknown or a value does not fit.
 *
 * @example Usage
 * ```ts
 * import { parseParams, type SpecEntry } from "./registry.ts";
 * import assert from "node:assert/strict";
 * const entry: SpecEntry = {
 *   name: "demo",
 *   description: "demo",
 *   params: { n: { type: "int", default: 3, description: "processes", min: 1 } },
 *   build: () => ({ name: "demo", init: [0], actions: [] }),
 * };
 * assert.deepEqual(parseParams(entry, ["n=5"]), { n: 5 });
 * ```
 */
export function parseParams(
  entry: SpecEntry,
  assignments: readonly string[],
): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const [name, info] of Object.entries(entry.params)) values[name] = info.default;
  for (const assignment of assignments) {
    const eq = assignment.indexOf("=");
    const key = eq < 0 ? assignment : assignment.slice(0, eq);
    const text = eq < 0 ? undefined : assignment.slice(eq + 1);
    const info = entry.params[key];
    if (!info) {
      const known = Object.keys(entry.params);
      throw new UsageError(
        `Unknown parameter "${key}" for spec "${entry.name}"` +
          (known.length ? ` (it takes: ${known.join(", ")})` : " (it takes none)"),
      );
    }
    values[key] = parseValue(entry.name, key, info, text);
  }
  return values;
}

function parseValue(
  spec: string,
  key: string,
  info: ParamInfo,
  text: string | undefined,
): ParamValue {
  const where = `parameter "${key}" of spec "${spec}"`;
  switch (info.type) {
    case "bool":
      if (text === undefined || text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw new UsageError(`Cannot parse ${where}: "${text}" is not true or false`);
    case "int": {
      if (text === undefined || !/^-?\d+$/.test(text)) {
        throw new UsageError(`Cannot parse ${where}: "${text ?? ""}" is not an integer`);
      }
      const n = Number(text);
      if (info.min !== undefined && n < info.min) {
        throw new UsageError(`Cannot use ${where}: ${n} is below the minimum ${info.min}`);
      }
      if (info.max !== undefined && n > info.max) {
        throw new UsageError(`Cannot use ${where}: ${n} is above the maximum ${info.max}`);
      }
      return n;
    }
    case "string":
      if (text === undefined) throw new UsageError(`Cannot parse ${where}: it needs a value`);
      if (info.choices && !info.choices.includes(text)) {
        throw new UsageError(
          `Cannot use ${where}: "${text}" is not one of ${info.choices.join(", ")}`,
        );
      }
      return text;
  }
}

/** Renders parameter values as the `--param` flags that reproduce them (non-defaults only). */
export function paramFlags(entry: SpecEntry, values: Readonly<Record<string, ParamValue>>): string {
  return Object.entries(values)
    .filter(([k, v]) => entry.params[k]?.default !== v)
    .map(([k, v]) => ` --param ${k}=${v}`)
    .join("");
}
