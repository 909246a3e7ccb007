/// <reference lib="dom" />
/**
 * The fact coverage section: one row per fact of the fact base with its title and statement,
 * how often exploration reached it and which scenarios cite it; sortable and filterable.
 *
 * @module
 */

import type { FactCoverage } from "./data.ts";
import { badge, fillWith, fmt, h, section } from "./dom.ts";
import { compareFacts, factGroup, type FactStatus, factStatus } from "./summary.ts";

// ---------------------------------------------------------------------------------------------
// Fact coverage

type FactSort = "id" | "reached" | "scenarios" | "status";

/** The Facts part of the page. */
export function renderFacts(facts: readonly FactCoverage[]): HTMLElement {
  const counts: Record<FactStatus, number> = {
    covered: 0,
    "explored only": 0,
    "scenario only": 0,
    uncovered: 0,
  };
  for (const f of facts) counts[factStatus(f)]++;
  const reached = facts.filter((f) => f.reached > 0).length;
  const cited = facts.filter((f) => f.scenarios.length > 0).length;
  let sort: FactSort = "id";
  let descending = false;
  let filter: FactStatus | "all" = "all";
  let group = "all";
  const tbody = h("tbody", {});
  const groups = [...new Set(facts.map((f) => factGroup(f.id)))].sort();
  const statusOrder: FactStatus[] = ["uncovered", "scenario only", "explored only", "covered"];
  const heads: [FactSort, string][] = [
    ["id", "fact"],
    ["status", "status"],
    ["reached", "reached (times)"],
    ["scenarios", "scenarios"],
  ];
  const headCells = heads.map(([key, label]) => {
    const button = h("button", {
      type: "button",
      class: "sort",
      onclick: () => {
        descending = sort === key ? !descending : key !== "id";
        sort = key;
        fill();
      },
    }, label);
    return { key, th: h("th", { scope: "col", "aria-sort": "none" }, button) };
  });
  const maxReached = Math.max(1, ...facts.map((f) => f.reached));
  function fill(): void {
    const rows = facts.filter((f) =>
      (filter === "all" || factStatus(f) === filter) &&
      (group === "all" || factGroup(f.id) === group)
    );
    const key = (f: FactCoverage): number =>
      sort === "reached"
        ? f.reached
        : sort === "scenarios"
        ? f.scenarios.length
        : statusOrder.indexOf(factStatus(f));
    rows.sort((a, b) => {
      const c = sort === "id"
        ? compareFacts(a.id, b.id)
        : key(a) - key(b) || compareFacts(a.id, b.id);
      return descending ? -c : c;
    });
    for (const { key: k, th } of headCells) {
      th.setAttribute("aria-sort", k === sort ? (descending ? "descending" : "ascending") : "none");
    }
    fillWith(
      tbody,
      rows.map((f) => {
        const st = factStatus(f);
        const shown = f.scenarios.slice(0, 4);
        return h(
          "tr",
          { class: `fact ${st.replace(" ", "-")}`, "data-fact": f.id },
          h(
            "th",
            { scope: "row" },
            h("code", {}, f.id),
            f.title === undefined ? null : h(
              "details",
              { class: "fact-text" },
              h("summary", {}, f.title),
              h("p", {}, f.statement ?? ""),
              h("p", { class: "muted" }, `kernel ${f.versions ?? "?"} · ${f.known ?? "?"}`),
            ),
          ),
          h("td", {}, badge(st, st.replace(" ", "-"))),
          h(
            "td",
            { class: "n" },
            h("span", { class: "reach" }, f.reached ? fmt(f.reached) : "0"),
            f.reached
              ? h("span", {
                class: "bar",
                style: `width:${
                  Math.max(2, (Math.log1p(f.reached) / Math.log1p(maxReached)) * 60).toFixed(0)
                }px`,
                "aria-hidden": "true",
              })
              : null,
          ),
          h(
            "td",
            { class: "scen" },
            f.scenarios.length === 0 ? "—" : shown.join(", "),
            f.scenarios.length > shown.length
              ? h(
                "details",
                { class: "more" },
                h("summary", {}, `+${f.scenarios.length - shown.length} more`),
                f.scenarios.slice(shown.length).join(", "),
              )
              : null,
          ),
        );
      }),
    );
  }
  fill();
  const filterSelect = h(
    "select",
    {
      id: "fact-filter",
      onchange: (e: Event) => {
        filter = (e.target as HTMLSelectElement).value as FactStatus | "all";
        fill();
      },
    },
    h("option", { value: "all" }, `all (${facts.length})`),
    statusOrder.map((s) => h("option", { value: s }, `${s} (${counts[s]})`)),
  );
  const groupSelect = h(
    "select",
    {
      id: "fact-group",
      onchange: (e: Event) => {
        group = (e.target as HTMLSelectElement).value;
        fill();
      },
    },
    h("option", { value: "all" }, "all groups"),
    groups.map((g) => h("option", { value: g }, g)),
  );
  return section(
    "coverage",
    "Spec-fact coverage",
    h(
      "p",
      { class: "coverage-summary" },
      `${reached} of ${facts.length} facts reached by exploration, ${cited} cited by a scenario; `,
      badge(`${counts.covered} covered`, "covered"),
      " ",
      badge(`${counts["explored only"]} explored only`, "explored-only"),
      " ",
      badge(`${counts["scenario only"]} scenario only`, "scenario-only"),
      " ",
      badge(`${counts.uncovered} uncovered`, "uncovered"),
    ),
    h(
      "div",
      { class: "controls" },
      h("label", { for: "fact-filter" }, "Show "),
      filterSelect,
      " ",
      h("label", { for: "fact-group" }, "Group "),
      groupSelect,
    ),
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "facts", id: "fact-table" },
        h(
          "caption",
          {},
          "Each fact id: whether exploration reached it, how often, and which scenarios cite it. Click a heading to sort.",
        ),
        h("thead", {}, h("tr", {}, headCells.map((c) => c.th))),
        tbody,
      ),
    ),
  );
}
