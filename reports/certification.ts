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
import type { StepResult } from "../scenarios/replay.ts";

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
 * scenario, the failing steps' diffs as failures, accepted deviations as skipped.
 */
export function toJunit(report: CertificationReport): string {
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
      xml(report.implementation)
    }" tests="${report.scenarios.length}" failures="${t.fail}" errors="${t.error}" skipped="${skipped}" timestamp="${report.started}">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`),
    "    </properties>",
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

/**
 * Markdown: the verdict and profile first, then totals, failures with their diffs, and the
 * per-fact conformance table.
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
