/**
 * What a certification run found, as data: one result per scenario with the facts it covers,
 * the counts per verdict, a per-fact-id conformance table and the known deviations applied.
 * The renderers (KTAP, JUnit, Markdown) are in `reports/certification.ts`.
 *
 * @module
 */

import { compareFactIds } from "../spec/ids.ts";
import type { ScenarioResult } from "./replay.ts";

export { compareFactIds };

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

/**
 * Builds the report from scenario results (each with its facts and time).
 *
 * @example Usage
 * ```ts
 * import { buildReport } from "./certification.ts";
 * import assert from "node:assert/strict";
 * const report = buildReport("model", new Date(0), 1, []);
 * assert.deepEqual(report.summary, { pass: 0, fail: 0, skip: 0, error: 0 });
 * ```
 */
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
