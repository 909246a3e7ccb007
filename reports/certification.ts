/**
 * Certification reports rendered for people and tools: nested KTAP (as kernel selftests print
 * it), JUnit XML (what CI reads) and Markdown, with a per-fact-id conformance table. The report
 * itself (data) is built by `scenarios/certification.ts`.
 *
 * @module
 */

import type { CertificationReport, CertifiedScenario } from "../scenarios/certification.ts";
import type { StepResult } from "../scenarios/replay.ts";

export type {
  AppliedDeviation,
  CertificationReport,
  CertifiedScenario,
  FactConformance,
} from "../scenarios/certification.ts";

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
