/**
 * `explain FACT-ID`: what the project's fact base (`spec/facts.yaml`) says about a fact, where
 * the model implements it, and which scenarios cover it. Everything is read from the project
 * itself, so it works in any clone.
 *
 * @module
 */

import { type Fact, type FactBase, loadFacts, UnknownFactError } from "../spec/facts.ts";
import { loadScenarios } from "../scenarios/load.ts";

export { UnknownFactError };

/** What is known about one fact id. */
export interface FactExplanation {
  /** The fact, as the fact base states it. */
  readonly fact: Fact;
  /** Places in the model that cite it (`model/ops/queue_create.ts:101`). */
  readonly model: readonly string[];
  /** Corpus scenarios that cover it. */
  readonly scenarios: readonly string[];
}

function escape(id: string): string {
  return id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The fact `rawId` names: the exact id, else the one id that differs only in case
 * (`qc-22` → `QC-22`, `dm-7B` → `DM-7b`).
 *
 * @throws {UnknownFactError} with similar ids when there is none.
 *
 * @example Usage
 * ```ts
 * import { lookupFact } from "./explain.ts";
 * import assert from "node:assert/strict";
 * assert.equal(lookupFact("qc-22").id, "QC-22");
 * assert.throws(() => lookupFact("QC-99"), /did you mean QC-/);
 * ```
 */
export function lookupFact(rawId: string, base: FactBase = loadFacts()): Fact {
  const id = rawId.trim();
  const exact = base.get(id);
  if (exact !== undefined) return exact;
  const folded = base.ids().filter((k) => k.toUpperCase() === id.toUpperCase());
  if (folded.length === 1) return base.get(folded[0])!;
  throw new UnknownFactError(id, base.similar(id));
}

async function* files(dir: string, suffix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* files(path, suffix);
    else if (entry.isFile && entry.name.endsWith(suffix)) yield path;
  }
}

/**
 * Collects the fact, the model's citations of it and the scenarios that cover it.
 *
 * @param rawId The id as the user typed it (case does not matter).
 * @param root The project root (model/ and scenarios/cases/ are read from it).
 * @throws {UnknownFactError} when the fact base defines no such id.
 */
export async function explainFact(rawId: string, root: URL): Promise<FactExplanation> {
  const fact = lookupFact(rawId);
  const word = new RegExp(`(^|[^A-Za-z0-9-])${escape(fact.id)}(?![0-9A-Za-z])`);
  const model: string[] = [];
  const top = new URL(".", root).pathname;
  for await (const file of files(new URL("model", root).pathname, ".ts")) {
    if (file.endsWith("_test.ts")) continue;
    (await Deno.readTextFile(file)).split("\n").forEach((text, i) => {
      if (word.test(text)) model.push(`${file.slice(top.length)}:${i + 1}`);
    });
  }
  model.sort();
  const corpus = await loadScenarios([new URL("scenarios/cases", root).pathname]);
  const scenarios = corpus.filter((s) => s.facts.includes(fact.id)).map((s) => s.name);
  return { fact, model, scenarios };
}

function wrap(text: string, indent: string, width = 96): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(indent + line);
  return out;
}

/**
 * Renders an explanation for the terminal.
 *
 * @example Usage
 * ```ts
 * import { lookupFact, renderExplanation } from "./explain.ts";
 * import assert from "node:assert/strict";
 * const text = renderExplanation({ fact: lookupFact("QC-22"), model: [], scenarios: [] });
 * assert.match(text, /^QC-22 /);
 * assert.match(text, /EBUSY/);
 * ```
 */
export function renderExplanation(e: FactExplanation): string {
  const f = e.fact;
  const out = [`${f.id} — ${f.title} (${f.kind}, ${f.status}, kernel ${f.versions})`, ""];
  out.push(...wrap(f.statement, "  "));
  if (f.errno.length || f.extack.length || f.badAttr || f.missType) {
    out.push("");
    if (f.errno.length) out.push(`  errno:    ${f.errno.map((n) => `-${n}`).join(", ")}`);
    for (const x of f.extack) out.push(`  extack:   "${x}"`);
    if (f.badAttr) out.push(`  bad-attr: ${f.badAttr}`);
    if (f.missType) out.push(`  miss-type: ${f.missType}`);
  }
  if (f.kernel.length || f.commits.length || f.cve) {
    out.push("", "kernel:");
    for (const k of f.kernel) out.push(`  ${k.function ? `${k.function}() in ` : ""}${k.file}`);
    if (f.commits.length) out.push(`  commits: ${f.commits.join(", ")}`);
    if (f.cve) out.push(`  ${f.cve}`);
  }
  out.push("", `source: ${f.source} (spec/facts.yaml:${f.line})`);
  if (f.see.length) out.push(`see also: ${f.see.join(", ")}`);
  out.push("", `model: ${e.model.length ? "" : "(not cited in model/)"}`);
  for (const m of e.model.slice(0, 20)) out.push(`  ${m}`);
  if (e.model.length > 20) out.push(`  ... and ${e.model.length - 20} more`);
  out.push("", `scenarios: ${e.scenarios.length ? "" : "(none in scenarios/cases)"}`);
  for (const s of e.scenarios) out.push(`  ${s}  (deno task replay scenarios/cases/${s}.yaml)`);
  return out.join("\n");
}
