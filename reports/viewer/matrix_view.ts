/// <reference lib="dom" />
/**
 * The certification matrix section (`certify --kernel all`): the versions with their totals, the
 * scenarios whose outcome differs between versions (highlighted, with what differs) and the
 * whole scenario × version table; each version's own certification follows it.
 *
 * @module
 */

import { type CertificationMatrix, type MatrixVerdict, verdictWord } from "../certification.ts";
import { renderCertification } from "./certification_view.ts";
import { badge, h, seconds, section, table } from "./dom.ts";

const KIND: Record<MatrixVerdict, string> = {
  pass: "covered",
  fail: "uncovered",
  error: "uncovered",
  skip: "explored-only",
  xfail: "scenario-only",
  absent: "explored-only",
};

/** The Matrix part of the page, then one Certification part per version. */
export function renderMatrix(m: CertificationMatrix): HTMLElement {
  const differing = m.rows.filter((r) => r.differs !== null);
  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      h("th", { scope: "col" }, "scenario"),
      m.columns.map((c) => h("th", { scope: "col" }, c.label)),
    ),
  );
  const rows = m.rows.map((r) =>
    h(
      "tr",
      { class: r.differs ? `differs ${r.differs}` : null },
      h("td", {}, h("code", {}, r.name), r.differs ? ` (differs: ${r.differs})` : null),
      r.cells.map((c) => h("td", { title: c.detail ?? null }, badge(c.verdict, KIND[c.verdict]))),
    )
  );
  return section(
    "matrix",
    "Certification matrix",
    h(
      "p",
      {},
      `${m.implementation} on ${m.columns.length} versions, ${m.rows.length} scenarios: ${
        differing.length === 0 ? "no scenario differs" : `${differing.length} scenarios differ`
      } between the versions (${seconds(m.elapsedMs)}, started ${m.started}).`,
    ),
    table(
      null,
      ["version", "kernel", "verdict", "passed", "failed", "skipped", "time"],
      m.columns.map((c) => {
        const x = c.certification;
        return [
          h("code", {}, c.label),
          x.implementationInfo?.kernel ?? "?",
          badge(
            verdictWord(x.profile.verdict),
            x.profile.verdict === "conforms"
              ? "covered"
              : x.profile.verdict === "does-not-conform"
              ? "uncovered"
              : "explored-only",
          ),
          String(x.summary.pass),
          String(x.summary.fail + x.summary.error),
          String(x.summary.skip),
          seconds(x.elapsedMs),
        ];
      }),
      "versions",
    ),
    differing.length
      ? [
        h("h3", {}, "Differences between the versions"),
        differing.map((r) =>
          h(
            "details",
            { class: "failure", open: true },
            h("summary", {}, h("code", {}, r.name), ` differs in ${r.differs}`),
            h(
              "ul",
              { class: "diff" },
              r.cells.map((c, i) =>
                h(
                  "li",
                  {},
                  `${m.columns[i].label}: `,
                  badge(c.verdict, KIND[c.verdict]),
                  c.detail ? h("pre", {}, c.detail) : null,
                )
              ),
            ),
          )
        ),
      ]
      : h("p", {}, "Every scenario has the same outcome on every version."),
    h(
      "details",
      { class: "all-scenarios", open: differing.length > 0 },
      h("summary", {}, `All ${m.rows.length} scenarios × ${m.columns.length} versions`),
      h("table", { class: "matrix" }, head, h("tbody", {}, rows)),
    ),
    m.columns.map((c) => {
      const part = renderCertification(c.certification);
      part.id = `certification-${m.columns.indexOf(c) + 1}`;
      part.querySelector("h2")!.textContent = `Certification of ${c.label}`;
      part.querySelector("h2")!.id = `${part.id}-h`;
      part.setAttribute("aria-labelledby", `${part.id}-h`);
      return h("div", { class: "matrix-version" }, part);
    }),
  );
}
