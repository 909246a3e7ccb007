/// <reference lib="dom" />
/**
 * The report page's summary sections: header with the verdict, navigation, configuration,
 * state-space statistics and the mutant kill table.
 *
 * @module
 */

import type { CheckResult } from "../../checker/result.ts";
import type { KillRow, RunReport } from "./data.ts";
import { badge, type Child, fmt, h, seconds, section, table } from "./dom.ts";
import { overallVerdict, resultHeadline, statusWord } from "./summary.ts";
import { compactJson } from "./trace.ts";
import { renderScope } from "../text.ts";

// ---------------------------------------------------------------------------------------------
// Header, verdict, configuration

/** The Header part of the page. */
export function renderHeader(doc: RunReport): HTMLElement {
  const v = overallVerdict(doc);
  const sub = [
    `${doc.kind} run`,
    `${doc.tool.name} ${doc.tool.version}`,
    doc.spec ? `spec ${doc.spec.name}` : null,
    doc.created ? `written ${doc.created}` : null,
  ].filter(Boolean).join(" · ");
  return h(
    "header",
    {},
    h("h1", {}, `${doc.tool.name} report`),
    h("p", { class: "sub" }, sub),
    h(
      "div",
      { class: `verdict ${v.status}`, id: "verdict", role: "status" },
      h("strong", { class: "verdict-word" }, statusWord(v.status).toUpperCase()),
      h("span", { class: "verdict-text" }, v.headline),
    ),
  );
}

/** The Nav part of the page. */
export function renderNav(links: [string, string][]): HTMLElement {
  return h(
    "nav",
    { "aria-label": "Sections" },
    h("ul", {}, links.map(([id, title]) => h("li", {}, h("a", { href: `#${id}` }, title)))),
  );
}

/** The Config part of the page. */
export function renderConfig(doc: RunReport): HTMLElement {
  const rows: [string, Child][] = [
    ["tool", `${doc.tool.name} ${doc.tool.version}`],
    ["run", doc.kind],
  ];
  if (doc.spec) {
    rows.push(["spec", doc.spec.name]);
    if (doc.spec.version) rows.push(["spec version", doc.spec.version]);
    const params = Object.entries(doc.spec.params);
    rows.push([
      "parameters",
      params.length ? params.map(([k, v]) => `${k}=${compactJson(v, 60)}`).join(", ") : "defaults",
    ]);
  }
  for (const r of doc.results ?? []) {
    rows.push([
      `result ${r.spec}`,
      `${r.mode}${
        r.seed !== undefined ? `, seed ${r.seed}` : ""
      }, fingerprints ${r.fingerprints.mode}${
        r.fingerprints.collisionProbability !== undefined
          ? ` (collision probability ${r.fingerprints.collisionProbability.toExponential(1)})`
          : ""
      }`,
    ]);
  }
  if (doc.certification) rows.push(["implementation", doc.certification.implementation]);
  for (const [k, v] of Object.entries(doc.certification?.implementationInfo ?? {})) {
    rows.push([k, v]);
  }
  if (doc.created) rows.push(["written", doc.created]);
  if (doc.argv?.length) rows.push(["command", h("code", {}, doc.argv.join(" "))]);
  if (doc.reproduce?.run) rows.push(["rerun", h("code", {}, doc.reproduce.run)]);
  return section(
    "config",
    "Configuration",
    h(
      "dl",
      { class: "kv" },
      rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
  );
}

/**
 * The Scope part of the page: what each result explored, as the terminal prints it (an "ok"
 * holds only within this scope); null when no result carries a scope.
 */
export function renderScopeSection(results: readonly CheckResult<unknown>[]): HTMLElement | null {
  const scoped = results.filter((r) => r.scope !== undefined);
  if (scoped.length === 0) return null;
  return section(
    "scope",
    "Scope",
    scoped.map((r) =>
      h(
        "div",
        { class: "result-scope" },
        h("h3", {}, resultHeadline(r)),
        h("pre", { class: "scope" }, renderScope(r.scope!, "", r.coverage).slice(1).join("\n")),
      )
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** The Stats part of the page. */
export function renderStats(results: readonly CheckResult<unknown>[]): HTMLElement {
  return section(
    "stats",
    "State space",
    results.map((r) => {
      const s = r.stats;
      const steps = r.mode === "simulation" ? "steps" : "transitions";
      const cards: [string, string][] = [
        ["distinct states", fmt(s.distinct)],
        [`${steps} generated`, fmt(s.generated)],
        ["depth", String(s.depth)],
        ["left in queue", fmt(s.queued)],
        ["time", seconds(s.elapsedMs)],
        ["states/s", fmt(s.statesPerSecond)],
        ["initial states", fmt(s.initial)],
        ["deadlocked states", fmt(s.deadlocked)],
      ];
      const actions = Object.entries(s.perAction);
      const max = Math.max(1, ...actions.map(([, a]) => a.generated));
      return h(
        "div",
        { class: "result-stats" },
        h("h3", {}, resultHeadline(r)),
        h(
          "div",
          { class: "cards" },
          cards.map(([k, v]) =>
            h("div", { class: "card" }, h("div", { class: "num" }, v), h("div", {}, k))
          ),
        ),
        actions.length
          ? table(
            `Per action (${
              r.mode === "exhaustive" ? "transitions and new distinct states" : "steps"
            })`,
            ["action", steps, "new states", ""],
            actions.map(([name, a]) => [
              h("code", {}, name),
              h("span", { class: "n" }, fmt(a.generated)),
              h("span", { class: "n" }, r.mode === "exhaustive" ? fmt(a.distinct) : "–"),
              h("span", {
                class: "bar",
                style: `width:${Math.max(1, (a.generated / max) * 100).toFixed(1)}%`,
                "aria-hidden": "true",
              }),
            ]),
            "actions",
          )
          : null,
        r.lockOrder?.length
          ? h(
            "p",
            {},
            "Lock-order edges seen: ",
            r.lockOrder.map((e) => `${e.from} → ${e.to}`).join(", "),
          )
          : null,
      );
    }),
  );
}

/** The Kills part of the page. */
export function renderKills(rows: readonly KillRow[]): HTMLElement {
  const caught = rows.filter((r) => r.caughtBy !== null).length;
  return section(
    "kills",
    "Mutant kill table",
    h("p", {}, `${caught} of ${rows.length} mutants caught.`),
    table(
      null,
      ["mutant", "caught by", "how", "trace length", "time"],
      rows.map((r) => [
        h("code", {}, r.mutant),
        r.caughtBy === null ? badge("NOT CAUGHT", "uncovered") : r.caughtBy,
        r.kind,
        r.traceLength === null ? "—" : String(r.traceLength),
        seconds(r.ms),
      ]),
      "kills",
    ),
  );
}
