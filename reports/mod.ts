/**
 * What a person (or a tool) reads after a run: the terminal text of a check result, the report
 * folder (`summary.md`, `result.json`, a self-contained `index.html` with a counterexample
 * viewer), certification reports (nested KTAP, JUnit XML, Markdown) and `explain FACT-ID`.
 *
 * @example Render a check result
 * ```ts
 * import { explore } from "../checker/explore.ts";
 * import { renderVerdict } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = explore({ name: "one", init: [{ n: 0 }], actions: [], isEnd: () => true });
 * assert.match(renderVerdict(result), /^ok one: /);
 * ```
 *
 * @module
 */

export {
  compactJson,
  describeViolation,
  diffEntries,
  type DiffEntry,
  diffLines,
  diffText,
  flatten,
  type RenderOptions,
  renderProgress,
  renderResult,
  renderScope,
  renderTrace,
  renderVerdict,
  scopeCaveats,
  toJsonValue,
} from "./text.ts";
export {
  buildMatrix,
  type CertificationMatrix,
  columnTotals,
  type MatrixCell,
  type MatrixColumn,
  type MatrixRow,
  type MatrixVerdict,
  profileHeadline,
  profileLines,
  toJunit,
  toKtap,
  toMarkdown,
  toMatrixJunit,
  toMatrixKtap,
  toMatrixMarkdown,
  verdictWord,
} from "./certification.ts";
export {
  buildFactCoverage,
  checkReportFolder,
  type FactCoverage,
  type FactEntry,
  type KillRow,
  type NamedTrace,
  renderSummary,
  REPORT_FILES,
  REPORT_MARKER,
  ReportFolderError,
  ReportFolderExistsError,
  type RunKind,
  type RunReport,
  type WriteReportOptions,
  writeRunReport,
  type WrittenReport,
} from "./report_folder.ts";
export {
  explainFact,
  type FactExplanation,
  lookupFact,
  renderExplanation,
  UnknownFactError,
} from "./explain.ts";
export { type HtmlOptions, loadViewerBundle, renderHtml, scriptSafeJson } from "./html.ts";
