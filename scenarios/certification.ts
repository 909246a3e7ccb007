/**
 * What a certification run found, as data: one result per scenario with the facts it covers,
 * the counts per verdict, a per-fact-id conformance table, the known deviations applied, and
 * the profile: what the implementation declares, what ran per operation, and the verdict
 * ({@linkcode buildProfile}). The renderers (KTAP, JUnit, Markdown) and the verdict's wording are
 * in `reports/certification.ts`.
 *
 * What "conforms" means: every scenario that ran passed (or failed only by an accepted
 * deviation), at least one scenario ran, the implementation declares at least `queue-create`
 * and `queue-get`, and for every operation it declares at least one scenario using it ran.
 *
 * @module
 */

import { compareFactIds } from "../spec/ids.ts";
import { OP_NAMES } from "./ops.ts";
import type { ScenarioResult } from "./replay.ts";

export { compareFactIds };

/** The operations every certified implementation must declare. */
export const REQUIRED_OPS: readonly string[] = ["queue-create", "queue-get"];

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
  /** What the implementation declares, what ran per operation, and the verdict. */
  readonly profile: CertificationProfile;
}

/**
 * The verdict of a certification: `conforms` (exit 0), `does-not-conform` (exit 1: a scenario
 * failed or broke) or `not-certified` (exit 4, kselftest's skip: nothing, or not enough, ran to
 * certify anything).
 */
export type CertificationVerdict = "conforms" | "does-not-conform" | "not-certified";

/** Why a certification is not "conforms"; the wording is the renderers' (reports/). */
export type ProfileProblem =
  | {
    /** Scenarios failed or broke (without an accepted deviation). */
    readonly kind: "failures";
    /** Their names, in run order. */
    readonly scenarios: readonly string[];
  }
  | {
    /** No scenario ran: every one was skipped, or there were none. */
    readonly kind: "nothing-ran";
  }
  | {
    /** The implementation does not declare every operation of {@link REQUIRED_OPS}. */
    readonly kind: "missing-required";
    /** The required operations it does not declare. */
    readonly ops: readonly string[];
  }
  | {
    /** Operations the implementation declares that no scenario that ran uses. */
    readonly kind: "not-exercised";
    /** Those operations. */
    readonly ops: readonly string[];
  };

/** What ran of one operation. */
export interface OperationProfile {
  /** The operation (`queue-create`). */
  readonly op: string;
  /** The implementation declares it. */
  readonly declared: boolean;
  /** Scenarios that ran (were not skipped) with at least one step of this operation answered. */
  readonly ran: number;
  /** Of those, how many failed or broke without an accepted deviation. */
  readonly failed: number;
  /** Skipped scenarios that use this operation. */
  readonly skipped: number;
  /** Declared, exercised by a scenario that ran, and no scenario that ran it failed. */
  readonly certified: boolean;
}

/** The certification's profile: what was declared, what ran, what it proves. */
export interface CertificationProfile {
  /** The verdict (see {@link CertificationVerdict}). */
  readonly verdict: CertificationVerdict;
  /** Why the verdict is not `conforms` (empty when it is). */
  readonly problems: readonly ProfileProblem[];
  /** The operations every implementation must declare ({@link REQUIRED_OPS}). */
  readonly required: readonly string[];
  /** The scenario operations the implementation declares, in catalogue order. */
  readonly declared: readonly string[];
  /** Names the implementation declared that are no scenario operation (ignored). */
  readonly unknown: readonly string[];
  /** Operations certified: declared, exercised, no failure (see {@link OperationProfile}). */
  readonly certified: readonly string[];
  /** Every other scenario operation. */
  readonly notCertified: readonly string[];
  /** Scenario counts: in the run, that ran (not skipped), skipped, failed or broke. */
  readonly scenarios: {
    /** Scenarios in the run. */
    readonly total: number;
    /** Scenarios that ran (passed, failed, broke, or an accepted deviation). */
    readonly ran: number;
    /** Scenarios skipped. */
    readonly skipped: number;
    /** Scenarios that failed or broke without an accepted deviation. */
    readonly failed: number;
  };
  /** One entry per scenario operation (catalogue order), then any other operation seen. */
  readonly operations: readonly OperationProfile[];
  /** Fact ids cited by the run's scenarios: covered (passed, none failing), failing, untested. */
  readonly facts: {
    /** Fact ids cited by the run's scenarios. */
    readonly total: number;
    /** Fact ids with a passing scenario and no failing one. */
    readonly covered: number;
    /** Fact ids with a failing or broken scenario. */
    readonly failing: number;
    /** Fact ids with neither a passing nor a failing scenario (skipped, accepted deviations). */
    readonly untested: number;
  };
}

/** One scenario's result with the facts it covers. */
export interface CertifiedScenario extends ScenarioResult {
  /** Spec fact ids the scenario covers. */
  readonly facts: readonly string[];
  /** Milliseconds the scenario took. */
  readonly elapsedMs: number;
  /** Set when a known deviation covers this scenario's failure. */
  readonly deviation?: string;
  /** The operations of the scenario's steps (what a skip of it leaves uncertified). */
  readonly ops?: readonly string[];
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
 * Builds the report from scenario results (each with its facts and time) and the operations
 * the implementation declares.
 *
 * @example Usage
 * ```ts
 * import { buildReport } from "./certification.ts";
 * import assert from "node:assert/strict";
 * const report = buildReport("model", new Date(0), 1, []);
 * assert.deepEqual(report.summary, { pass: 0, fail: 0, skip: 0, error: 0 });
 * assert.equal(report.profile.verdict, "not-certified"); // nothing ran
 * ```
 */
export function buildReport(
  implementation: string,
  started: Date,
  elapsedMs: number,
  scenarios: readonly CertifiedScenario[],
  implementationInfo?: Readonly<Record<string, string>>,
  deviations?: readonly AppliedDeviation[],
  declaredOps: readonly string[] = [],
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
    profile: buildProfile(scenarios, declaredOps),
  };
}

/** The operations a scenario result answered (steps that ran and were not "unsupported"). */
function opsRun(s: CertifiedScenario): Set<string> {
  return new Set(s.steps.filter((x) => x.actual.kind !== "unsupported").map((x) => x.step.op));
}

/**
 * The profile and verdict of a certification: what the implementation declares, per operation
 * how many scenarios ran, failed and were skipped, the facts covered, and why it is not
 * "conforms" when it is not. The verdict is `does-not-conform` when a scenario failed or broke
 * (without an accepted deviation); otherwise `not-certified` when no scenario ran, when
 * `queue-create` or `queue-get` is not declared, or when a declared operation has no scenario
 * that ran it; otherwise `conforms`.
 *
 * @param scenarios The run's scenario results.
 * @param declaredOps The operations the implementation declares.
 *
 * @example Usage
 * ```ts
 * import { buildProfile } from "./certification.ts";
 * import assert from "node:assert/strict";
 * const profile = buildProfile([], ["queue-create", "queue-get"]);
 * assert.equal(profile.verdict, "not-certified");
 * assert.deepEqual(profile.problems, [{ kind: "nothing-ran" }]);
 * ```
 */
export function buildProfile(
  scenarios: readonly CertifiedScenario[],
  declaredOps: readonly string[],
): CertificationProfile {
  const known = new Set<string>(OP_NAMES);
  const declaredSet = new Set(declaredOps);
  const declared = OP_NAMES.filter((op) => declaredSet.has(op));
  const unknown = [...declaredSet].filter((op) => !known.has(op)).sort();
  const isFailure = (s: CertifiedScenario): boolean =>
    (s.verdict === "fail" || s.verdict === "error") && s.deviation === undefined;
  const ran = scenarios.filter((s) => s.verdict !== "skip");
  const failures = scenarios.filter(isFailure);
  const seen = new Set<string>();
  for (const s of scenarios) {
    for (const op of s.ops ?? []) seen.add(op);
    for (const op of opsRun(s)) seen.add(op);
  }
  const opOrder = [...OP_NAMES, ...[...seen].filter((op) => !known.has(op)).sort()];
  const operations = opOrder.map((op): OperationProfile => {
    const using = ran.filter((s) => opsRun(s).has(op));
    const failed = using.filter(isFailure).length;
    const isDeclared = declaredSet.has(op);
    return {
      op,
      declared: isDeclared,
      ran: using.length,
      failed,
      skipped: scenarios.filter((s) =>
        s.verdict === "skip" && ((s.ops ?? []).includes(op) || opsRun(s).has(op))
      ).length,
      certified: isDeclared && using.length > 0 && failed === 0,
    };
  });
  const problems: ProfileProblem[] = [];
  if (failures.length > 0) {
    problems.push({
      kind: "failures",
      scenarios: failures.map((s) => s.name),
    });
  }
  if (ran.length === 0) problems.push({ kind: "nothing-ran" });
  const missing = REQUIRED_OPS.filter((op) => !declaredSet.has(op));
  if (missing.length > 0) problems.push({ kind: "missing-required", ops: missing });
  const idle = operations.filter((o) => o.declared && o.ran === 0).map((o) => o.op);
  if (idle.length > 0 && ran.length > 0) problems.push({ kind: "not-exercised", ops: idle });
  const factVerdicts = new Map<string, { pass: boolean; fail: boolean }>();
  for (const s of scenarios) {
    for (const id of s.facts) {
      const f = factVerdicts.get(id) ?? { pass: false, fail: false };
      if (s.verdict === "pass") f.pass = true;
      if (isFailure(s)) f.fail = true;
      factVerdicts.set(id, f);
    }
  }
  const facts = [...factVerdicts.values()];
  const certified = operations.filter((o) => o.certified).map((o) => o.op);
  return {
    verdict: failures.length > 0
      ? "does-not-conform"
      : problems.length > 0
      ? "not-certified"
      : "conforms",
    problems,
    required: REQUIRED_OPS,
    declared,
    unknown,
    certified,
    notCertified: opOrder.filter((op) => !certified.includes(op) && known.has(op)),
    scenarios: {
      total: scenarios.length,
      ran: ran.length,
      skipped: scenarios.length - ran.length,
      failed: failures.length,
    },
    operations,
    facts: {
      total: facts.length,
      covered: facts.filter((f) => f.pass && !f.fail).length,
      failing: facts.filter((f) => f.fail).length,
      untested: facts.filter((f) => !f.pass && !f.fail).length,
    },
  };
}
