/**
 * Certification: replays scenarios against an opened implementation and builds the report
 * ({@linkcode certify}); accepted deviations ({@linkcode loadDeviations}). Which adapters exist
 * and how an `--impl` value opens one is the command line's business (`cli/adapters.ts`).
 *
 * @module
 */

import {
  type AppliedDeviation,
  buildReport,
  type CertificationReport,
  type CertifiedScenario,
} from "./certification.ts";
import type { Scenario } from "./format.ts";
import { type ReplayAdapter, replayScenario } from "./replay.ts";

/** An adapter made for a certification run, with what the implementation says of itself. */
export interface OpenedAdapter {
  /** Makes a fresh adapter per scenario (or returns the shared one). */
  readonly forScenario: () => Promise<ReplayAdapter>;
  /** The implementation's self-description for the report. */
  readonly info: Readonly<Record<string, string>>;
  /** Releases everything (processes, VMs). */
  readonly close: () => Promise<void>;
  /** Name in reports. */
  readonly name: string;
}

/** Raised when the implementation cannot run at all (exit code 4, KSFT_SKIP). */
export class ImplementationUnavailableError extends Error {
  /** The error's class name. */
  override readonly name: string = "ImplementationUnavailableError";
}

/** Options of {@link certify}. */
export interface CertifyOptions {
  /** Called after each scenario (progress). */
  readonly onScenario?: (result: CertifiedScenario, index: number, total: number) => void;
  /** Accepted deviations: scenario name → fact id and reason. */
  readonly deviations?: ReadonlyMap<string, { fact: string; reason: string }>;
}

/** Replays `scenarios` against an opened adapter and builds the report. */
export async function certify(
  opened: OpenedAdapter,
  scenarios: readonly Scenario[],
  options: CertifyOptions = {},
): Promise<CertificationReport> {
  const started = new Date();
  const t0 = performance.now();
  const results: CertifiedScenario[] = [];
  const applied: AppliedDeviation[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const s0 = performance.now();
    const adapter = await opened.forScenario();
    const r = await replayScenario(scenario, adapter);
    const deviation = options.deviations?.get(scenario.name);
    const failed = r.verdict === "fail" || r.verdict === "error";
    if (deviation && failed) applied.push({ scenario: scenario.name, ...deviation });
    const result: CertifiedScenario = {
      ...r,
      facts: scenario.facts,
      elapsedMs: performance.now() - s0,
      deviation: deviation && failed ? `${deviation.fact}: ${deviation.reason}` : undefined,
    };
    results.push(result);
    options.onScenario?.(result, i, scenarios.length);
  }
  return buildReport(opened.name, started, performance.now() - t0, results, opened.info, applied);
}

/** One accepted difference between an implementation and the spec. */
export interface KnownDeviation {
  /** The scenario that fails because of it. */
  readonly scenario: string;
  /** The fact id it is about. */
  readonly fact: string;
  /** Kernel version(s) it was seen on. */
  readonly kernel: string;
  /** Why it is accepted (and who is right). */
  readonly reason: string;
}

/**
 * Reads a known-deviations file: `{"version": 1, "deviations": [{scenario, fact, kernel, reason}]}`.
 * Every entry must name a scenario of the run and give all four fields.
 *
 * @throws {TypeError} naming the entry and field that is wrong.
 */
export async function loadDeviations(
  file: string,
  scenarios: readonly Scenario[],
): Promise<Map<string, { fact: string; reason: string }>> {
  let doc: unknown;
  try {
    doc = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    if (error instanceof SyntaxError) throw new TypeError(`Cannot parse ${file}: ${error.message}`);
    throw error;
  }
  const list = (doc as { deviations?: unknown })?.deviations;
  if ((doc as { version?: unknown })?.version !== 1 || !Array.isArray(list)) {
    throw new TypeError(`${file} must be {"version": 1, "deviations": [...]}`);
  }
  const names = new Set(scenarios.map((s) => s.name));
  const out = new Map<string, { fact: string; reason: string }>();
  list.forEach((entry: Record<string, unknown>, i: number) => {
    for (const field of ["scenario", "fact", "kernel", "reason"]) {
      if (typeof entry?.[field] !== "string" || entry[field] === "") {
        throw new TypeError(`${file}: deviations[${i}].${field} must be a non-empty string`);
      }
    }
    if (!names.has(entry.scenario as string)) {
      throw new TypeError(
        `${file}: deviations[${i}].scenario names no scenario of this run: ${entry.scenario}`,
      );
    }
    out.set(entry.scenario as string, {
      fact: entry.fact as string,
      reason: `${entry.reason} (${entry.kernel})`,
    });
  });
  return out;
}
