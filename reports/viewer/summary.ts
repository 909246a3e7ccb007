/**
 * Verdicts and small tables shared by the viewer and the Markdown summary: the overall verdict of
 * a run report, fact-id ordering and grouping, and the coverage status of a fact.
 *
 * @module
 */

import { profileHeadline, verdictWord } from "../certification.ts";
import { compareFactIds } from "../../spec/ids.ts";
import type { CheckResult } from "../../checker/result.ts";
import type { FactCoverage, RunReport } from "./data.ts";

/** The overall status of a report. */
export type Status =
  | "ok"
  | "violation"
  | "incomplete"
  | "error"
  | "conforms"
  | "fails"
  | "not-certified";

/** The overall verdict: a status and one headline. */
export interface OverallVerdict {
  /** The status (drives the banner colour). */
  readonly status: Status;
  /** One line saying what the run found. */
  readonly headline: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

/** What a check result's first violation broke, in words. */
function firstViolation(r: CheckResult<unknown>): string {
  const v = r.violations[0];
  if (!v) return "no violation";
  switch (v.kind) {
    case "invariant":
      return `invariant ${v.name} is violated`;
    case "property":
      return `action property ${v.name} is violated`;
    case "deadlock":
      return "deadlock";
    case "lock-order":
      return `lock-order cycle ${v.name}`;
    case "error":
      return `the spec threw in ${v.name}`;
  }
}

/**
 * The verdict of one check result in one line.
 *
 * @example Usage
 * ```ts
 * import { resultHeadline } from "./summary.ts";
 * import assert from "node:assert/strict";
 * const stats = { initial: 1, generated: 9, distinct: 5, depth: 2, queued: 0, elapsedMs: 1,
 *   statesPerSecond: 5, perAction: {}, seenSetBytes: 0, deadlocked: 0 };
 * assert.equal(resultHeadline({ version: 1, spec: "s", mode: "exhaustive", verdict: "ok",
 *   complete: true, violations: [], stats, fingerprints: { mode: "exact" } }),
 *   "s: ok, no violation in 5 distinct states (depth 2)");
 * ```
 */
export function resultHeadline(r: CheckResult<unknown>): string {
  const space = `${fmt(r.stats.distinct)} distinct states (depth ${r.stats.depth})`;
  switch (r.verdict) {
    case "ok":
      return `${r.spec}: ok, no violation in ${space}`;
    case "incomplete":
      return `${r.spec}: incomplete, no violation so far in ${space}; stopped: ${
        r.stoppedBecause ?? "early"
      }`;
    case "violation":
    case "error":
      return `${r.spec}: ${r.verdict}, ${firstViolation(r)}${
        r.violations.length > 1 ? ` (+${r.violations.length - 1} more)` : ""
      }`;
  }
}

/**
 * The overall verdict of a report: the worst check result, the certification's, or the replayed
 * traces'.
 */
export function overallVerdict(doc: RunReport): OverallVerdict {
  const results = doc.results ?? [];
  const parts: string[] = [];
  let status: Status = "ok";
  const rank: Record<Status, number> = {
    ok: 0,
    conforms: 0,
    incomplete: 1,
    "not-certified": 1,
    violation: 2,
    fails: 2,
    error: 3,
  };
  const worse = (s: Status): void => {
    if (rank[s] > rank[status]) status = s;
  };
  for (const r of results) {
    worse(r.verdict);
    parts.push(resultHeadline(r));
  }
  const c = doc.certification;
  if (c) {
    // The certification's own verdict (scenarios/certification.ts buildProfile): nothing run,
    // or a declared operation that no scenario exercised, is "not certified", never a pass.
    const verdict = c.profile.verdict;
    if (verdict === "does-not-conform") worse("fails");
    else if (verdict === "not-certified") worse("not-certified");
    else if (results.length === 0) status = "conforms";
    const { word, detail } = profileHeadline(c.profile);
    parts.push(`${c.implementation} ${word}${detail}`);
  }
  const m = doc.matrix;
  if (m) {
    // Each version's own verdict; the matrix's is the worst of them.
    const verdicts = m.columns.map((col) => col.certification.profile.verdict);
    const differing = m.rows.filter((r) => r.differs !== null).length;
    if (verdicts.includes("does-not-conform")) worse("fails");
    else if (verdicts.includes("not-certified") || verdicts.length === 0) worse("not-certified");
    else if (results.length === 0) status = "conforms";
    parts.push(
      `${m.implementation} on ${m.columns.length} versions: ${
        m.columns.map((col, i) => `${col.label} ${verdictWord(verdicts[i])}`).join(", ")
      }; ${differing} of ${m.rows.length} scenarios differ between the versions`,
    );
  }
  if (doc.traces?.length && results.length === 0 && !c && !m) {
    parts.push(
      doc.traces.map((t) => `${t.name}${t.description ? `: ${t.description}` : ""}`).join("; "),
    );
  }
  if (parts.length === 0) parts.push("nothing was run");
  return { status, headline: parts.join(" · ") };
}

/** The word shown for a status. */
export function statusWord(status: Status): string {
  return status === "fails"
    ? "does not conform"
    : status === "not-certified"
    ? "not certified"
    : status;
}

/**
 * Orders fact ids by family, then numerically (`QC-02` before `QC-10`): the fact base's order
 * (`spec/ids.ts`).
 */
export const compareFacts: (a: string, b: string) => number = compareFactIds;

/**
 * The group of a fact id: everything before its last `-` (`QC`, `QG`, `NK-NEW`, `INV`).
 *
 * @example Usage
 * ```ts
 * import { factGroup } from "./summary.ts";
 * import assert from "node:assert/strict";
 * assert.equal(factGroup("NK-NEW-10"), "NK-NEW");
 * assert.equal(factGroup("QG-L3"), "QG");
 * ```
 */
export function factGroup(id: string): string {
  const i = id.lastIndexOf("-");
  return i > 0 ? id.slice(0, i) : id;
}

/** Coverage status of a fact. */
export type FactStatus = "covered" | "explored only" | "scenario only" | "uncovered";

/** Whether exploration reached a fact and whether a scenario cites it. */
export function factStatus(f: FactCoverage): FactStatus {
  if (f.reached > 0) return f.scenarios.length > 0 ? "covered" : "explored only";
  return f.scenarios.length > 0 ? "scenario only" : "uncovered";
}
