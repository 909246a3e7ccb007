/**
 * The run report document: what `writeRunReport` stores in `result.json` and embeds in
 * `index.html`, and what the viewer reads back. Documented in `reports/RESULT_SCHEMA.md`.
 *
 * Types only: the viewer bundle and the Deno side share them.
 *
 * @module
 */

import type { CheckResult, Trace } from "../../checker/result.ts";
import type { CertificationMatrix, CertificationReport } from "../certification.ts";

/** The kinds of run that write a report. */
export type RunKind = "check" | "replay" | "certify";

/** Coverage of one spec fact id. */
export interface FactCoverage {
  /** The fact id (`QC-22`, `NK-NEW-10`, `INV-L1`). */
  readonly id: string;
  /** How many times exploration reached the fact (0: never). */
  readonly reached: number;
  /** Names of the scenarios that cite the fact (empty: none). */
  readonly scenarios: readonly string[];
  /** The fact's title in the fact base (absent: an id the fact base does not define). */
  readonly title?: string;
  /** The fact's statement in the fact base. */
  readonly statement?: string;
  /** The kernel version range the fact holds in (`>=7.1`). */
  readonly versions?: string;
  /** How the fact is known: `verified` (seen on a kernel or read in its source) or `inferred`. */
  readonly known?: string;
}

/** One row of the mutant kill table. */
export interface KillRow {
  /** The mutant id (`C-02`). */
  readonly mutant: string;
  /** What caught it (an invariant, a property, a scenario name), or null when nothing did. */
  readonly caughtBy: string | null;
  /** How it was caught: a violation kind (`invariant`, `deadlock`...), `scenario`, or `none`. */
  readonly kind: string;
  /** Steps in the counterexample, or null when there is none. */
  readonly traceLength: number | null;
  /** Milliseconds until it was caught (or until the search gave up). */
  readonly ms: number;
}

/** A standalone trace (a replayed token), shown in the counterexample viewer. */
export interface NamedTrace {
  /** A title (`replay of 1AAHAH`). */
  readonly name: string;
  /** What the trace shows (`invariants violated in the last state: INV-L1`). */
  readonly description?: string;
  /** The trace. */
  readonly trace: Trace<unknown>;
}

/** The document of a run report, version 1. */
export interface RunReport {
  /** Schema version. */
  readonly version: 1;
  /** Which command wrote it. */
  readonly kind: RunKind;
  /** The tool that wrote it. */
  readonly tool: { readonly name: string; readonly version: string };
  /** When the report was written (ISO 8601); filled in by `writeRunReport` when absent. */
  readonly created?: string;
  /** The command line that produced the run. */
  readonly argv?: readonly string[];
  /** The spec explored, its parameters and (when known) its version. */
  readonly spec?: {
    readonly name: string;
    readonly params: Readonly<Record<string, unknown>>;
    readonly version?: string;
  };
  /** Check results, one per spec explored. */
  readonly results?: readonly CheckResult<unknown>[];
  /** Traces replayed on their own (`check --replay TOKEN`). */
  readonly traces?: readonly NamedTrace[];
  /** A certification run. */
  readonly certification?: CertificationReport;
  /** Certifications of several versions (`certify --kernel all`): scenario × version. */
  readonly matrix?: CertificationMatrix;
  /** Spec-fact coverage. */
  readonly factCoverage?: readonly FactCoverage[];
  /** Mutant kill table. */
  readonly killTable?: readonly KillRow[];
  /** Commands that reproduce things: replay token → command, and `run` → the whole run. */
  readonly reproduce?: Readonly<Record<string, string>>;
}
