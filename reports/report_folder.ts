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
import {
  profileHeadline,
  toMarkdown as certificationMarkdown,
  toMatrixMarkdown,
} from "./certification.ts";
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

/**
 * The marker file leasecheck writes first into every report folder: JSON naming the tool, the
 * run kind and the files written. `force` replaces only a folder holding this marker and nothing
 * but the files it lists.
 */
export const REPORT_MARKER = ".leasecheck-report";

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

/**
 * Raised when a report cannot go where it was asked to: an empty folder name, a file or a
 * symbolic link in the way, a folder leasecheck did not write (with `force`), or a place that
 * cannot be written (permissions, a read-only file system). The message is one line naming the
 * folder; `code` says which case it is.
 */
export class ReportFolderError extends Error {
  /** The error's class name. */
  override readonly name: string = "ReportFolderError";
  /**
   * `LC-REPORT-NAME` (no folder name), `LC-REPORT-NOT-A-FOLDER` (a file or symbolic link is in
   * the way), `LC-REPORT-NOT-OURS` (force asked, but leasecheck did not write that folder or it
   * holds other files), `LC-REPORT-UNWRITABLE` (the folder cannot be created or written; the
   * file system's error is the `cause`).
   */
  readonly code: string;
  /** The folder. */
  readonly dir: string;

  /** Creates the error. */
  constructor(code: string, dir: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.dir = dir;
  }
}

/** Options of {@link writeRunReport}. */
export interface WriteReportOptions {
  /**
   * Replace an existing non-empty folder, which must be a report folder leasecheck wrote (it
   * holds the {@link REPORT_MARKER} and only the files the marker lists).
   */
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
  /** The files in it (the marker not counted). */
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

function suffix(): string {
  return crypto.getRandomValues(new Uint32Array(1))[0].toString(36).padStart(7, "0");
}

/** The file system's reason in a few words: "Read-only file system", "Permission denied". */
function osReason(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    return "Deno's permissions do not allow it";
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(os error \d+\).*$/s, "").replace(/\s+/g, " ").trim();
}

/** What is at the report folder's place now. */
type Existing =
  | { readonly kind: "none" }
  | { readonly kind: "empty" }
  | { readonly kind: "report"; readonly files: readonly string[] };

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The files a leasecheck report folder's marker lists, or null when it has no valid marker. */
async function markerFiles(dir: string): Promise<string[] | null> {
  const info = await lstatOrNull(`${dir}/${REPORT_MARKER}`);
  if (info === null || !info.isFile) return null;
  try {
    const doc = JSON.parse(await Deno.readTextFile(`${dir}/${REPORT_MARKER}`));
    if (doc?.leasecheck !== "report" || !Array.isArray(doc.files)) return null;
    const files = doc.files.filter((f: unknown): f is string =>
      typeof f === "string" && /^[\w.-]+$/.test(f) && !f.startsWith(".")
    );
    return files.length === doc.files.length ? files : null;
  } catch {
    return null; // not JSON: not our marker
  }
}

/** Looks at `target` and says whether a report may go there; throws the one-line reason. */
async function inspectTarget(target: string, force: boolean): Promise<Existing> {
  let info: Deno.FileInfo | null;
  try {
    info = await lstatOrNull(target);
  } catch (error) {
    throw new ReportFolderError(
      "LC-REPORT-UNWRITABLE",
      target,
      `Cannot write the report to ${target}: ${osReason(error)}`,
      { cause: error },
    );
  }
  if (info === null) return { kind: "none" };
  if (info.isSymlink) {
    throw new ReportFolderError(
      "LC-REPORT-NOT-A-FOLDER",
      target,
      `Refusing to write the report to ${target}: it is a symbolic link (name a real folder)`,
    );
  }
  if (!info.isDirectory) {
    throw new ReportFolderError(
      "LC-REPORT-NOT-A-FOLDER",
      target,
      `Refusing to write the report to ${target}: it is a file, not a folder`,
    );
  }
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(target)) entries.push(e);
  if (entries.length === 0) return { kind: "empty" };
  if (!force) throw new ReportFolderExistsError(target);
  const files = await markerFiles(target);
  if (files === null) {
    throw new ReportFolderError(
      "LC-REPORT-NOT-OURS",
      target,
      `Refusing to replace ${target}: it is not a report folder leasecheck wrote (it has no ${REPORT_MARKER} marker); remove it yourself or choose another --out`,
    );
  }
  const foreign = entries.filter((e) =>
    e.name !== REPORT_MARKER && !(e.isFile && files.includes(e.name))
  ).map((e) => (e.isDirectory ? `${e.name}/` : e.name)).sort();
  if (foreign.length > 0) {
    throw new ReportFolderError(
      "LC-REPORT-NOT-OURS",
      target,
      `Refusing to replace ${target}: it holds files leasecheck did not write (${
        foreign.slice(0, 5).join(", ")
      }${foreign.length > 5 ? `, +${foreign.length - 5} more` : ""})`,
    );
  }
  return {
    kind: "report",
    files: entries.filter((e) => e.name !== REPORT_MARKER).map((e) => e.name),
  };
}

function normalise(dir: string): string {
  if (dir.trim() === "") {
    throw new ReportFolderError(
      "LC-REPORT-NAME",
      dir,
      "The report folder name is empty (give --out a folder, or --no-report)",
    );
  }
  return dir.replace(/\/+$/, "") || "/";
}

function parentOf(target: string): string {
  return target.includes("/") ? target.slice(0, target.lastIndexOf("/")) || "/" : ".";
}

/** Runs a file system step of the write, turning its failure into a one-line error. */
async function fsStep<T>(target: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ReportFolderError) throw error;
    throw new ReportFolderError(
      "LC-REPORT-UNWRITABLE",
      target,
      `Cannot write the report to ${target}: ${osReason(error)}`,
      { cause: error },
    );
  }
}

/**
 * Checks, before a run does any work, that its report can be written to `dir`: the name is not
 * empty; nothing but an empty folder, a report folder leasecheck wrote (with `force`) or nothing
 * is there; and the parent folder can be written (the parents are created and a temporary folder
 * is made and removed beside `dir`).
 *
 * @param dir The report folder.
 * @param options `force` to allow replacing a report folder leasecheck wrote.
 * @returns The folder, without trailing slashes.
 * @throws {ReportFolderExistsError} When `dir` is a non-empty folder and `force` is not set.
 * @throws {ReportFolderError} For every other reason the report could not be written there.
 *
 * @example Usage
 * ```ts
 * import { checkReportFolder } from "./report_folder.ts";
 * import assert from "node:assert/strict";
 * const parent = await Deno.makeTempDir();
 * assert.equal(await checkReportFolder(`${parent}/run/`), `${parent}/run`);
 * await assert.rejects(() => checkReportFolder(""), /report folder name is empty/);
 * await Deno.remove(parent, { recursive: true });
 * ```
 */
export async function checkReportFolder(
  dir: string,
  options: { readonly force?: boolean } = {},
): Promise<string> {
  const target = normalise(dir);
  await inspectTarget(target, options.force === true);
  const tmp = `${target}.tmp-${suffix()}`;
  await fsStep(target, async () => {
    await Deno.mkdir(parentOf(target), { recursive: true });
    await Deno.mkdir(tmp);
    try {
      await Deno.writeTextFile(`${tmp}/${REPORT_MARKER}`, "{}\n");
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  });
  return target;
}

/**
 * Writes a run report folder: the {@link REPORT_MARKER} first, then `summary.md`, `result.json`
 * and `index.html`, in a temporary folder beside `dir` that is renamed into place when complete.
 *
 * @param dir The folder (created with its parents; refused when it exists and is not empty,
 *   unless `force` and it is a report folder leasecheck wrote).
 * @param data The report document (version 1); check results may hold Maps, Sets and bigints,
 *   which are converted to JSON as `toJsonValue` does.
 * @param options `force` to replace a report folder leasecheck wrote; `bundle` to inline
 *   another viewer; `extraFiles` to add files (certify's KTAP and JUnit) to the same atomic
 *   write.
 * @returns The folder and the files written.
 * @throws {ReportFolderExistsError} When `dir` exists, is not empty and `force` is not set.
 * @throws {ReportFolderError} When something else is in the way or the folder cannot be
 *   written (see {@link checkReportFolder}).
 *
 * @example Usage
 * ```ts
 * import { REPORT_MARKER, writeRunReport } from "./report_folder.ts";
 * import assert from "node:assert/strict";
 * const parent = await Deno.makeTempDir();
 * const written = await writeRunReport(`${parent}/check-leasing`, {
 *   version: 1,
 *   kind: "check",
 *   tool: { name: "leasecheck", version: "0.1.0" },
 *   results: [],
 * }, { bundle: "" });
 * assert.deepEqual(written.files, ["summary.md", "result.json", "index.html"]);
 * assert.ok((await Deno.stat(`${parent}/check-leasing/${REPORT_MARKER}`)).isFile);
 * await Deno.remove(parent, { recursive: true });
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
  const target = normalise(dir);
  const force = options.force === true;
  await inspectTarget(target, force);
  const bundle = options.bundle ?? await loadViewerBundle();
  const files: [string, string][] = [
    ["summary.md", renderSummary(doc)],
    ["result.json", JSON.stringify(doc, null, 2) + "\n"],
    [
      "index.html",
      renderHtml(doc, bundle, {
        title: pageTitle(doc),
        noscript: headline(doc).text,
      }),
    ],
  ];
  for (const [name, text] of Object.entries(options.extraFiles ?? {})) {
    if (!/^[\w.-]+$/.test(name) || name.startsWith(".") || REPORT_FILES.includes(name)) {
      throw new TypeError(`Cannot write extra report file "${name}": not a plain, new file name`);
    }
    files.push([name, text]);
  }
  const marker = JSON.stringify(
    {
      leasecheck: "report",
      version: 1,
      kind: doc.kind,
      tool: doc.tool,
      created: doc.created,
      files: files.map(([name]) => name),
    },
    null,
    2,
  ) + "\n";
  const tmp = `${target}.tmp-${suffix()}`;
  await fsStep(target, async () => {
    await Deno.mkdir(parentOf(target), { recursive: true });
    await Deno.mkdir(tmp);
  });
  try {
    await fsStep(target, async () => {
      await Deno.writeTextFile(`${tmp}/${REPORT_MARKER}`, marker);
      for (const [name, text] of files) await Deno.writeTextFile(`${tmp}/${name}`, text);
    });
    let old: { dir: string; files: readonly string[] } | undefined;
    try {
      await Deno.rename(tmp, target);
    } catch (error) {
      // rename(2) replaces only an empty folder; move a report folder of ours aside when forced.
      const existing = await inspectTarget(target, force);
      if (existing.kind !== "report") {
        throw new ReportFolderError(
          "LC-REPORT-UNWRITABLE",
          target,
          `Cannot write the report to ${target}: ${osReason(error)}`,
          { cause: error },
        );
      }
      old = { dir: `${target}.old-${suffix()}`, files: existing.files };
      await fsStep(target, async () => {
        await Deno.rename(target, old!.dir);
        await Deno.rename(tmp, target);
      });
    }
    if (old) {
      // Only what the old marker listed, then the folder itself (which must then be empty).
      for (const name of [...old.files, REPORT_MARKER]) await Deno.remove(`${old.dir}/${name}`);
      await Deno.remove(old.dir);
    }
  } catch (error) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw error;
  }
  return { dir: target, files: files.map(([name]) => name) };
}

/**
 * The report's verdict word and one-line headline. A certification alone is judged by its
 * profile (nothing run is not a pass); everything else by the results' verdicts.
 */
function headline(doc: RunReport): { word: string; text: string } {
  const c = doc.certification;
  if (c?.profile && !doc.results?.length) {
    const { word, detail } = profileHeadline(c.profile);
    return { word, text: `${c.implementation} ${word}${detail}` };
  }
  const v = overallVerdict(doc);
  return { word: statusWord(v.status), text: v.headline };
}

function pageTitle(doc: RunReport): string {
  return `leasecheck ${doc.kind}: ${headline(doc).word}${doc.spec ? ` — ${doc.spec.name}` : ""}`;
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
    out.push("Scope:", "", "```", ...renderScope(r.scope, "", r.coverage).slice(1), "```", "");
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
  const v = headline(doc);
  const out = [
    `# leasecheck ${doc.kind}: ${v.word}`,
    "",
    `**${v.word}** — ${v.text}`,
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
  // A certification's own Markdown (its headings one level down) comes first: its profile is
  // what the reader needs before the fact base's coverage. So does a matrix: what differs between
  // the versions is what its reader came for.
  const certification = doc.certification
    ? [certificationMarkdown(doc.certification).trimEnd().replace(/^#/gm, "##"), ""]
    : [];
  out.push(...certification);
  if (doc.matrix) {
    out.push(toMatrixMarkdown(doc.matrix).trimEnd().replace(/^#/gm, "##"), "");
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
  return out.join("\n");
}

/** What the fact coverage table shows of a fact base entry (a `spec/facts.ts` `Fact` fits). */
export interface FactEntry {
  /** The fact id. */
  readonly id: string;
  /** A few words naming the fact. */
  readonly title: string;
  /** What the fact says. */
  readonly statement: string;
  /** The kernel version range. */
  readonly versions: string;
  /** `verified` or `inferred`. */
  readonly status: string;
}

/**
 * Builds the fact coverage table: every known fact (plus any reached or cited id) with how
 * often exploration reached it, which scenarios cite it, and, for facts of the fact base, its
 * title and statement.
 *
 * @param known The facts of the fact base (`loadFacts().facts`), or plain ids.
 * @param reached How many times exploration reached each fact id.
 * @param scenarios Scenarios with the fact ids they cite.
 * @returns One row per fact id, sorted.
 *
 * @example Usage
 * ```ts
 * import { buildFactCoverage } from "./report_folder.ts";
 * import assert from "node:assert/strict";
 * const rows = buildFactCoverage(["QC-02", "QC-10"], { "QC-10": 3 }, [
 *   { name: "s", facts: ["QC-02"] },
 * ]);
 * assert.deepEqual(rows, [
 *   { id: "QC-02", reached: 0, scenarios: ["s"] },
 *   { id: "QC-10", reached: 3, scenarios: [] },
 * ]);
 * ```
 */
export function buildFactCoverage(
  known: Iterable<string | FactEntry>,
  reached: Readonly<Record<string, number>>,
  scenarios: readonly { readonly name: string; readonly facts: readonly string[] }[],
): FactCoverage[] {
  const entries = new Map<string, FactEntry | undefined>();
  for (const k of known) {
    if (typeof k === "string") entries.set(k, undefined);
    else entries.set(k.id, k);
  }
  const ids = new Set([
    ...entries.keys(),
    ...Object.keys(reached),
    ...scenarios.flatMap((s) => s.facts),
  ]);
  const cited = new Map<string, string[]>();
  for (const s of scenarios) {
    for (const f of s.facts) cited.set(f, [...(cited.get(f) ?? []), s.name]);
  }
  return [...ids].sort(compareFacts).map((id) => {
    const e = entries.get(id);
    const row = { id, reached: reached[id] ?? 0, scenarios: cited.get(id) ?? [] };
    return e === undefined
      ? row
      : { ...row, title: e.title, statement: e.statement, versions: e.versions, known: e.status };
  });
}
