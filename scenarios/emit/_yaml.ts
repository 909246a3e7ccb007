/**
 * A small YAML writer for scenario data, in the corpus style and stable under `deno fmt`: block
 * maps at the top, flow collections (`{ a: 1 }`, `[x, y]`) wherever one fits in the line width,
 * double-quoted strings when a plain scalar would be ambiguous or holds spaces, and long strings
 * as folded block scalars (`>-`).
 *
 * @module
 */

/** Data the writer accepts: JSON values. */
export type YamlData =
  | null
  | boolean
  | number
  | string
  | readonly YamlData[]
  | { readonly [key: string]: YamlData };

/** Options of {@linkcode toYaml}. */
export interface YamlOptions {
  /** Maximum line width (deno fmt's `lineWidth`, 100 in this repository). */
  readonly lineWidth?: number;
  /**
   * Paths (`topology`, `steps[]`, `topology.links[]`) whose value is always written in block
   * style, even when it would fit on one line. `[]` stands for any list index.
   */
  readonly block?: readonly string[];
}

const PLAIN_RE = /^[A-Za-z_$][A-Za-z0-9_$.\/-]*$/;
const RESERVED_RE = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function isCollection(v: YamlData): v is readonly YamlData[] | { readonly [k: string]: YamlData } {
  return typeof v === "object" && v !== null;
}

function scalar(v: null | boolean | number | string): string {
  if (v === null) return "null";
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  return PLAIN_RE.test(v) && !RESERVED_RE.test(v) ? v : JSON.stringify(v);
}

function key(k: string): string {
  return scalar(k);
}

/** One-line (flow) rendering. */
function flow(v: YamlData): string {
  if (!isCollection(v)) return scalar(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
  const entries = Object.entries(v);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([k, x]) => `${key(k)}: ${flow(x)}`).join(", ")} }`;
}

function fold(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

class Writer {
  readonly lines: string[] = [];
  readonly #width: number;
  readonly #block: ReadonlySet<string>;

  constructor(options: YamlOptions) {
    this.#width = options.lineWidth ?? 100;
    this.#block = new Set(options.block ?? []);
  }

  #forced(path: string): boolean {
    return this.#block.has(path);
  }

  /** Writes `prefix` + value, where prefix is `key:` or `-` already indented. */
  entry(prefix: string, v: YamlData, indent: number, path: string): void {
    const pad = " ".repeat(indent);
    if (!isCollection(v)) {
      const text = `${prefix} ${scalar(v)}`;
      // Long strings without line breaks or odd spacing: a folded block scalar.
      if (
        text.length > this.#width && typeof v === "string" && !/\n| {2}|^ | $/.test(v) &&
        !v.startsWith("#")
      ) {
        this.lines.push(`${prefix} >-`);
        for (const l of fold(v, this.#width - indent - 2)) this.lines.push(`${pad}  ${l}`);
      } else this.lines.push(text);
      return;
    }
    const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
    const oneLine = `${prefix} ${flow(v)}`;
    if (empty || (!this.#forced(path) && oneLine.length <= this.#width)) {
      this.lines.push(oneLine);
      return;
    }
    if (Array.isArray(v)) {
      this.lines.push(prefix);
      for (const item of v) this.item(item, indent + 2, `${path}[]`);
      return;
    }
    this.lines.push(prefix);
    this.map(v as { readonly [k: string]: YamlData }, indent + 2, path);
  }

  map(v: { readonly [k: string]: YamlData }, indent: number, path: string): void {
    const pad = " ".repeat(indent);
    for (const [k, x] of Object.entries(v)) {
      this.entry(`${pad}${key(k)}:`, x, indent, path === "" ? k : `${path}.${k}`);
    }
  }

  item(v: YamlData, indent: number, path: string): void {
    const pad = " ".repeat(indent);
    const oneLine = `${pad}- ${flow(v)}`;
    if (!isCollection(v) || Array.isArray(v) || Object.keys(v).length === 0) {
      this.entry(`${pad}-`, v, indent, path);
      return;
    }
    if (!this.#forced(path) && oneLine.length <= this.#width) {
      this.lines.push(oneLine);
      return;
    }
    const start = this.lines.length;
    this.map(v as { readonly [k: string]: YamlData }, indent + 2, path);
    this.lines[start] = `${pad}- ${this.lines[start].slice(indent + 2)}`;
  }
}

/**
 * Writes a map as a YAML document (ending with a newline).
 *
 * @example Usage
 * ```ts
 * import { toYaml } from "./_yaml.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toYaml({ a: { b: 1 }, c: ["x", "y z"] }), 'a: { b: 1 }\nc: [x, "y z"]\n');
 * ```
 */
export function toYaml(
  data: { readonly [key: string]: YamlData },
  options: YamlOptions = {},
): string {
  const w = new Writer(options);
  w.map(data, 0, "");
  return w.lines.join("\n") + "\n";
}
