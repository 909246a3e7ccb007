/// <reference lib="dom" />
/**
 * The certification section: the implementation, per-scenario verdicts with the failing steps'
 * diffs, and the per-fact conformance table.
 *
 * @module
 */

import { type CertificationReport, profileLines } from "../certification.ts";
import { badge, type Child, h, seconds, section, table } from "./dom.ts";

// ---------------------------------------------------------------------------------------------
// Certification

/** The Certification part of the page. */
export function renderCertification(c: CertificationReport): HTMLElement {
  const bad = c.scenarios.filter((s) => (s.verdict === "fail" || s.verdict === "error"));
  const verdictBadge = (v: string, deviation?: string): HTMLElement =>
    deviation
      ? badge("xfail", "scenario-only")
      : badge(v, v === "pass" ? "covered" : v === "skip" ? "explored-only" : "uncovered");
  const scenarioRow = (s: CertificationReport["scenarios"][number]): Child[] => [
    h("code", {}, s.name),
    verdictBadge(s.verdict, s.deviation),
    s.facts.join(", "),
    `${s.steps.filter((x) => x.pass).length}/${s.steps.length}`,
    `${s.elapsedMs.toFixed(1)} ms`,
  ];
  return section(
    "certification",
    "Certification",
    h(
      "p",
      {},
      `${c.implementation}: ${c.summary.pass} passed, ${c.summary.fail} failed, ${c.summary.error} errors, ${c.summary.skip} skipped, ${c.scenarios.length} scenarios, ${
        seconds(c.elapsedMs)
      } (started ${c.started}).`,
    ),
    h("ul", { class: "profile" }, profileLines(c.profile).map((line) => h("li", {}, line))),
    bad.length
      ? [
        h("h3", {}, "Failures"),
        bad.map((s) =>
          h(
            "details",
            { class: "failure", open: true },
            h(
              "summary",
              {},
              h("code", {}, s.name),
              " ",
              verdictBadge(s.verdict, s.deviation),
              ` facts ${s.facts.join(", ")}`,
            ),
            s.reason ? h("p", {}, `Error: ${s.reason}`) : null,
            s.deviation ? h("p", {}, `Known deviation: ${s.deviation}`) : null,
            h("p", { class: "file" }, s.file),
            s.steps.filter((x) => !x.pass).map((x) =>
              h(
                "div",
                { class: "failed-step" },
                h(
                  "h4",
                  {},
                  `step ${x.index}: ${x.step.op}${x.step.dump ? " (dump)" : ""} @${x.step.netns}`,
                ),
                h("pre", { class: "json" }, JSON.stringify(x.step.request ?? null, null, 2)),
                h("ul", { class: "diff" }, x.diff.map((d) => h("li", {}, d))),
              )
            ),
          )
        ),
      ]
      : h("p", {}, "Every scenario passed or was skipped."),
    h(
      "details",
      { class: "all-scenarios" },
      h("summary", {}, `All ${c.scenarios.length} scenarios`),
      table(
        null,
        ["scenario", "verdict", "facts", "steps passed", "time"],
        c.scenarios.map(scenarioRow),
        "scenarios",
      ),
    ),
    h(
      "details",
      { class: "conformance" },
      h("summary", {}, `Conformance per fact (${c.facts.length} facts)`),
      table(
        null,
        ["fact", "verdict", "passed", "failed", "skipped"],
        c.facts.map((f) => [
          h("code", {}, f.id),
          f.fail.length
            ? badge("fails", "uncovered")
            : f.pass.length
            ? badge("conforms", "covered")
            : badge("untested", "explored-only"),
          String(f.pass.length),
          f.fail.length ? f.fail.join(", ") : "0",
          String(f.skip.length),
        ]),
        "conformance",
      ),
    ),
  );
}
