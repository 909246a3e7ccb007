/**
 * The report folder every run writes (`check`, `replay`, `certify`): `summary.md` for people,
 * `result.json` for machines (schema in `reports/RESULT_SCHEMA.md`) and `index.html`, one
 * self-contained page with the step-through counterexample viewer.
 *
 * The folder is written beside its destination as `DIR.tmp-XXXXXX` and renamed into place when
 * complete, so a crash never leaves a half-written report under the real name. An existing
 * non-empty folder is refused unless `force` is given.
 *
 * @module
 */

import type { CheckResult } from "../checker/result.ts";
import { toMarkdown as certificationMarkdown } from "./certification.ts";
import { loadViewerBundle, renderHtml } from "./html.ts";
import {
  describeViolation,
  renderResources,
  renderScope,
  renderTrace,
  renderVerdict,
  toJsonValue,
} from "./text.ts";
import type { FactCoverage, RunReport } from "./viewer/data.ts";
import { compareFacts, factStatus, overallVerdict, statusWord } from "./viewer/summary.ts";

export type { FactCoverage, KillRow, NamedTrace, RunKind, RunReport } from "./viewer/data.ts";

/** The files a report folder holds. */
export const REPORT_FILES: readonly string[] = ["summary.md", "result.json", "index.html"];

/** Raised when the report folder exists, is not empty, and replacing it was not asked for. */
export class ReportFolderExistsError extends Deno.errors.AlreadyExists {
  /** The error's class name. */
  override readonly name: string = "ReportFolderExistsError";
  /** Stable error code. */
  readonly code: string = "LC-REPORT-EXISTS";
  /** The folder. */
  readonly dir: string;

  /** Creates the error for `dir`. */
  constructor(dir: string) {
    super(
      `Report folder ${dir} exists already and is not empty (use --force to replace it, or --out to choose another folder)`,
    );
    this.dir = dir;
  }
}

/** Options of {@link writeRunReport}. */
export interface WriteReportOptions {
  /** Replace an existing non-empty folder. */
  readonly force?: boolean;
  /** The viewer bundle to inline (default: read `reports/viewer/app.bundle.js`). */
  readonly bundle?: string;
  /**
   * More files to write into the folder with the same all-or-nothing rename (e.g. certify's
   * `report.ktap` and `junit.xml`): file name → text. Names are plain file names.
   */
  readonly extraFiles?: Readonly<Record<string, string>>;
}

/** What {@link writeRunReport} wrote. */
export interface WrittenReport {
  /** The folder. */
  readonly dir: string;
  /** The files in it. */
  readonly files: readonly string[];
}

function checkDocument(data: RunReport): void {
  if ((data as { version: unknown }).version !== 1) {
    throw new TypeError(
      `Cannot write a run report of version ${
        String((data as { version: unknown }).version)
      }: only version 1 is known`,
    );
  }
  if (!["check", "replay", "certify"].includes(data.kind)) {
    throw new TypeError(`Cannot write a run report of kind "${String(data.kind)}"`);
  }
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  if (!info.isDirectory) return true;
  for await (const _ of Deno.readDir(dir)) return true;
  return false;
}

function suffix(): string {
  return crypto.getRandomValues(new Uint32Array(1))[0].toString(36).padStart(7, "0");
}

/**
 * Writes a run report folder: `summary.md`, `result.json` and `index.html`.
 *
 * @param dir The folder (created with its parents; refused when it exists and is not empty,
 *   unless `force`).
 * @param data The report document (version 1); check results may hold Maps, Sets and bigints,
 *   which are converted to JSON as `toJsonValue` does.
 * @param options `force` to replace an existing folder; `bundle` to inline another viewer;
 *   `extraFiles` to add files (certify's KTAP and JUnit) to the same atomic write.
 * @returns The folder and the files written.
 * @throws {ReportFolderExistsError} When `dir` exists, is not empty and `force` is not set.
 *
 * @example Usage
 * ```ts ignore
 * import { writeRunReport } from "./report_folder.ts";
 * await writeRunReport("reports/out/check-leasing", {
 *   version: 1,
 *   kind: "check",
 *   tool: { name: "leasecheck", version: "0.1.0" },
 *   spec: { name: "leasing", params: { mutant: "C-02" } },
 *   results: [],
 * });
 * ```
 */
export async function writeRunReport(
  dir: string,
  data: RunReport,
  options: WriteReportOptions = {},
): Promise<WrittenReport> {
  checkDocument(data);
  const doc = toJsonValue({
    ...data,
    created: data.created ?? new Date().toISOString(),
  }) as RunReport;
  const target = dir.replace(/\/+$/, "") || dir;
  if (!options.force && await isNonEmptyDir(target)) throw new ReportFolderExistsError(target);
  const bundle = options.bundle ?? await loadViewerBundle();
  const files: [string, string][] = [
    ["summary.md", renderSummary(doc)],
    ["result.json", JSON.stringify(doc, null, 2) + "\n"],
    [
      "index.html",
      renderHtml(doc, bundle, {
        title: pageTitle(doc),
        noscript: overallVerdict(doc).headline,
      }),
    ],
  ];
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".") || REPORT_FILES.includes(name)) {
      throw new TypeError(`Cannot write extra report file "${name}": not a plain, new file name`);
    }
    files.push([name, text]);
  }
  const parent = target.includes("/") ? target.slice(0, target.lastIndexOf("/")) || "/" : ".";
  await Deno.mkdir(parent, { recursive: true });
  const tmp = `${target}.tmp-${suffix()}`;
  await Deno.mkdir(tmp);
  try {
    for (const [name, text] of files) await Deno.writeTextFile(`${tmp}/${name}`, text);
    let old: string | undefined;
    try {
      await Deno.rename(tmp, target);
    } catch (error) {
      // rename(2) replaces only an empty folder; move a non-empty one aside when forced.
      if (!options.force || !(await isNonEmptyDir(target))) throw error;
      old = `${target}.old-${suffix()}`;
      await Deno.rename(target, old);
      await Deno.rename(tmp, target);
    }
    if (old) await Deno.remove(old, { recursive: true });
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw error;
  }
  return { dir: target, files: files.map(([name]) => name) };
}

function pageTitle(doc: RunReport): string {
  return `leasecheck ${doc.kind}: ${statusWord(overallVerdict(doc).status)}${
    doc.spec ? ` — ${doc.spec.name}` : ""
  }`;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function resultMarkdown(
  r: CheckResult<unknown>,
  reproduce: Readonly<Record<string, string>>,
): string[] {
  const s = r.stats;
  const out = [
    `## ${r.spec}`,
    "",
    "```",
    renderVerdict(r),
    "```",
    "",
    "| distinct | generated | depth | queued | time | states/s | fingerprints |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    `| ${fmt(s.distinct)} | ${fmt(s.generated)} | ${s.depth} | ${fmt(s.queued)} | ${
      (s.elapsedMs / 1000).toFixed(2)
    } s | ${fmt(s.statesPerSecond)} | ${r.fingerprints.mode}${
      r.fingerprints.collisionProbability !== undefined
        ? ` (collision ${r.fingerprints.collisionProbability.toExponential(1)})`
        : ""
    } |`,
    "",
  ];
  const resources = renderResources(s);
  if (resources.length) out.push(...resources.map((line) => `- ${line.trim()}`), "");
  if (r.scope) {
    // What was explored, as the terminal prints it: an ok holds only within this scope.
    out.push("Scope:", "", "```", ...renderScope(r.scope, "").slice(1), "```", "");
  }
  const actions = Object.entries(s.perAction);
  if (actions.length) {
    out.push("| action | transitions | new states |", "| --- | ---: | ---: |");
    for (const [name, a] of actions) {
      out.push(`| \`${name}\` | ${fmt(a.generated)} | ${fmt(a.distinct)} |`);
    }
    out.push("");
  }
  for (const v of r.violations) {
    out.push(`### ${describeViolation(v)}`, "");
    const traces = v.kind === "lock-order"
      ? v.cycle.map((e) => ({
        title: `edge ${e.from} -> ${e.to}: ${e.process} holds ${e.from} and takes ${e.to}`,
        trace: e.trace,
      }))
      : [{ title: `trace (${v.trace.steps.length - 1} steps)`, trace: v.trace }];
    for (const t of traces) {
      out.push(`${t.title}:`, "", "```", renderTrace(t.trace), "```", "");
      const cmd = reproduce[t.trace.token];
      if (cmd) out.push(`Reproduce: \`${cmd}\``, "");
    }
    if (v.kind === "deadlock" && v.locks) {
      out.push(
        `Locks: ${
          v.locks.map((l, i) =>
            `p${i} holds ${l.held.length ? l.held.join(", ") : "nothing"}${
              l.waiting ? `, waits for ${l.waiting}` : ""
            }`
          ).join("; ")
        }`,
        "",
      );
    }
  }
  return out;
}

function factsMarkdown(facts: readonly FactCoverage[]): string[] {
  const sorted = [...facts].sort((a, b) => compareFacts(a.id, b.id));
  const reached = sorted.filter((f) => f.reached > 0).length;
  const cited = sorted.filter((f) => f.scenarios.length > 0).length;
  const uncovered = sorted.filter((f) => factStatus(f) === "uncovered").map((f) => f.id);
  const out = [
    "## Spec-fact coverage",
    "",
    `${reached} of ${sorted.length} facts reached by exploration, ${cited} cited by a scenario; ${uncovered.length} uncovered${
      uncovered.length ? `: ${uncovered.join(", ")}` : ""
    }.`,
    "",
    "| fact | status | reached | scenarios |",
    "| --- | --- | ---: | --- |",
  ];
  for (const f of sorted) {
    out.push(
      `| ${f.id} | ${factStatus(f)} | ${fmt(f.reached)} | ${
        f.scenarios.length ? cell(f.scenarios.join(", ")) : "—"
      } |`,
    );
  }
  out.push("");
  return out;
}

/**
 * The Markdown summary of a run report (JSON-ready document): the verdict, the configuration,
 * each result's statistics and counterexamples, fact coverage, the kill table and the
 * certification.
 */
export function renderSummary(doc: RunReport): string {
  const v = overallVerdict(doc);
  const out = [
    `# leasecheck ${doc.kind}: ${statusWord(v.status)}`,
    "",
    `**${statusWord(v.status)}** — ${v.headline}`,
    "",
    `- tool: ${doc.tool.name} ${doc.tool.version}`,
  ];
  if (doc.spec) {
    const params = Object.entries(doc.spec.params).map(([k, p]) => `${k}=${JSON.stringify(p)}`);
    out.push(`- spec: ${doc.spec.name}${params.length ? ` (${params.join(", ")})` : ""}`);
    if (doc.spec.version) out.push(`- spec version: ${doc.spec.version}`);
  }
  if (doc.created) out.push(`- written: ${doc.created}`);
  if (doc.argv?.length) out.push(`- command: \`${doc.argv.join(" ")}\``);
  if (doc.reproduce?.run) out.push(`- rerun: \`${doc.reproduce.run}\``);
  out.push("- open `index.html` beside this file to step through counterexamples", "");
  for (const r of doc.results ?? []) out.push(...resultMarkdown(r, doc.reproduce ?? {}));
  for (const t of doc.traces ?? []) {
    out.push(`## ${t.name}`, "");
    if (t.description) out.push(t.description, "");
    out.push("```", renderTrace(t.trace), "```", "");
  }
  if (doc.factCoverage?.length) out.push(...factsMarkdown(doc.factCoverage));
  if (doc.killTable?.length) {
    const caught = doc.killTable.filter((k) => k.caughtBy !== null).length;
    out.push(
      "## Mutant kill table",
      "",
      `${caught} of ${doc.killTable.length} mutants caught.`,
      "",
      "| mutant | caught by | how | trace length | time |",
      "| --- | --- | --- | ---: | ---: |",
    );
    for (const k of doc.killTable) {
      out.push(
        `| ${k.mutant} | ${
          k.caughtBy === null ? "**NOT CAUGHT**" : cell(k.caughtBy)
        } | ${k.kind} | ${k.traceLength ?? "—"} | ${(k.ms / 1000).toFixed(2)} s |`,
      );
    }
    out.push("");
  }
  if (doc.certification) {
    // The certification's own Markdown, its headings one level down.
    out.push(certificationMarkdown(doc.certification).trimEnd().replace(/^#/gm, "##"), "");
  }
  return out.join("\n");
}

/**
 * Builds the fact coverage table: every known fact id (plus any reached or cited one) with how
 * often exploration reached it and which scenarios cite it.
 *
 * @param known Fact ids the spec defines (e.g. `KNOWN_FACT_IDS`).
 * @param reached How many times exploration reached each fact id.
 * @param scenarios Scenarios with the fact ids they cite.
 * @returns One row per fact id, sorted.
 *
 * @example Usage
 * ```ts
 * import { buildFactCoverage } from "./report_folder.ts";
 * import assert from "node:assert/strict";
 * const rows = buildFactCoverage(["QC-2", "QC-10"], { "QC-10": 3 }, [{ name: "s", facts: ["QC-2"] }]);
 * assert.deepEqual(rows, [
 *   { id: "QC-2", reached: 0, scenarios: ["s"] },
 *   { id: "QC-10", reached: 3, scenarios: [] },
 * ]);
 * ```
 */
export function buildFactCoverage(
  known: Iterable<string>,
  reached: Readonly<Record<string, number>>,
  scenarios: readonly { readonly name: string; readonly facts: readonly string[] }[],
): FactCoverage[] {
  const ids = new Set([...known, ...Object.keys(reached), ...scenarios.flatMap((s) => s.facts)]);
  const cited = new Map<string, string[]>();
  for (const s of scenarios) {
    for (const f of s.facts) cited.set(f, [...(cited.get(f) ?? []), s.name]);
  }
  return [...ids].sort(compareFacts).map((id) => ({
    id,
    reached: reached[id] ?? 0,
    scenarios: cited.get(id) ?? [],
  }));
}
