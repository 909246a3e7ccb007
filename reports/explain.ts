/**
 * `explain FACT-ID`: what the spec says about a fact, where the model implements it, and which
 * scenarios cover it.
 *
 * The spec's text is read from the spec folder (`$LEASECHECK_SPEC_DIR`, default `../shared/spec`
 * beside the repository); the model and the corpus are read from the repository itself.
 *
 * @module
 */

import { KNOWN_FACT_IDS } from "../scenarios/_facts.ts";
import { loadScenarios } from "../scenarios/load.ts";

/** What is known about one fact id. */
export interface FactExplanation {
  /** The fact id. */
  readonly id: string;
  /** Lines of the spec that define it, with their file and line number. */
  readonly spec: readonly { readonly file: string; readonly line: number; readonly text: string }[];
  /** Places in the model that cite it (`model/ops/queue_create.ts:101`). */
  readonly model: readonly string[];
  /** Corpus scenarios that cover it. */
  readonly scenarios: readonly string[];
  /** Why the spec text could not be read, when it could not. */
  readonly specProblem?: string;
}

/** Raised for an id the spec does not define. */
export class UnknownFactError extends TypeError {
  /** The error's class name. */
  override readonly name: string = "UnknownFactError";
}

function escape(id: string): string {
  return id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Ids that look like `id` (same prefix or one edit away), for "did you mean". */
export function similarFacts(id: string): string[] {
  const upper = id.toUpperCase();
  const prefix = upper.replace(/\d+$/, "");
  return [...KNOWN_FACT_IDS].filter((k) =>
    k === upper || (prefix.length > 1 && k.startsWith(prefix))
  ).slice(0, 12);
}

async function* files(dir: string, suffix: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* files(path, suffix);
    else if (entry.isFile && entry.name.endsWith(suffix)) yield path;
  }
}

/**
 * Collects the spec lines, model citations and scenarios of a fact id.
 *
 * @throws {UnknownFactError} when the spec defines no such id.
 */
export async function explainFact(
  rawId: string,
  root: URL,
  specDir: string,
): Promise<FactExplanation> {
  const id = rawId.trim().toUpperCase();
  if (!KNOWN_FACT_IDS.has(id)) {
    const similar = similarFacts(id);
    throw new UnknownFactError(
      `The spec defines no fact "${rawId}"` +
        (similar.length ? ` (similar: ${similar.join(", ")})` : ""),
    );
  }
  const word = new RegExp(`(^|[^A-Za-z0-9-])${escape(id)}(?![0-9A-Za-z])`);
  const spec: { file: string; line: number; text: string }[] = [];
  let specProblem: string | undefined;
  try {
    for await (const file of files(specDir, ".md")) {
      const lines = (await Deno.readTextFile(file)).split("\n");
      lines.forEach((text, i) => {
        // A definition: a table row or bullet that starts with the id.
        const start = new RegExp(`^\\s*(\\||[*-])\\s*\\**${escape(id)}\\**(\\s|\\||$)`);
        if (start.test(text)) {
          spec.push({ file: file.slice(specDir.length + 1), line: i + 1, text: text.trim() });
        }
      });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) specProblem = `${specDir} does not exist`;
    else if (error instanceof Deno.errors.NotCapable) {
      specProblem = `no permission to read ${specDir}`;
    } else throw error;
  }
  const model: string[] = [];
  const modelDir = new URL("model", root).pathname;
  for await (const file of files(modelDir, ".ts")) {
    if (file.endsWith("_test.ts")) continue;
    (await Deno.readTextFile(file)).split("\n").forEach((text, i) => {
      if (word.test(text)) model.push(`${file.slice(new URL(".", root).pathname.length)}:${i + 1}`);
    });
  }
  const corpus = await loadScenarios([new URL("scenarios/cases", root).pathname]);
  const scenarios = corpus.filter((s) => s.facts.includes(id)).map((s) => s.name);
  return { id, spec, model, scenarios, specProblem };
}

/** Renders an explanation for the terminal. */
export function renderExplanation(e: FactExplanation, specDir: string): string {
  const out = [`${e.id}`];
  if (e.spec.length) {
    out.push("", "spec:");
    for (const s of e.spec) out.push(`  ${s.file}:${s.line}: ${s.text}`);
  } else {
    const why = e.specProblem ?? `no definition of ${e.id} in ${specDir}`;
    out.push("", `spec: (${why}; set LEASECHECK_SPEC_DIR to the spec folder)`);
  }
  out.push("", `model: ${e.model.length ? "" : "(not cited in model/)"}`);
  for (const m of e.model.slice(0, 20)) out.push(`  ${m}`);
  if (e.model.length > 20) out.push(`  ... and ${e.model.length - 20} more`);
  out.push("", `scenarios: ${e.scenarios.length ? "" : "(none in scenarios/cases)"}`);
  for (const s of e.scenarios) out.push(`  ${s}  (deno task replay scenarios/cases/${s}.yaml)`);
  return out.join("\n");
}
