/**
 * Certification reports rendered for people and tools: nested KTAP (as kernel selftests print
 * it), JUnit XML (what CI reads) and Markdown, with a per-fact-id conformance table. The report
 * itself (data) is built by `scenarios/certification.ts`.
 *
 * @module
 */

import type {
  CertificationProfile,
  CertificationReport,
  CertificationVerdict,
  CertifiedScenario,
  ProfileProblem,
} from "../scenarios/certification.ts";
import type { RaceReport, StepResult } from "../scenarios/replay.ts";

export type {
  AppliedDeviation,
  CertificationProfile,
  CertificationReport,
  CertificationVerdict,
  CertifiedScenario,
  FactConformance,
} from "../scenarios/certification.ts";

/**
 * The words for a certification verdict.
 *
 * @example Usage
 * ```ts
 * import { verdictWord } from "./certification.ts";
 * import assert from "node:assert/strict";
 * assert.equal(verdictWord("not-certified"), "not certified");
 * ```
 */
export function verdictWord(verdict: CertificationVerdict): string {
  return verdict === "conforms"
    ? "conforms"
    : verdict === "does-not-conform"
    ? "does not conform"
    : "not certified";
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function listed(names: readonly string[], max = 3): string {
  return names.length <= max
    ? names.join(", ")
    : `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

function problemText(p: ProfileProblem, profile: CertificationProfile): string {
  switch (p.kind) {
    case "failures":
      return `${plural(p.scenarios.length, "scenario")} failed (${listed(p.scenarios)})`;
    case "nothing-ran":
      return profile.scenarios.total === 0
        ? "there was no scenario to run"
        : `nothing ran (all ${plural(profile.scenarios.total, "scenario")} skipped)`;
    case "missing-required":
      return profile.declared.length === 0
        ? `the implementation declares no operation (${
          profile.required.join(" and ")
        } are required)`
        : `the implementation does not declare ${p.ops.join(" and ")} (required)`;
    case "not-exercised":
      return `no scenario that ran uses ${p.ops.join(", ")}, which the implementation declares`;
  }
}

/**
 * The verdict in words, as its first word(s) and the rest of the sentence: "conforms" and " for
 * queue-create, queue-get (12 scenarios); not certified: bind-rx, ...", or "not certified" and
 * ": nothing ran (all 102 scenarios skipped)".
 *
 * @example Usage
 * ```ts
 * import { profileHeadline } from "./certification.ts";
 * import { buildProfile } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const { word, detail } = profileHeadline(buildProfile([], []));
 * assert.equal(word + detail,
 *   "not certified: there was no scenario to run; " +
 *     "the implementation declares no operation (queue-create and queue-get are required)");
 * ```
 */
export function profileHeadline(profile: CertificationProfile): { word: string; detail: string } {
  const word = verdictWord(profile.verdict);
  if (profile.verdict !== "conforms") {
    return {
      word,
      detail: `: ${profile.problems.map((p) => problemText(p, profile)).join("; ")}`,
    };
  }
  const every = profile.notCertified.length === 0;
  return {
    word,
    detail: `${
      every
        ? ` for all ${profile.certified.length} scenario operations`
        : ` for ${profile.certified.join(", ")}`
    } (${plural(profile.scenarios.ran, "scenario")})${
      every ? "" : `; not certified: ${profile.notCertified.join(", ")}`
    }`,
  };
}

/** The profile beyond its headline: operations declared, scenarios and facts, one line each. */
export function profileLines(profile: CertificationProfile): string[] {
  const out = [
    `operations declared: ${profile.declared.length ? profile.declared.join(", ") : "none"}`,
  ];
  if (profile.unknown.length) {
    out.push(`unknown operations declared (ignored): ${profile.unknown.join(", ")}`);
  }
  const sc = profile.scenarios;
  out.push(`scenarios: ${sc.ran} ran, ${sc.skipped} skipped, ${sc.failed} failed, of ${sc.total}`);
  for (const o of profile.operations) {
    if (!o.declared && o.ran === 0 && o.skipped === 0) continue;
    out.push(
      `operation ${o.op}: ${o.ran} ran, ${o.failed} failed, ${o.skipped} skipped; ${
        o.certified ? "certified" : o.declared ? "declared, not certified" : "not declared"
      }`,
    );
  }
  const f = profile.facts;
  out.push(
    `facts: ${f.covered} of ${f.total} covered (a passing scenario, none failing), ${f.failing} failing, ${f.untested} untested`,
  );
  return out;
}

/** Counts for the totals lines: failures and errors without accepted deviations. */
function totals(report: CertificationReport): {
  pass: number;
  fail: number;
  error: number;
  skip: number;
  xfail: number;
} {
  const n = (f: (s: CertifiedScenario) => boolean): number => report.scenarios.filter(f).length;
  return {
    pass: report.summary.pass,
    fail: n((s) => s.verdict === "fail" && !s.deviation),
    error: n((s) => s.verdict === "error" && !s.deviation),
    skip: report.summary.skip,
    xfail: n((s) => s.deviation !== undefined),
  };
}

function stepName(s: StepResult): string {
  // A race's observation steps are numbered -1, -2, ... (they are not in the file).
  const where = s.index < 0 ? `observation_${-s.index}` : `step_${s.index}`;
  return `${where}_${s.step.op}${s.step.dump ? "_dump" : ""}`;
}

function ktapDirective(s: CertifiedScenario): string {
  if (s.verdict === "skip") return ` # SKIP ${oneLine(s.reason ?? "")}`;
  if (s.deviation) return ` # XFAIL ${oneLine(s.deviation)}`;
  if (s.verdict === "error") return ` # ERROR ${oneLine(s.reason ?? "")}`;
  return "";
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Nested KTAP: the verdict and profile as header diagnostics, one subtest per scenario, one line
 * per step inside it, diagnostics for failing steps, and kselftest's closing totals line.
 *
 * @example Usage
 * ```ts
 * import { toKtap } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const report = buildReport("model", new Date(0), 1, []);
 * assert.ok(toKtap(report).startsWith("KTAP version 1\n1..0\n"));
 * ```
 */
export function toKtap(report: CertificationReport): string {
  const out = ["KTAP version 1", `1..${report.scenarios.length}`];
  out.push(`# leasecheck certification of ${report.implementation}`);
  const { word, detail } = profileHeadline(report.profile);
  out.push(`# verdict: ${word}${detail}`);
  for (const line of profileLines(report.profile)) out.push(`# ${line}`);
  for (const [k, v] of Object.entries(report.implementationInfo ?? {})) out.push(`# ${k}: ${v}`);
  report.scenarios.forEach((s, i) => {
    out.push(`    KTAP version 1`);
    out.push(`    # Subtest: ${s.name}`);
    out.push(`    1..${s.steps.length}`);
    s.steps.forEach((step, j) => {
      out.push(`    ${step.pass ? "ok" : "not ok"} ${j + 1} ${stepName(step)}`);
      for (const line of step.diff) out.push(`    # ${line}`);
    });
    if (s.race !== undefined) {
      out.push(`    # race: ${s.race.mode}, ${s.race.repetitions} repetitions`);
      for (const o of s.race.outcomes) {
        out.push(
          `    # race outcome: ${o.summary}: seen ${o.observed} (model: ${o.interleavings})`,
        );
      }
      if (s.race.outsideCount > 0) {
        out.push(`    # race: ${s.race.outsideCount} repetitions outside the allowed set`);
      }
    }
    for (const p of s.problems ?? []) out.push(`    # problem: ${p}`);
    const ok = s.verdict === "pass" || s.verdict === "skip" || s.deviation !== undefined;
    out.push(`${ok ? "ok" : "not ok"} ${i + 1} ${s.name}${ktapDirective(s)}`);
  });
  const t = totals(report);
  out.push(
    `# Totals: pass:${t.pass} fail:${t.fail} xfail:${t.xfail} xpass:0 skip:${t.skip} error:${t.error}`,
  );
  return out.join("\n") + "\n";
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x08\x0b\x0c\x0e-\x1f]/g,
    "",
  );
}

/**
 * JUnit XML: one test suite with the verdict and profile as properties, one test case per
 * scenario, the failing steps' diffs as failures, accepted deviations as skipped. `label` (a
 * kernel version in a matrix) joins the suite's name and the test cases' class name.
 */
export function toJunit(report: CertificationReport, label?: string): string {
  const impl = label === undefined ? report.implementation : `${report.implementation}[${label}]`;
  const t = totals(report);
  const skipped = t.skip + t.xfail;
  const profile = report.profile;
  const { word, detail } = profileHeadline(profile);
  const properties: [string, string][] = [
    ["verdict", profile.verdict],
    ["verdict.text", `${word}${detail}`],
    ["operations.declared", profile.declared.join(" ")],
    ["operations.certified", profile.certified.join(" ")],
    ["operations.not-certified", profile.notCertified.join(" ")],
    ...profile.operations.map((o): [string, string] => [
      `operation.${o.op}`,
      `declared=${o.declared} ran=${o.ran} failed=${o.failed} skipped=${o.skipped} certified=${o.certified}`,
    ]),
    ["scenarios.ran", String(profile.scenarios.ran)],
    ["scenarios.skipped", String(profile.scenarios.skipped)],
    ["scenarios.failed", String(profile.scenarios.failed)],
    ["facts.total", String(profile.facts.total)],
    ["facts.covered", String(profile.facts.covered)],
    ["facts.failing", String(profile.facts.failing)],
  ];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="leasecheck" tests="${report.scenarios.length}" failures="${t.fail}" errors="${t.error}" skipped="${skipped}" time="${
      (report.elapsedMs / 1000).toFixed(3)
    }">`,
    `  <testsuite name="certify ${
      xml(impl)
    }" tests="${report.scenarios.length}" failures="${t.fail}" errors="${t.error}" skipped="${skipped}" timestamp="${report.started}">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
    "    </properties>",
  ];
  for (const s of report.scenarios) {
    out.push(
      `    <testcase classname="leasecheck.${xml(impl)}" name="${xml(s.name)}" file="${
        xml(s.file)
      }" time="${(s.elapsedMs / 1000).toFixed(3)}">`,
    );
    if (s.verdict === "skip") out.push(`      <skipped message="${xml(s.reason ?? "")}"/>`);
    else if (s.deviation) {
      out.push(`      <skipped message="known deviation: ${xml(s.deviation)}"/>`);
    } else if (s.verdict === "error") out.push(`      <error message="${xml(s.reason ?? "")}"/>`);
    else if (s.verdict === "fail") {
      const failing = s.steps.filter((x) => !x.pass);
      out.push(
        `      <failure message="${xml(failing.map(stepName).join(", "))}">${
          xml(failing.map((x) => `${stepName(x)}\n${x.diff.join("\n")}`).join("\n\n"))
        }</failure>`,
      );
    }
    out.push(
      `      <properties><property name="facts" value="${xml(s.facts.join(" "))}"/></properties>`,
    );
    out.push("    </testcase>");
  }
  out.push("  </testsuite>", "</testsuites>");
  return out.join("\n") + "\n";
}

/**
 * A race's distribution as Markdown lines: how it ran, then each allowed outcome with how many
 * model interleavings give it and how often it was seen, then what fell outside. A race that saw
 * one outcome of several allowed says it did not show the race.
 *
 * @example Usage
 * ```ts
 * import { raceMarkdown } from "./certification.ts";
 * import assert from "node:assert/strict";
 * const lines = raceMarkdown({
 *   mode: "concurrent", repetitions: 3, jitterUs: 500,
 *   explored: { states: 9, interleavings: 4 },
 *   outcomes: [
 *     { summary: "a: ok, b: EBUSY", interleavings: 2, observed: 3 },
 *     { summary: "a: EBUSY, b: ok", interleavings: 2, observed: 0 },
 *   ],
 *   outside: [], outsideCount: 0, problemRepetitions: [],
 * });
 * assert.ok(lines.some((l) => l.includes("1 of 2 allowed outcomes seen")));
 * ```
 */
export function raceMarkdown(race: RaceReport): string[] {
  const seen = race.outcomes.filter((o) => o.observed > 0).length;
  const how = race.mode === "concurrent"
    ? `${race.repetitions} concurrent repetitions (jitter up to ${race.jitterUs} µs)`
    : `${race.repetitions} sequential orders of whole operations (the implementation cannot ` +
      "run them concurrently: no operation overlapped another)";
  const out = [
    `${how}; the model allows ${race.outcomes.length} outcome(s) (${race.explored.interleavings} ` +
    `interleavings, ${race.explored.states} states); ${seen} of ${race.outcomes.length} allowed ` +
    `outcomes seen${race.outsideCount > 0 ? `, ${race.outsideCount} outside the set` : ""}.` +
    (seen === 1 && race.outcomes.length > 1
      ? " Only one outcome was seen: the repetitions did not exercise the race."
      : ""),
    "",
    "| allowed outcome | model interleavings | seen |",
    "| --- | ---: | ---: |",
    ...race.outcomes.map((o) => `| ${cellText(o.summary)} | ${o.interleavings} | ${o.observed} |`),
  ];
  for (const o of race.outside) {
    out.push(
      `| **outside the set** (repetition ${o.repetition}): ${cellText(o.summary)}; nearest ` +
        `allowed: ${cellText(o.closest)}: ${cellText(o.diff.slice(0, 3).join("; "))} | – | 1 |`,
    );
  }
  if (race.unobserved !== undefined) {
    out.push(
      "",
      `Not observed (the implementation does not run them): ${race.unobserved.join(", ")}; ` +
        "the final state was compared without them.",
    );
  }
  if (race.problemRepetitions.length > 0) {
    out.push(
      "",
      `The implementation reported problems after repetitions ${
        race.problemRepetitions.slice(0, 10).join(", ")
      }.`,
    );
  }
  out.push("");
  return out;
}

function raceSection(scenarios: readonly CertifiedScenario[], heading: string): string[] {
  const races = scenarios.filter((s) => s.race !== undefined);
  if (races.length === 0) return [];
  const out = [heading, ""];
  for (const s of races) out.push(`### ${s.name}`, "", ...raceMarkdown(s.race!));
  return out;
}

/**
 * Markdown: the verdict and profile first, then totals, failures with their diffs, the races'
 * outcome distributions, and the per-fact conformance table.
 */
export function toMarkdown(report: CertificationReport): string {
  const t = totals(report);
  const { word, detail } = profileHeadline(report.profile);
  const out = [
    `# Certification of \`${report.implementation}\``,
    "",
    `**${word}**${detail}.`,
    "",
    ...profileLines(report.profile).map((l) => `- ${l}`),
    "",
    `${t.pass} passed, ${t.fail} failed, ${t.error} errors, ${t.xfail} known deviations, ${t.skip} skipped, out of ${report.scenarios.length} scenarios (${
      (report.elapsedMs / 1000).toFixed(1)
    } s, started ${report.started}).`,
    "",
  ];
  const info = Object.entries(report.implementationInfo ?? {});
  if (info.length) out.push(...info.map(([k, v]) => `- ${k}: ${v}`), "");
  const bad = report.scenarios.filter((s) =>
    (s.verdict === "fail" || s.verdict === "error") && !s.deviation
  );
  if (bad.length) {
    out.push("## Failures", "");
    for (const s of bad) {
      out.push(`### ${s.name}`, "", `\`${s.file}\` — facts ${s.facts.join(", ")}`, "");
      if (s.reason) out.push(`Error: ${s.reason}`, "");
      for (const step of s.steps.filter((x) => !x.pass)) {
        out.push(
          `- ${stepName(step)}:`,
          "",
          "  ```",
          ...step.diff.map((l) => `  ${l}`),
          "  ```",
          "",
        );
      }
    }
  }
  out.push(...raceSection(report.scenarios, "## Races (outcome sets)"));
  if (report.deviations?.length) {
    out.push("## Known deviations", "", "| scenario | fact | reason |", "| --- | --- | --- |");
    for (const d of report.deviations) out.push(`| ${d.scenario} | ${d.fact} | ${d.reason} |`);
    out.push("");
  }
  out.push(
    "## Conformance per fact",
    "",
    "| fact | verdict | passed | failed | skipped |",
    "| --- | --- | --- | --- | --- |",
  );
  for (const f of report.facts) {
    const verdict = f.fail.length ? "✘ fails" : f.pass.length ? "✔ conforms" : "– untested";
    out.push(
      `| ${f.id} | ${verdict} | ${f.pass.length} | ${
        f.fail.length ? f.fail.join(", ") : 0
      } | ${f.skip.length} |`,
    );
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// The matrix: one certification per kernel version, side by side.

/** A scenario's outcome in one column of a matrix. */
export type MatrixVerdict = "pass" | "fail" | "error" | "skip" | "xfail" | "absent";

/** One cell: the verdict and what distinguishes it (failing steps' diffs, skip reason...). */
export interface MatrixCell {
  /** The verdict (`xfail`: a failure a known deviation covers; `absent`: not run there). */
  readonly verdict: MatrixVerdict;
  /** The failing steps with their diffs, or the skip/error/deviation reason. */
  readonly detail?: string;
}

/** One scenario across every column. */
export interface MatrixRow {
  /** The scenario. */
  readonly name: string;
  /** Its file. */
  readonly file: string;
  /** The fact ids it covers. */
  readonly facts: readonly string[];
  /** One cell per column, in column order. */
  readonly cells: readonly MatrixCell[];
  /**
   * How the columns differ: `verdict` (not all the same verdict), `detail` (the same verdict,
   * other failing steps or reasons), or null (identical everywhere).
   */
  readonly differs: "verdict" | "detail" | null;
}

/** One column: a version and its whole certification. */
export interface MatrixColumn {
  /** The column's name (a kernel's Debian version, a tree's cache key). */
  readonly label: string;
  /** The certification of that version. */
  readonly certification: CertificationReport;
}

/** Certifications of several versions of one implementation, scenario by scenario. */
export interface CertificationMatrix {
  /** Schema version. */
  readonly version: 1;
  /** The implementation (`kernel-vm`). */
  readonly implementation: string;
  /** When the first certification started (ISO 8601). */
  readonly started: string;
  /** Wall time of all certifications, in milliseconds. */
  readonly elapsedMs: number;
  /** The versions, in the order certified. */
  readonly columns: readonly MatrixColumn[];
  /** Every scenario of any column, in the first column's order. */
  readonly rows: readonly MatrixRow[];
}

function matrixCell(s: CertifiedScenario | undefined): MatrixCell {
  if (s === undefined) return { verdict: "absent" };
  if (s.deviation) return { verdict: "xfail", detail: s.deviation };
  if (s.verdict === "pass") return { verdict: "pass" };
  if (s.verdict === "fail" && s.race !== undefined) {
    return { verdict: "fail", detail: s.reason ?? "" };
  }
  if (s.verdict === "fail") {
    return {
      verdict: "fail",
      detail: s.steps.filter((x) => !x.pass).map((x) => `${stepName(x)}: ${x.diff.join("; ")}`)
        .join("\n"),
    };
  }
  return { verdict: s.verdict, detail: s.reason ?? "" };
}

/**
 * Builds the matrix of certifications of several versions: one row per scenario, one cell per
 * version, and whether (and how) the versions differ on it.
 *
 * @example Usage
 * ```ts
 * import { buildMatrix } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const s = { name: "s1", file: "s1.yaml", adapter: "a", steps: [], facts: [], elapsedMs: 1 };
 * const a = buildReport("kernel-vm", new Date(0), 5, [{ ...s, verdict: "pass" }]);
 * const b = buildReport("kernel-vm", new Date(9), 7, [{ ...s, verdict: "skip", reason: "r" }]);
 * const m = buildMatrix([{ label: "7.2", certification: a }, { label: "7.3", certification: b }]);
 * assert.deepEqual(m.rows[0].cells, [{ verdict: "pass" }, { verdict: "skip", detail: "r" }]);
 * assert.equal(m.rows[0].differs, "verdict");
 * assert.equal(m.elapsedMs, 12);
 * ```
 */
export function buildMatrix(columns: readonly MatrixColumn[]): CertificationMatrix {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const c of columns) {
    for (const s of c.certification.scenarios) {
      if (!seen.has(s.name)) names.push(s.name);
      seen.add(s.name);
    }
  }
  const byName = columns.map((c) => new Map(c.certification.scenarios.map((s) => [s.name, s])));
  const rows = names.map((name): MatrixRow => {
    const found = byName.map((m) => m.get(name));
    const first = found.find((s) => s !== undefined)!;
    const cells = found.map(matrixCell);
    const differs = cells.some((c) => c.verdict !== cells[0].verdict)
      ? "verdict"
      : cells.some((c) => c.detail !== cells[0].detail)
      ? "detail"
      : null;
    return { name, file: first.file, facts: first.facts, cells, differs };
  });
  return {
    version: 1,
    implementation: columns[0]?.certification.implementation ?? "?",
    started: columns.map((c) => c.certification.started).sort()[0] ?? new Date(0).toISOString(),
    elapsedMs: columns.reduce((t, c) => t + c.certification.elapsedMs, 0),
    columns,
    rows,
  };
}

/**
 * The verdict of a matrix: the worst of its columns' (does not conform, then not certified).
 *
 * @example Usage
 * ```ts
 * import { buildMatrix, matrixVerdict } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const r = buildReport("kernel-vm", new Date(0), 1, []); // nothing ran: not certified
 * assert.equal(matrixVerdict(buildMatrix([{ label: "7.2", certification: r }])), "not-certified");
 * ```
 */
export function matrixVerdict(m: CertificationMatrix): CertificationVerdict {
  const verdicts = m.columns.map((c) => c.certification.profile.verdict);
  return verdicts.includes("does-not-conform")
    ? "does-not-conform"
    : verdicts.includes("not-certified") || verdicts.length === 0
    ? "not-certified"
    : "conforms";
}

/**
 * The totals of one certification in words.
 *
 * @example Usage
 * ```ts
 * import { columnTotals } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   columnTotals(buildReport("kernel-vm", new Date(0), 1, [])),
 *   "0 passed, 0 failed, 0 known deviations, 0 skipped",
 * );
 * ```
 */
export function columnTotals(c: CertificationReport): string {
  const t = totals(c);
  return `${t.pass} passed, ${
    t.fail + t.error
  } failed, ${t.xfail} known deviations, ${t.skip} skipped`;
}

const MARK_VERDICT: Record<CertificationVerdict, string> = {
  "conforms": "✔ conforms",
  "does-not-conform": "✘ does not conform",
  "not-certified": "– not certified",
};

const MARK: Record<MatrixVerdict, string> = {
  pass: "✔ pass",
  fail: "✘ FAIL",
  error: "✘ ERROR",
  skip: "– skip",
  xfail: "≈ xfail",
  absent: "· absent",
};

/**
 * Markdown of a matrix: the versions with their totals, the scenarios whose outcome differs
 * between versions (with what differs), every failure per version, then the whole matrix.
 *
 * @example Usage
 * ```ts
 * import { buildMatrix, toMatrixMarkdown } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const s = { name: "s1", file: "s1.yaml", adapter: "a", steps: [], facts: [], elapsedMs: 1 };
 * const r = buildReport("kernel-vm", new Date(0), 5, [{ ...s, verdict: "pass" }]);
 * const md = toMatrixMarkdown(buildMatrix([{ label: "7.2", certification: r },
 *   { label: "7.3", certification: r }]));
 * assert.match(md, /None: every one of the 1 scenarios has the same outcome on every version/);
 * ```
 */
export function toMatrixMarkdown(m: CertificationMatrix): string {
  const failing = m.columns.filter((c) => c.certification.profile.verdict !== "conforms");
  const conforming = m.columns.filter((c) => c.certification.profile.verdict === "conforms");
  const differing = m.rows.filter((r) => r.differs !== null);
  const out = [
    `# Certification matrix of \`${m.implementation}\``,
    "",
    `**${
      verdictWord(matrixVerdict(m))
    }**: ${conforming.length} of ${m.columns.length} versions conform; ${m.rows.length} scenarios, ${
      differing.length === 0
        ? "no difference between the versions"
        : `${differing.length} differ between the versions`
    } (${(m.elapsedMs / 1000).toFixed(1)} s, started ${m.started}).`,
    "",
    "| version | verdict | totals | time | about |",
    "| --- | --- | --- | ---: | --- |",
  ];
  for (const c of m.columns) {
    const info = c.certification.implementationInfo ?? {};
    const about = [info.kernel ? `Linux ${info.kernel}` : "", info["kernel source"] ?? ""]
      .filter(Boolean).join(", ");
    out.push(
      `| ${c.label} | ${MARK_VERDICT[c.certification.profile.verdict]} | ${
        columnTotals(c.certification)
      } | ${(c.certification.elapsedMs / 1000).toFixed(1)} s | ${cellText(about)} |`,
    );
  }
  out.push("", "## Differences between the versions", "");
  if (differing.length === 0) {
    out.push(
      `None: every one of the ${m.rows.length} scenarios has the same outcome on every version.`,
      "",
    );
  } else {
    out.push(
      `| scenario | ${m.columns.map((c) => c.label).join(" | ")} | differs in |`,
      `| --- | ${m.columns.map(() => "---").join(" | ")} | --- |`,
    );
    for (const r of differing) {
      out.push(
        `| **${r.name}** | ${
          r.cells.map((c) => `**${MARK[c.verdict]}**`).join(" | ")
        } | ${r.differs} |`,
      );
    }
    out.push("");
    for (const r of differing) {
      out.push(`### ${r.name}`, "", `\`${r.file}\` — facts ${r.facts.join(", ") || "none"}`, "");
      r.cells.forEach((c, i) => {
        out.push(`- ${m.columns[i].label}: ${MARK[c.verdict]}${c.detail ? ":" : ""}`);
        if (c.detail) {
          out.push(
            "",
            "  ```",
            ...c.detail.split("\n").map((l) => `  ${l}`),
            "  ```",
            "",
          );
        }
      });
      if (out.at(-1) !== "") out.push("");
    }
  }
  for (const c of failing) {
    out.push(
      `## ${
        c.certification.profile.verdict === "does-not-conform" ? "Failures" : "Not certified"
      } on ${c.label}`,
      ...toMarkdown(c.certification).split("\n").filter((l) => !/^# Certification/.test(l))
        .map((l) => l.replace(/^#/, "##")),
    );
  }
  for (const c of m.columns) {
    out.push(...raceSection(c.certification.scenarios, `## Races on ${c.label} (outcome sets)`));
  }
  out.push(
    "## Every scenario",
    "",
    `| scenario | ${m.columns.map((c) => c.label).join(" | ")} |`,
    `| --- | ${m.columns.map(() => "---").join(" | ")} |`,
  );
  for (const r of m.rows) {
    const name = r.differs ? `**${r.name}** (differs)` : r.name;
    out.push(
      `| ${name} | ${
        r.cells.map((c) => (r.differs === "verdict" ? `**${MARK[c.verdict]}**` : MARK[c.verdict]))
          .join(" | ")
      } |`,
    );
  }
  return out.join("\n") + "\n";
}

function cellText(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/**
 * Nested KTAP of a matrix: one subtest per version holding that version's whole KTAP document.
 *
 * @example Usage
 * ```ts
 * import { buildMatrix, toMatrixKtap } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const r = buildReport("kernel-vm", new Date(0), 1, []);
 * const ktap = toMatrixKtap(buildMatrix([{ label: "7.3.4-1~bpo13+1", certification: r }]));
 * assert.ok(ktap.includes("\n    KTAP version 1\n"));
 * // nothing ran: not certified, kselftest's skip
 * assert.ok(ktap.includes("\nok 1 7.3.4-1~bpo13+1 # SKIP not certified\n"));
 * ```
 */
export function toMatrixKtap(m: CertificationMatrix): string {
  const out = ["KTAP version 1", `1..${m.columns.length}`];
  out.push(`# leasecheck certification matrix of ${m.implementation}`);
  m.columns.forEach((c, i) => {
    out.push(`# Subtest: ${c.label}`);
    for (const line of toKtap(c.certification).trimEnd().split("\n")) out.push(`    ${line}`);
    const v = c.certification.profile.verdict;
    out.push(
      `${v === "does-not-conform" ? "not ok" : "ok"} ${i + 1} ${c.label}${
        v === "not-certified" ? " # SKIP not certified" : ""
      }`,
    );
  });
  const n = (v: CertificationVerdict): number =>
    m.columns.filter((c) => c.certification.profile.verdict === v).length;
  out.push(
    `# Totals: pass:${n("conforms")} fail:${n("does-not-conform")} xfail:0 xpass:0 skip:${
      n("not-certified")
    } error:0`,
  );
  return out.join("\n") + "\n";
}

/**
 * JUnit XML of a matrix: one test suite per version.
 *
 * @example Usage
 * ```ts
 * import { buildMatrix, toMatrixJunit } from "./certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const r = buildReport("kernel-vm", new Date(0), 1, []);
 * const xml = toMatrixJunit(buildMatrix([{ label: "7.2", certification: r },
 *   { label: "7.3", certification: r }]));
 * assert.equal(xml.match(/<testsuite name="certify kernel-vm\[7\.[23]\]"/g)?.length, 2);
 * ```
 */
export function toMatrixJunit(m: CertificationMatrix): string {
  const suites = m.columns.map((c) =>
    toJunit(c.certification, c.label).split("\n").filter((l) => /^ {2}|^ {4}/.test(l))
  );
  const total = (f: (c: CertificationReport) => number): number =>
    m.columns.reduce((t, c) => t + f(c.certification), 0);
  const s = (c: CertificationReport) => c.summary;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="leasecheck" tests="${
      total((c) => s(c).pass + s(c).fail + s(c).skip + s(c).error)
    }" failures="${total((c) => s(c).fail)}" errors="${total((c) => s(c).error)}" skipped="${
      total((c) => s(c).skip)
    }" time="${(m.elapsedMs / 1000).toFixed(3)}">`,
    ...suites.flat(),
    "</testsuites>",
  ].join("\n") + "\n";
}
