/**
 * Writing emitted scenarios and traces to disk: a counterexample as `<name>.yaml` plus
 * `<name>.itf.json`, the covering set as passing scenarios, and {@linkcode emitForRun}, the one
 * call `deno task check --emit DIR` makes after a `leasing` run. Files are created, never
 * overwritten.
 *
 * @module
 */

import type { CheckResult, Trace, Violation } from "../../checker/result.ts";
import { type ModelConfig, validateConfig } from "../../model/config.ts";
import type { ModelState } from "../../model/state.ts";
import { toItf } from "../../checker/itf.ts";
import { type CoveringOptions, coveringScenarios } from "./covering.ts";
import { EMIT_KERNEL, type EmittedScenario, scenarioOfTrace } from "./scenario_of_trace.ts";

/** Raised when emission cannot write a file (it exists already) or has no trace to write. */
export class EmitError extends Error {
  /** Stable error code. */
  readonly code: string = "LCE003";
  /** The file concerned, if any. */
  readonly file?: string;

  /** Creates the error. */
  constructor(message: string, file?: string) {
    super(message);
    this.name = "EmitError";
    if (file !== undefined) this.file = file;
  }
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`;
}

/**
 * Creates `path` with `text`; throws {@linkcode EmitError} naming the file when it exists.
 * Needs write permission only.
 */
export function writeNewFile(path: string, text: string): void {
  try {
    Deno.writeTextFileSync(path, text, { createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) {
      throw new EmitError(
        `Cannot write ${path}: the file already exists (emit never overwrites)`,
        path,
      );
    }
    throw e;
  }
}

/** Writes several new files; on failure removes the ones this call created. */
function writeAll(files: readonly (readonly [string, string])[]): string[] {
  const done: string[] = [];
  try {
    for (const [path, text] of files) {
      writeNewFile(path, text);
      done.push(path);
    }
  } catch (e) {
    for (const path of done) Deno.removeSync(path);
    throw e;
  }
  return done;
}

/**
 * The command that replays `token` for a run of `leasing` with `config`: `deno task check
 * --spec leasing [--param mutant=C-xx] [--param creations=N] --replay TOKEN`.
 *
 * @example Usage
 * ```ts
 * import { reproduceCommand } from "./emit.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   reproduceCommand({ mutant: "C-02" }, "1AAH"),
 *   "deno task check --spec leasing --param mutant=C-02 --replay 1AAH",
 * );
 * ```
 */
export function reproduceCommand(config: Partial<ModelConfig>, token: string): string {
  const params: string[] = [];
  if (config.mutant) params.push(`--param mutant=${config.mutant}`);
  if (config.netkitCreations) params.push(`--param creations=${config.netkitCreations}`);
  return ["deno task check --spec leasing", ...params, `--replay ${token}`].join(" ");
}

/** The trace a violation carries (a lock-order cycle: the trace of its first edge). */
export function traceOf<S>(violation: Violation<S>): Trace<S> {
  return violation.kind === "lock-order" ? violation.cycle[0].trace : violation.trace;
}

/** `cex_<mutant or model>_<violation>` in lower case, e.g. `cex_c-02_inv-l1`. */
export function violationName(config: Partial<ModelConfig>, violation: Violation<unknown>): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9-]+/g, "_").replace(/^_|_$/g, "");
  return `cex_${slug(config.mutant ?? "model")}_${slug(violation.name)}`.slice(0, 64);
}

/** Options of {@linkcode emitViolation}. */
export interface EmitViolationOptions {
  /** File name without extension (default {@linkcode violationName}). */
  readonly name?: string;
  /** Renders the replay command for a token (default {@linkcode reproduceCommand}). */
  readonly reproduce?: (token: string) => string;
  /** `#meta.timestamp` of the ITF file (default now). */
  readonly timestamp?: number;
}

/** What {@linkcode emitViolation} wrote. */
export interface EmittedViolation {
  /** Path of the scenario. */
  readonly scenarioFile: string;
  /** Path of the ITF trace. */
  readonly itfFile: string;
  /** The scenario written. */
  readonly scenario: EmittedScenario;
}

/**
 * Writes a violation of a `leasing` run as `<dir>/<name>.yaml` (a scenario whose expectations
 * are the correct model's replies; a mutant's diverging replies are in step notes) and
 * `<dir>/<name>.itf.json` (the trace in ITF).
 *
 * @param result The run (for the spec name).
 * @param violation One of `result.violations`.
 * @param config The configuration the run used (its mutant included).
 * @param dir The output directory (created if missing).
 * @param options Name, replay command, timestamp.
 * @returns The paths written and the scenario.
 * @throws {EmitError} When a file exists already (nothing is left half-written).
 * @throws {SteppedTraceError} When the trace has steps that cannot be written as scenario steps.
 *
 * @example Usage
 * ```ts ignore
 * import { emitViolation } from "./emit.ts";
 * import { explore } from "../../checker/explore.ts";
 * import { leasingSpec } from "../../model/spec.ts";
 * const config = { mutant: "C-02" as const, concurrency: 1 };
 * const result = explore(leasingSpec(config));
 * emitViolation(result, result.violations[0], config, "out");
 * ```
 */
export function emitViolation(
  result: CheckResult<ModelState>,
  violation: Violation<ModelState>,
  config: Partial<ModelConfig>,
  dir: string,
  options: EmitViolationOptions = {},
): EmittedViolation {
  const c = validateConfig(config);
  const trace = traceOf(violation);
  const name = options.name ?? violationName(c, violation);
  const reproduce = (options.reproduce ?? ((t: string) => reproduceCommand(c, t)))(trace.token);
  const what = violation.kind === "error"
    ? `a spec error in ${violation.name} (${violation.message})`
    : `${violation.kind} ${violation.name}` +
      ("description" in violation && violation.description !== undefined
        ? ` (${violation.description})`
        : "");
  const description = `Counterexample found by leasecheck in ${result.spec}: ${what}. ` +
    `Expectations are the correct model's replies` +
    (c.mutant === null ? "." : `; replayed on ${c.mutant} it ends in the same violation.`);
  const scenario = scenarioOfTrace(c, trace, {
    observe: true,
    name,
    description,
    facts: [violation.name],
    source: reproduce,
  });
  const itf = toItf(trace, {
    description,
    spec: result.spec,
    violation: `${violation.kind} ${violation.name}`,
    reproduce,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    extra: { scenario: `${name}.yaml`, kernel: EMIT_KERNEL },
  });
  Deno.mkdirSync(dir, { recursive: true });
  const scenarioFile = join(dir, `${name}.yaml`);
  const itfFile = join(dir, `${name}.itf.json`);
  writeAll([[scenarioFile, scenario.yaml], [itfFile, JSON.stringify(itf, null, 2) + "\n"]]);
  return { scenarioFile, itfFile, scenario };
}

/**
 * Writes the covering set of `config` (see `covering.ts`) as `<dir>/<name>.yaml` files.
 *
 * @param config The configuration (searched atomic and unmutated).
 * @param dir The output directory (created if missing).
 * @param options Search bounds and the replay command.
 * @returns The paths written.
 * @throws {EmitError} When a file exists already (files this call wrote are removed).
 *
 * @example Usage
 * ```ts ignore
 * import { emitCovering } from "./emit.ts";
 * const files = emitCovering({}, "out/covering");
 * ```
 */
export function emitCovering(
  config: Partial<ModelConfig>,
  dir: string,
  options: CoveringOptions = {},
): string[] {
  const c = validateConfig(config);
  const atomicNote = c.concurrency > 1 ? " (atomic model)" : "";
  const reproduce = options.reproduce ??
    ((t: string) => reproduceCommand({ ...c, mutant: null }, t) + atomicNote);
  const all = coveringScenarios(c, { ...options, reproduce });
  Deno.mkdirSync(dir, { recursive: true });
  return writeAll(all.map((s) => [join(dir, `${s.name}.yaml`), s.scenario.yaml] as const));
}

/** Options of {@linkcode emitForRun}. */
export interface EmitForRunOptions {
  /** Also write the covering set when the run found no violation. */
  readonly covering: boolean;
  /** Renders the replay command for a token (default {@linkcode reproduceCommand}). */
  readonly reproduce?: (token: string) => string;
  /** Bounds of the covering search. */
  readonly maxStates?: number;
}

/**
 * What `deno task check --emit DIR` does after a `leasing` run: every violation as a scenario
 * plus ITF trace ({@linkcode emitViolation}); with no violation and `covering`, the covering
 * set ({@linkcode emitCovering}).
 *
 * @param result The run.
 * @param config The configuration the run used.
 * @param dir The output directory.
 * @param options Whether to write the covering set.
 * @returns The files written.
 * @throws {EmitError} When a file exists already.
 * @throws {SteppedTraceError} When a violation's trace cannot be written as scenario steps.
 *
 * @example Usage
 * ```ts ignore
 * import { emitForRun } from "./emit.ts";
 * const files = emitForRun(result, config, "reports/out/emit", { covering: true });
 * ```
 */
export function emitForRun(
  result: CheckResult<ModelState>,
  config: Partial<ModelConfig>,
  dir: string,
  options: EmitForRunOptions,
): string[] {
  const files: string[] = [];
  const names = new Map<string, number>();
  for (const v of result.violations) {
    const base = violationName(config, v);
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    const r = emitViolation(result, v, config, dir, {
      name: n === 1 ? base : `${base}_${n}`,
      ...(options.reproduce === undefined ? {} : { reproduce: options.reproduce }),
    });
    files.push(r.scenarioFile, r.itfFile);
  }
  if (result.violations.length === 0 && options.covering) {
    files.push(...emitCovering(config, dir, {
      ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    }));
  }
  return files;
}
