/// <reference lib="dom" />
/**
 * The report viewer: reads the run report embedded in the page
 * (`<script type="application/json" id="data">`) and renders the verdict, configuration,
 * statistics, fact coverage, mutant kill table, certification results and a step-through viewer
 * for each counterexample (swim lanes, request, diff, and a drawing of the device model).
 *
 * Plain typed DOM code, no framework, no network. Bundled into `app.bundle.js` by `build.ts`.
 *
 * @module
 */

import { renderCertification } from "./certification_view.ts";
import { renderCounterexamples } from "./counterexamples.ts";
import type { RunReport } from "./data.ts";
import { h } from "./dom.ts";
import { renderFacts } from "./facts_view.ts";
import {
  renderConfig,
  renderHeader,
  renderKills,
  renderNav,
  renderScopeSection,
  renderStats,
} from "./sections.ts";
import { renderMatrix } from "./matrix_view.ts";
import { overallVerdict, statusWord } from "./summary.ts";

// ---------------------------------------------------------------------------------------------
// Page

function main(): void {
  const root = document.getElementById("app");
  const data = document.getElementById("data");
  if (!root || !data) return;
  let doc: RunReport;
  try {
    doc = JSON.parse(data.textContent ?? "") as RunReport;
  } catch (error) {
    root.replaceChildren(
      h("p", { class: "error" }, `Cannot read the report data: ${String(error)}`),
    );
    return;
  }
  document.title = `${doc.tool.name} ${doc.kind}: ${statusWord(overallVerdict(doc).status)}${
    doc.spec ? ` — ${doc.spec.name}` : ""
  }`;
  const parts: [string, string, HTMLElement | null][] = [
    ["counterexamples", "Counterexamples", renderCounterexamples(doc)],
    ["config", "Configuration", renderConfig(doc)],
    ["scope", "Scope", renderScopeSection(doc.results ?? [])],
    ["matrix", "Certification matrix", doc.matrix ? renderMatrix(doc.matrix) : null],
    ["stats", "State space", doc.results?.length ? renderStats(doc.results) : null],
    ["coverage", "Fact coverage", doc.factCoverage?.length ? renderFacts(doc.factCoverage) : null],
    ["kills", "Mutant kill table", doc.killTable?.length ? renderKills(doc.killTable) : null],
    [
      "certification",
      "Certification",
      doc.certification ? renderCertification(doc.certification) : null,
    ],
  ];
  const present = parts.filter(([, , el]) => el !== null);
  root.replaceChildren(
    renderHeader(doc),
    renderNav(present.map(([id, title]) => [id, title])),
    h("main", {}, present.map(([, , el]) => el)),
  );
}

// The page runs it; a module loader without a document (deno test --doc) only imports it.
if (typeof document !== "undefined") main();
