/**
 * `certify --impl ADAPTER [--scenarios DIR]`: replays the scenario corpus against an
 * implementation and writes a report folder (nested KTAP, JUnit XML, Markdown, JSON with a
 * per-fact-id conformance table). KTAP also goes to stdout; a summary to stderr.
 *
 * Adapters: `model`, `mutant:<id>` (in process), `process:<command line>` (any implementation
 * speaking `PROTOCOL.md`), `kernel-vm` (a 7.1+ kernel in a VM, see `kernel/`).
 *
 * Exit codes: 0 every scenario passed (or is an accepted deviation / skipped), 1 some failed,
 * 2 usage error or unreadable scenario, 4 the implementation cannot run at all (KSFT_SKIP).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type MutantId, MUTANTS } from "../model/mutants.ts";
import { buildFactCoverage, writeRunReport } from "../reports/report_folder.ts";
import { KNOWN_FACT_IDS } from "./_facts.ts";
import {
  type AppliedDeviation,
  buildReport,
  type CertificationReport,
  type CertifiedScenario,
  toJunit,
  toKtap,
} from "../reports/certification.ts";
import type { Scenario } from "./format.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { parseScenario, ScenarioSyntaxError, ScenarioValidationError } from "./parse.ts";
import { ProcessAdapter, ProtocolError } from "./process_adapter.ts";
import { type ReplayAdapter, replayScenario } from "./replay.ts";

/** The tool version written into reports. */
const VERSION = "0.1.0";

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

/** Opens the adapter an `--impl` value names. */
export async function openAdapter(
  impl: string,
  timeoutMs?: number,
  kernel?: string,
): Promise<OpenedAdapter> {
  if (impl === "model" || impl.startsWith("mutant:")) {
    const mutant = impl === "model" ? null : impl.slice("mutant:".length);
    if (mutant !== null && !MUTANTS.some((m) => m.id === mutant && m.implemented)) {
      throw new TypeError(
        `Unknown mutant "${mutant}" (implemented: ${
          MUTANTS.filter((m) => m.implemented).map((m) => m.id).join(", ")
        })`,
      );
    }
    const name = mutant === null ? "model" : `model[${mutant}]`;
    return {
      name,
      info: { implementation: "leasecheck model (in process)", mutant: mutant ?? "none" },
      forScenario: () => Promise.resolve(new ModelAdapter({ mutant: mutant as MutantId | null })),
      close: () => Promise.resolve(),
    };
  }
  if (impl.startsWith("process:")) {
    const command = impl.slice("process:".length).trim().split(/\s+/).filter(Boolean);
    if (command.length === 0) {
      throw new TypeError('--impl process: needs a command, e.g. "process:./my-impl --flag"');
    }
    let adapter: ProcessAdapter | undefined;
    const start = async (): Promise<ProcessAdapter> => {
      adapter = await ProcessAdapter.start(command, {
        timeoutMs,
        name: `process:${command.join(" ")}`,
      });
      return adapter;
    };
    try {
      await start();
    } catch (error) {
      throw new ImplementationUnavailableError(
        error instanceof Error ? error.message : String(error),
        { cause: error },
      );
    }
    const info = {
      ...adapter!.implementation.info,
      name: adapter!.implementation.name,
      protocol: adapter!.implementation.protocol,
    };
    return {
      name: `process:${command.join(" ")}`,
      info,
      // A process that died (timeout, crash) is restarted for the next scenario.
      forScenario: async () => {
        if (!adapter || adapter.dead) {
          await adapter?.close();
          return await start();
        }
        return adapter;
      },
      close: async () => await adapter?.close(),
    };
  }
  if (impl === "kernel-vm" || impl === "kernel") {
    const { openHostKernel, openKernelVm } = await import("../kernel/open.ts");
    try {
      const log = (m: string) => console.error(`${impl}: ${m}`);
      return impl === "kernel" ? await openHostKernel({ timeoutMs, log }) : await openKernelVm({
        timeoutMs,
        kernel,
        log,
      });
    } catch (error) {
      if (error instanceof Error && error.name === "ImplementationUnavailableError") {
        throw new ImplementationUnavailableError(error.message, { cause: error });
      }
      throw error;
    }
  }
  throw new TypeError(
    `Unknown implementation "${impl}" (use model, mutant:<id>, process:<command>, kernel-vm or kernel)`,
  );
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

/** Reads and parses every `.yaml` file of the given files and folders (sorted). */
export async function loadScenarios(paths: readonly string[]): Promise<Scenario[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      for await (const entry of Deno.readDir(path)) {
        if (entry.isFile && entry.name.endsWith(".yaml")) {
          files.push(`${path.replace(/\/$/, "")}/${entry.name}`);
        }
      }
    } else files.push(path);
  }
  files.sort();
  return await Promise.all(files.map(async (f) => parseScenario(await Deno.readTextFile(f), f)));
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

/** Writes the report folder (KTAP, JUnit, Markdown, JSON, HTML) in one all-or-nothing step. */
export async function writeReport(
  dir: string,
  report: CertificationReport,
  force = false,
): Promise<void> {
  await writeRunReport(dir, {
    version: 1,
    kind: "certify",
    tool: { name: "leasecheck", version: VERSION },
    certification: report,
    factCoverage: buildFactCoverage(
      KNOWN_FACT_IDS,
      {},
      report.scenarios.map((s) => ({ name: s.name, facts: s.facts })),
    ),
  }, { force, extraFiles: { "report.ktap": toKtap(report), "junit.xml": toJunit(report) } });
}

const HELP = `certify: replay the scenario corpus against an implementation and write a report

Usage: deno task certify --impl ADAPTER [--scenarios DIR|FILE]... [--out DIR] [--force]

  --impl ADAPTER     model | mutant:<id> | process:<command line> | kernel-vm | kernel
                     (kernel: this host, as root, Linux 7.1+ with netdevsim and netkit)
  --scenarios PATH   scenario files or folders (repeatable; default scenarios/cases)
  --out DIR          report folder (default reports/out/certify-<impl>-<time>); never overwritten
                     unless --force
  --timeout MS       deadline per request for process and kernel adapters (default 10000)
  --kernel PATH      kernel-vm: boot this bzImage instead of the kernel/prepare.sh build
  --known-deviations FILE
                     accepted differences (default for kernel-vm: kernel/known-deviations.json)
  --quiet            no per-scenario lines on stderr

Writes report.ktap, junit.xml, summary.md and result.json; prints the KTAP on stdout.
Exit codes: 0 conforms, 1 does not conform, 2 usage error, 4 implementation unavailable.
`;

/** The `certify` command line; returns the exit code. */
export async function certifyMain(args: readonly string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: [...args],
      options: {
        impl: { type: "string" },
        scenarios: { type: "string", multiple: true },
        out: { type: "string" },
        force: { type: "boolean" },
        timeout: { type: "string" },
        kernel: { type: "string" },
        "known-deviations": { type: "string" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    console.error(`certify: ${error instanceof Error ? error.message : error}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    console.error(HELP);
    return 0;
  }
  if (!values.impl) {
    console.error(`certify: --impl is required\n\n${HELP}`);
    return 2;
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    console.error(
      `certify: --timeout needs a positive number of milliseconds, not "${values.timeout}"`,
    );
    return 2;
  }
  let scenarios: Scenario[];
  try {
    scenarios = await loadScenarios(
      values.scenarios ?? [new URL("./cases", import.meta.url).pathname],
    );
  } catch (error) {
    if (
      error instanceof ScenarioSyntaxError || error instanceof ScenarioValidationError ||
      error instanceof Deno.errors.NotFound
    ) {
      console.error(`certify: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const out = values.out ??
    `reports/out/certify-${values.impl.replace(/[^A-Za-z0-9-]+/g, "_").slice(0, 40)}-${stamp}`;
  try {
    await Deno.stat(out);
    if (!values.force) {
      console.error(`certify: report folder ${out} exists already (use --force to replace it)`);
      return 2;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      console.error(
        `certify: cannot use ${out}: the certify task may only write under reports/out ` +
          `(choose --out reports/out/NAME, or run deno run -A main.ts certify ... to write elsewhere)`,
      );
      return 2;
    }
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let opened: OpenedAdapter;
  try {
    opened = await openAdapter(values.impl, timeoutMs, values.kernel);
  } catch (error) {
    if (error instanceof ImplementationUnavailableError) {
      console.error(`certify: SKIP: ${error.message}`);
      return 4;
    }
    if (error instanceof TypeError) {
      console.error(`certify: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let deviations: Map<string, { fact: string; reason: string }>;
  try {
    const file = values["known-deviations"] ??
      (values.impl === "kernel-vm" || values.impl === "kernel"
        ? new URL("../kernel/known-deviations.json", import.meta.url).pathname
        : undefined);
    deviations = file === undefined ? new Map() : await loadDeviations(file, scenarios);
  } catch (error) {
    await opened.close();
    if (error instanceof TypeError || error instanceof Deno.errors.NotFound) {
      console.error(`certify: ${error.message}`);
      return 2;
    }
    throw error;
  }
  let report: CertificationReport;
  try {
    report = await certify(opened, scenarios, {
      deviations,
      onScenario: values.quiet
        ? undefined
        : (r, i, n) =>
          console.error(`${
            r.verdict === "pass"
              ? "ok"
              : r.verdict === "skip"
              ? "skip"
              : r.deviation
              ? "xfail"
              : "not ok"
          } ${i + 1}/${n} ${r.name}`),
    });
  } finally {
    await opened.close();
  }
  await writeReport(out, report, values.force);
  console.log(toKtap(report).trimEnd());
  const { pass, fail, skip, error } = report.summary;
  const xfail = report.scenarios.filter((s) => s.deviation).length;
  console.error(
    `certify ${report.implementation}: ${pass} passed, ${
      fail + error - xfail
    } failed, ${xfail} known deviations, ${skip} skipped; report in ${out}/`,
  );
  return fail + error - xfail > 0 ? 1 : 0;
}

export { ProtocolError };
