/**
 * `certify --impl ADAPTER [--scenarios DIR]`: replays the scenario corpus against an
 * implementation and writes a report folder (nested KTAP, JUnit XML, Markdown, JSON, HTML with a
 * per-fact-id conformance table and the certification's profile). KTAP also goes to stdout; a
 * summary to stderr.
 *
 * Exit codes ({@linkcode CERTIFY_EXIT_CODES}): 0 conforms, 1 does not conform (a scenario
 * failed or broke, or the implementation failed its hello), 2 usage error, unreadable scenario
 * or report folder, 4 not certified (kselftest's skip: the implementation cannot run here,
 * nothing ran, or it declares too little; see `buildProfile`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import denoJson from "../deno.json" with { type: "json" };
import { profileHeadline, toJunit, toKtap } from "../reports/certification.ts";
import { loadFacts } from "../spec/facts.ts";
import {
  buildFactCoverage,
  checkReportFolder,
  ReportFolderError,
  ReportFolderExistsError,
  writeRunReport,
} from "../reports/report_folder.ts";
import type { CertificationReport, CertificationVerdict } from "../scenarios/certification.ts";
import {
  certify,
  ImplementationFailedError,
  ImplementationUnavailableError,
  loadDeviations,
  type OpenedAdapter,
} from "../scenarios/certify.ts";
import type { Scenario } from "../scenarios/format.ts";
import { loadScenarios, ScenarioFileError } from "../scenarios/load.ts";
import { ScenarioSyntaxError, ScenarioValidationError } from "../scenarios/parse.ts";
import { openAdapter } from "./adapters.ts";
import { certifyKernelMatrix, chooseKernels, KernelSelectionError } from "./certify_kernels.ts";
import { debugVariants, type KernelBuild } from "../kernel/vm.ts";

/** The exit codes of `certify`. */
export const CERTIFY_EXIT_CODES: {
  readonly conforms: 0;
  readonly doesNotConform: 1;
  readonly usage: 2;
  readonly notCertified: 4;
} = { conforms: 0, doesNotConform: 1, usage: 2, notCertified: 4 };

/**
 * The exit code of a certification verdict: 0 conforms, 1 does not conform, 4 not certified.
 *
 * @example Usage
 * ```ts
 * import { exitCodeOfVerdict } from "./certify.ts";
 * import assert from "node:assert/strict";
 * assert.equal(exitCodeOfVerdict("not-certified"), 4);
 * ```
 */
export function exitCodeOfVerdict(verdict: CertificationVerdict): number {
  return verdict === "conforms"
    ? CERTIFY_EXIT_CODES.conforms
    : verdict === "does-not-conform"
    ? CERTIFY_EXIT_CODES.doesNotConform
    : CERTIFY_EXIT_CODES.notCertified;
}

/** The largest delay a timer holds (setTimeout's signed 32-bit milliseconds). */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Writes the report folder (KTAP, JUnit, Markdown, JSON, HTML) in one all-or-nothing step.
 *
 * @throws {ReportFolderExistsError} or {ReportFolderError} when it cannot go to `dir`.
 */
export async function writeCertifyReport(
  dir: string,
  report: CertificationReport,
  force = false,
): Promise<void> {
  await writeRunReport(dir, {
    version: 1,
    kind: "certify",
    tool: { name: "leasecheck", version: denoJson.version },
    certification: report,
    factCoverage: buildFactCoverage(
      loadFacts().facts,
      {},
      report.scenarios.map((s) => ({ name: s.name, facts: s.facts })),
    ),
  }, { force, extraFiles: { "report.ktap": toKtap(report), "junit.xml": toJunit(report) } });
}

/** The one-line message for a report folder that cannot be used. */
function folderMessage(error: ReportFolderError | ReportFolderExistsError): string {
  const capability = error instanceof ReportFolderError &&
    error.cause instanceof Deno.errors.NotCapable;
  return capability
    ? `${error.message} (the certify task may write only under reports/out and /tmp: ` +
      "choose --out reports/out/NAME, or run deno run -A main.ts certify ... to write elsewhere)"
    : error.message;
}

/** The default corpus: the hand-written scenarios and the generated ones (`deno task corpus`). */
const DEFAULT_CORPUS: readonly string[] = [
  new URL("../scenarios/cases", import.meta.url).pathname,
  new URL("../scenarios/generated", import.meta.url).pathname,
];

const HELP = `certify: replay the scenario corpus against an implementation and write a report

Usage: deno task certify --impl ADAPTER [--scenarios DIR|FILE]... [--out DIR] [--force]

  --impl ADAPTER     model | mutant:<id> | process:<command line> | kernel-vm | kernel
                     (kernel: this host, as root, Linux 7.1+ with netdevsim and netkit)
  --scenarios PATH   scenario files or folders (repeatable; default scenarios/cases, the
                     hand-written corpus, and scenarios/generated, the model's)
  --out DIR          report folder (default reports/out/certify-<impl>-<time>); checked before
                     the run starts; never over anything but an empty folder, or with --force a
                     report folder leasecheck wrote
  --timeout MS       deadline per request for process and kernel adapters, 1 to 2147483647
                     (default 10000)
  --kernel PATH      kernel-vm: boot this bzImage instead of the kernel/prepare.sh build
  --kernel all       kernel-vm: certify every built kernel version; one matrix report
  --kernel-version V kernel-vm: the build of series 7.3 (its newest), version 7.3.4 or
                     7.3.4-1~bpo13+1, or a build folder; a comma list or "all" certifies each
                     and writes one matrix report (scenario x version, differences first);
                     model and mutant:C-xx: the kernel version the model answers for (default
                     7.3.4): scenarios outside its range skip
  --kernel-tree PATH kernel-vm: the build of a kernel tree (kernel/prepare.sh --tree PATH), as
                     the tree is now; with --kernel-version, a matrix of both
  --debug-kernel     kernel-vm: the debug build (kernel/prepare.sh --debug: lockdep, KASAN) of
                     each kernel chosen (default: of the newest Debian build)
  --known-deviations FILE
                     accepted differences (default for kernel-vm: kernel/known-deviations.json)
  --jobs N           kernel-vm with several versions: certify N at once, a VM each (default 1)
  --race-repetitions N
                     run every race N times (default: each race's own repetitions, 200
                     unless its file says otherwise); the report states what ran
  --quiet            no per-scenario lines on stderr

Writes report.ktap, junit.xml, summary.md, result.json and index.html; prints the KTAP on stdout.

Conforms: every scenario that ran passed, at least one ran for every operation the implementation
declares, and it declares at least queue-create and queue-get.
Exit codes: 0 conforms, 1 does not conform, 2 usage error, 4 not certified (the implementation
cannot run here, nothing ran, or it declares too little).
`;

/**
 * The `certify` command line; returns the exit code.
 *
 * @example Usage
 * ```ts
 * import { certifyMain } from "./certify.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await certifyMain(["--help"]), 0);
 * ```
 */
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
        "kernel-version": { type: "string" },
        "kernel-tree": { type: "string" },
        "debug-kernel": { type: "boolean" },
        "known-deviations": { type: "string" },
        quiet: { type: "boolean" },
        jobs: { type: "string" },
        "race-repetitions": { type: "string" },
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
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = /^\d+$/.test(values.timeout) ? Number(values.timeout) : NaN;
    if (!(timeoutMs >= 1 && timeoutMs <= MAX_TIMEOUT_MS)) {
      console.error(
        `certify: --timeout needs a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, ` +
          `not "${values.timeout}"`,
      );
      return CERTIFY_EXIT_CODES.usage;
    }
  }
  let raceRepetitions: number | undefined;
  if (values["race-repetitions"] !== undefined) {
    raceRepetitions = Number(values["race-repetitions"]);
    if (!Number.isInteger(raceRepetitions) || raceRepetitions < 1 || raceRepetitions > 100_000) {
      console.error(
        `certify: --race-repetitions needs a whole number from 1 to 100000, not "${
          values["race-repetitions"]
        }"`,
      );
      return CERTIFY_EXIT_CODES.usage;
    }
  }
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
      console.error(`certify: --jobs needs a whole number from 1 to 64, not "${values.jobs}"`);
      return CERTIFY_EXIT_CODES.usage;
    }
  }
  let scenarios: Scenario[];
  try {
    scenarios = await loadScenarios(
      values.scenarios ?? DEFAULT_CORPUS,
      {
        onWarning: (w) =>
          console.error(`certify: warning ${w.code} ${w.file}:${w.pos.line}: ${w.message}`),
      },
    );
  } catch (error) {
    if (
      error instanceof ScenarioSyntaxError || error instanceof ScenarioValidationError ||
      error instanceof ScenarioFileError
    ) {
      console.error(`certify: ${error.message}`);
      return CERTIFY_EXIT_CODES.usage;
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
    if (error instanceof TypeError || error instanceof Deno.errors.NotFound) {
      console.error(`certify: ${error.message}`);
      return CERTIFY_EXIT_CODES.usage;
    }
    throw error;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  let out = values.out ??
    `reports/out/certify-${values.impl.replace(/[^A-Za-z0-9-]+/g, "_").slice(0, 40)}-${stamp}`;
  try {
    // Before any work: a report that cannot be written must not cost a whole run.
    out = await checkReportFolder(out, { force: values.force });
  } catch (error) {
    if (error instanceof ReportFolderError || error instanceof ReportFolderExistsError) {
      console.error(`certify: ${folderMessage(error)}`);
      return CERTIFY_EXIT_CODES.usage;
    }
    throw error;
  }
  // Kernel selection (kernel-vm): one build, or several for a matrix (cli/certify_kernels.ts).
  const isModel = values.impl === "model" || values.impl.startsWith("mutant:");
  let kernels: KernelBuild[] | undefined;
  try {
    kernels = await chooseKernels(values.impl, {
      kernel: values.kernel,
      // For the model, --kernel-version is the version it answers for (openAdapter).
      kernelVersion: isModel ? undefined : values["kernel-version"],
      kernelTree: values["kernel-tree"],
    });
    if (values["debug-kernel"]) {
      if (values.impl !== "kernel-vm" || (values.kernel !== undefined && values.kernel !== "all")) {
        throw new KernelSelectionError(
          "--debug-kernel is only for --impl kernel-vm with the kernel/prepare.sh builds (not --kernel PATH)",
        );
      }
      kernels = await debugVariants(kernels);
    }
  } catch (error) {
    if (!(error instanceof KernelSelectionError)) throw error;
    console.error(`certify: ${error.notBuilt ? "SKIP: " : ""}${error.message}`);
    return error.notBuilt ? CERTIFY_EXIT_CODES.notCertified : CERTIFY_EXIT_CODES.usage;
  }
  if (kernels !== undefined && kernels.length > 1) {
    return await certifyKernelMatrix({
      builds: kernels,
      scenarios,
      deviations,
      out,
      force: values.force,
      quiet: values.quiet,
      timeoutMs,
      argv: ["certify", ...args],
      toolVersion: denoJson.version,
      ...(jobs === undefined ? {} : { jobs }),
      ...(raceRepetitions === undefined ? {} : { raceRepetitions }),
    });
  }
  let opened: OpenedAdapter;
  try {
    opened = await openAdapter(values.impl, {
      timeoutMs,
      kernel: values.kernel === "all" ? undefined : values.kernel,
      kernelBuild: kernels?.[0],
      ...(isModel && values["kernel-version"] !== undefined
        ? { modelKernel: values["kernel-version"] }
        : {}),
    });
  } catch (error) {
    if (error instanceof ImplementationUnavailableError) {
      console.error(`certify: SKIP: ${error.message}`);
      return CERTIFY_EXIT_CODES.notCertified;
    }
    if (error instanceof ImplementationFailedError) {
      console.error(`certify: FAIL: ${values.impl}: ${error.message}`);
      return CERTIFY_EXIT_CODES.doesNotConform;
    }
    if (error instanceof TypeError) {
      console.error(`certify: ${error.message}`);
      return CERTIFY_EXIT_CODES.usage;
    }
    throw error;
  }
  let report: CertificationReport;
  try {
    report = await certify(opened, scenarios, {
      deviations,
      ...(values.quiet ? {} : {
        onRaceRepetition: (name: string, done: number, total: number) => {
          if (done % 50 === 0 && done < total) console.error(`# race ${name}: ${done}/${total}`);
        },
      }),
      ...(raceRepetitions === undefined ? {} : { raceRepetitions }),
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
          } ${i + 1}/${n} ${r.name}${
            r.verdict === "error" && !r.deviation ? `: ${r.reason ?? "error"}` : ""
          }`),
    });
  } finally {
    await opened.close();
  }
  // The result goes to stdout first: whatever happens to the folder, it is not lost.
  console.log(toKtap(report).trimEnd());
  const code = exitCodeOfVerdict(report.profile.verdict);
  const { word, detail } = profileHeadline(report.profile);
  const { pass, skip } = report.summary;
  const failed = report.profile.scenarios.failed;
  const xfail = report.scenarios.filter((s) => s.deviation).length;
  const counts = `${pass} passed, ${failed} failed, ${xfail} known deviations, ${skip} skipped`;
  try {
    await writeCertifyReport(out, report, values.force);
  } catch (error) {
    if (error instanceof ReportFolderError || error instanceof ReportFolderExistsError) {
      console.error(
        `certify ${report.implementation}: ${word}${detail}; ${counts}; ` +
          `the report was not written: ${folderMessage(error)}; the KTAP on stdout is the result`,
      );
      return code === CERTIFY_EXIT_CODES.conforms ? CERTIFY_EXIT_CODES.usage : code;
    }
    throw error;
  }
  console.error(
    `certify ${report.implementation}: ${word}${detail}; ${counts}; report in ${out}/`,
  );
  return code;
}
