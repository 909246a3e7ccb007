/**
 * Certification reports: what replaying the scenario corpus against an implementation found,
 * rendered as nested KTAP (as kernel selftests print it), JUnit XML (what CI reads), Markdown
 * (what a person reads) and JSON (versioned, for machines), with a per-fact-id conformance
 * table.
 *
 * @module
 */

import type { ScenarioResult, StepResult } from "../scenarios/replay.ts";

/** A certification run. */
export interface CertificationReport {
  /** Schema version of this JSON document. */
  readonly version: 1;
  /** The implementation certified (`model`, `model[C-02]`, `process:...`, `kernel-vm`). */
  readonly implementation: string;
  /** What the implementation said about itself (kernel release, protocol version...). */
  readonly implementationInfo?: Readonly<Record<string, string>>;
  /** When the run started (ISO 8601). */
  readonly started: string;
  /** Wall time of the run in milliseconds. */
  readonly elapsedMs: number;
  /** One entry per scenario, in run order. */
  readonly scenarios: readonly CertifiedScenario[];
  /** Counts per verdict. */
  readonly summary: {
    readonly pass: number;
    readonly fail: number;
    readonly skip: number;
    readonly error: number;
  };
  /** Per fact id: which scenarios cover it and how they fared. */
  readonly facts: readonly FactConformance[];
  /** Accepted differences that turned failures into expected failures. */
  readonly deviations?: readonly AppliedDeviation[];
}

/** One scenario's result with the facts it covers. */
export interface CertifiedScenario extends ScenarioResult {
  /** Spec fact ids the scenario covers. */
  readonly facts: readonly string[];
  /** Milliseconds the scenario took. */
  readonly elapsedMs: number;
  /** Set when a known deviation covers this scenario's failure. */
  readonly deviation?: string;
}

/** Conformance of one fact id. */
export interface FactConformance {
  /** The fact id (`QC-22`). */
  readonly id: string;
  /** Scenarios covering it that passed. */
  readonly pass: readonly string[];
  /** Scenarios covering it that failed or broke. */
  readonly fail: readonly string[];
  /** Scenarios covering it that were skipped. */
  readonly skip: readonly string[];
}

/** A known deviation applied to a failing scenario. */
export interface AppliedDeviation {
  /** The scenario. */
  readonly scenario: string;
  /** The fact id the deviation is about. */
  readonly fact: string;
  /** Why it is accepted. */
  readonly reason: string;
}

/** Builds the report from scenario results (each with its facts and time). */
export function buildReport(
  implementation: string,
  started: Date,
  elapsedMs: number,
  scenarios: readonly CertifiedScenario[],
  implementationInfo?: Readonly<Record<string, string>>,
  deviations?: readonly AppliedDeviation[],
): CertificationReport {
  const count = (v: string): number => scenarios.filter((s) => s.verdict === v).length;
  const byFact = new Map<string, { pass: string[]; fail: string[]; skip: string[] }>();
  for (const s of scenarios) {
    for (const id of s.facts) {
      const entry = byFact.get(id) ?? { pass: [], fail: [], skip: [] };
      byFact.set(id, entry);
      (s.verdict === "pass" ? entry.pass : s.verdict === "skip" ? entry.skip : entry.fail).push(
        s.name,
      );
    }
  }
  const facts = [...byFact].sort(([a], [b]) => compareFactIds(a, b)).map(([id, e]) => ({
    id,
    ...e,
  }));
  return {
    version: 1,
    implementation,
    implementationInfo,
    started: started.toISOString(),
    elapsedMs,
    scenarios,
    summary: {
      pass: count("pass"),
      fail: count("fail"),
      skip: count("skip"),
      error: count("error"),
    },
    facts,
    deviations,
  };
}

/** Orders fact ids by prefix, then numerically (`QC-2` before `QC-10`). */
export function compareFactIds(a: string, b: string): number {
  const split = (id: string): [string, number, string] => {
    const m = /^(.*?)(\d+)(.*)$/.exec(id);
    return m ? [m[1], Number(m[2]), m[3]] : [id, -1, ""];
  };
  const [pa, na, ra] = split(a);
  const [pb, nb, rb] = split(b);
  return pa !== pb ? pa.localeCompare(pb) : na !== nb ? na - nb : ra.localeCompare(rb);
}

function stepName(s: StepResult): string {
  return `step_${s.index}_${s.step.op}${s.step.dump ? "_dump" : ""}`;
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
 * Nested KTAP: one subtest per scenario, one line per step inside it, diagnostics for failing
 * steps, and kselftest's closing totals line.
 *
 * @example Usage
 * ```ts
 * import { buildReport, toKtap } from "./certification.ts";
 * const report = buildReport("model", new Date(0), 1, []);
 * console.assert(toKtap(report).startsWith("KTAP version 1\n1..0\n"));
 * ```
 */
export function toKtap(report: CertificationReport): string {
  const out = ["KTAP version 1", `1..${report.scenarios.length}`];
  out.push(`# leasecheck certification of ${report.implementation}`);
  for (const [k, v] of Object.entries(report.implementationInfo ?? {})) out.push(`# ${k}: ${v}`);
  report.scenarios.forEach((s, i) => {
    out.push(`    KTAP version 1`);
    out.push(`    # Subtest: ${s.name}`);
    out.push(`    1..${s.steps.length}`);
    s.steps.forEach((step, j) => {
      out.push(`    ${step.pass ? "ok" : "not ok"} ${j + 1} ${stepName(step)}`);
      for (const line of step.diff) out.push(`    # ${line}`);
    });
    const ok = s.verdict === "pass" || s.verdict === "skip" || s.deviation !== undefined;
    out.push(`${ok ? "ok" : "not ok"} ${i + 1} ${s.name}${ktapDirective(s)}`);
  });
  const { pass, fail, skip, error } = report.summary;
  const xfail = report.scenarios.filter((s) => s.deviation).length;
  out.push(
    `# Totals: pass:${pass} fail:${
      fail + error - xfail
    } xfail:${xfail} xpass:0 skip:${skip} error:0`,
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

/** JUnit XML: one test suite, one test case per scenario, the failing steps' diffs as failures. */
export function toJunit(report: CertificationReport): string {
  const { pass, fail, skip, error } = report.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="leasecheck" tests="${
      pass + fail + skip + error
    }" failures="${fail}" errors="${error}" skipped="${skip}" time="${
      (report.elapsedMs / 1000).toFixed(3)
    }">`,
    `  <testsuite name="certify ${
      xml(report.implementation)
    }" tests="${report.scenarios.length}" failures="${fail}" errors="${error}" skipped="${skip}" timestamp="${report.started}">`,
  ];
  for (const s of report.scenarios) {
    out.push(
      `    <testcase classname="leasecheck.${xml(report.implementation)}" name="${
        xml(s.name)
      }" file="${xml(s.file)}" time="${(s.elapsedMs / 1000).toFixed(3)}">`,
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

/** Markdown: verdict, totals, failures with their diffs, and the per-fact conformance table. */
export function toMarkdown(report: CertificationReport): string {
  const { pass, fail, skip, error } = report.summary;
  const xfail = report.scenarios.filter((s) => s.deviation).length;
  const failed = fail + error - xfail;
  const out = [
    `# Certification of \`${report.implementation}\``,
    "",
    `**${
      failed === 0 ? "conforms" : "does not conform"
    }**: ${pass} passed, ${failed} failed, ${xfail} known deviations, ${skip} skipped, out of ${report.scenarios.length} scenarios (${
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
