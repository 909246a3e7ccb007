/**
 * Which kernels `certify --impl kernel-vm` boots (`--kernel`, `--kernel-version`,
 * `--kernel-tree`), and the matrix run: one certification per kernel build, one report folder
 * with the scenario × version matrix and the differences between the versions.
 *
 * Kept apart from `certify.ts` (whose job is the certification of one implementation): this
 * module only chooses kernels and runs that certification once per kernel.
 *
 * @module
 */

import {
  buildLabel,
  type KernelBuild,
  KernelSelectionError,
  selectKernels,
  treeBuild,
} from "../kernel/vm.ts";
import {
  buildMatrix,
  type CertificationMatrix,
  columnTotals,
  type MatrixColumn,
  matrixVerdict,
  profileHeadline,
  toMatrixJunit,
  toMatrixKtap,
  verdictWord,
} from "../reports/certification.ts";
import { writeRunReport } from "../reports/report_folder.ts";
import { buildFactCoverage } from "../reports/report_folder.ts";
import { buildReport, type CertificationReport } from "../scenarios/certification.ts";
import {
  certify,
  ImplementationFailedError,
  ImplementationUnavailableError,
  type OpenedAdapter,
} from "../scenarios/certify.ts";
import type { Scenario } from "../scenarios/format.ts";
import { loadFacts } from "../spec/facts.ts";
import { openAdapter } from "./adapters.ts";

export { KernelSelectionError };

/** The kernel flags of `certify`. */
export interface KernelFlags {
  /** `--kernel`: a bzImage, or `all`. */
  readonly kernel?: string;
  /** `--kernel-version`: series, versions, build folders, `all` (comma-separated). */
  readonly kernelVersion?: string;
  /** `--kernel-tree`: a developer's tree built by `kernel/prepare.sh --tree`. */
  readonly kernelTree?: string;
}

/** Options of {@linkcode chooseKernels}. */
export interface ChooseKernelsOptions {
  /** The `kernel/prepare.sh` cache (default `$LEASECHECK_CACHE` or /var/cache/leasecheck). */
  readonly cache?: string;
}

/**
 * The builds the kernel flags name, in order: the `--kernel-version` parts (`--kernel all`
 * meaning `--kernel-version all`), then the `--kernel-tree` build. `undefined` when no build is
 * named (the default build, or `--kernel PATH`'s own bzImage).
 *
 * @throws {KernelSelectionError} for flags that do not fit together or name nothing built.
 *
 * @example Usage
 * ```ts
 * import { chooseKernels, KernelSelectionError } from "./certify_kernels.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await chooseKernels("kernel-vm", {}), undefined);
 * await assert.rejects(
 *   chooseKernels("model", { kernelVersion: "7.3" }),
 *   (e: unknown) => e instanceof KernelSelectionError && /is only for --impl kernel-vm/.test(e.message),
 * );
 * ```
 */
export async function chooseKernels(
  impl: string,
  flags: KernelFlags,
  options: ChooseKernelsOptions = {},
): Promise<KernelBuild[] | undefined> {
  const given = [
    flags.kernel !== undefined ? "--kernel" : "",
    flags.kernelVersion !== undefined ? "--kernel-version" : "",
    flags.kernelTree !== undefined ? "--kernel-tree" : "",
  ].filter(Boolean);
  if (given.length === 0) return undefined;
  if (impl !== "kernel-vm") {
    throw new KernelSelectionError(
      `${given.join(" and ")} ${given.length > 1 ? "are" : "is"} only for --impl kernel-vm`,
    );
  }
  const versions = flags.kernel === "all" ? "all" : flags.kernelVersion;
  if (flags.kernel !== undefined && flags.kernelVersion !== undefined) {
    throw new KernelSelectionError(
      flags.kernel === "all"
        ? "--kernel all and --kernel-version exclude each other (--kernel all is --kernel-version all)"
        : "--kernel PATH boots one bzImage: it cannot be combined with --kernel-version",
    );
  }
  if (flags.kernel !== undefined && flags.kernel !== "all") {
    if (flags.kernelTree !== undefined) {
      throw new KernelSelectionError(
        "--kernel PATH boots one bzImage: it cannot be combined with --kernel-tree",
      );
    }
    return undefined;
  }
  const builds = versions === undefined ? [] : await selectKernels(versions, options.cache);
  if (flags.kernelTree !== undefined) {
    const tree = await treeBuild(flags.kernelTree, { cache: options.cache });
    if (!builds.some((b) => b.dir === tree.dir)) builds.push(tree);
  }
  return builds;
}

/** Options of {@linkcode certifyKernelMatrix}. */
export interface KernelMatrixOptions {
  /** The builds, one column each, in this order. */
  readonly builds: readonly KernelBuild[];
  /** The scenarios. */
  readonly scenarios: readonly Scenario[];
  /** The report folder. */
  readonly out: string;
  /** Replace an existing report folder. */
  readonly force?: boolean;
  /** No per-scenario lines. */
  readonly quiet?: boolean;
  /** Deadline per request in ms. */
  readonly timeoutMs?: number;
  /** Accepted deviations: scenario name → fact id and reason (`loadDeviations`). */
  readonly deviations?: ReadonlyMap<string, { fact: string; reason: string }>;
  /** The command line, for the report. */
  readonly argv?: readonly string[];
  /** The tool's version, for the report. */
  readonly toolVersion: string;
  /** Opens one build (default: `openAdapter("kernel-vm")` with that build; tests pass others). */
  readonly open?: (build: KernelBuild) => Promise<OpenedAdapter>;
  /** Where progress and summary lines go (default stderr). */
  readonly log?: (line: string) => void;
  /** Where the nested KTAP goes (default stdout). */
  readonly print?: (text: string) => void;
  /**
   * How many builds to certify at once, each in its own VM (default 1: on this project's 2-core
   * CI two VMs at once ran no faster than one after the other). The columns keep the builds'
   * order whatever finishes first.
   */
  readonly jobs?: number;
  /** Repetitions of every race (default: each race's own). */
  readonly raceRepetitions?: number;
}

/**
 * A column for a build that could not be certified at all, as `certify` would answer for it
 * alone: a kernel that cannot run here is not certified (every scenario skipped), one that
 * failed before any scenario (its agent's hello) does not conform (every scenario broke).
 */
function unrunColumn(
  scenarios: readonly Scenario[],
  name: string,
  verdict: "skip" | "error",
  reason: string,
): CertificationReport {
  return buildReport(
    name,
    new Date(),
    0,
    scenarios.map((s) => ({
      name: s.name,
      file: s.file,
      adapter: name,
      verdict,
      steps: [],
      reason,
      facts: s.facts,
      elapsedMs: 0,
    })),
    { [verdict === "skip" ? "unavailable" : "failed"]: reason },
  );
}

/**
 * The one-line summary `certify` prints for a matrix (CI reads its counts).
 *
 * @example Usage
 * ```ts
 * import { matrixLine } from "./certify_kernels.ts";
 * import { buildMatrix } from "../reports/certification.ts";
 * import { buildReport } from "../scenarios/certification.ts";
 * import assert from "node:assert/strict";
 * const r = buildReport("kernel-vm", new Date(0), 1, []);
 * const m = buildMatrix([{ label: "7.2.13-1", certification: r }, { label: "7.3.4-1", certification: r }]);
 * assert.equal(
 *   matrixLine(m, "reports/out/x"),
 *   "certify kernel-vm: not certified on 2 kernels (7.2.13-1 not certified, 7.3.4-1 not " +
 *     "certified); 0 passed, 0 failed, 0 known deviations, 0 skipped; 0 of 0 scenarios differ " +
 *     "between them; report in reports/out/x/",
 * );
 * ```
 */
export function matrixLine(m: CertificationMatrix, out: string): string {
  const sum = (f: (c: CertificationReport) => number): number =>
    m.columns.reduce((t, c) => t + f(c.certification), 0);
  const xfail = (c: CertificationReport): number => c.scenarios.filter((s) => s.deviation).length;
  const differing = m.rows.filter((r) => r.differs !== null).length;
  return `certify ${m.implementation}: ${
    verdictWord(matrixVerdict(m))
  } on ${m.columns.length} kernels (${
    m.columns.map((c) => `${c.label} ${verdictWord(c.certification.profile.verdict)}`).join(", ")
  }); ${sum((c) => c.summary.pass)} passed, ${
    sum((c) => c.summary.fail + c.summary.error - xfail(c))
  } failed, ${sum(xfail)} known deviations, ${
    sum((c) => c.summary.skip)
  } skipped; ${differing} of ${m.rows.length} scenarios differ between them; report in ${out}/`;
}

/**
 * Certifies every build in turn (one VM each, booted one after the other) and writes one report
 * folder: `summary.md`, `result.json` and `index.html` with the matrix, `report.ktap` (one
 * subtest per version) and `junit.xml` (one test suite per version). Returns certify's exit code:
 * 1 when any version fails, 2 for an unreadable known-deviations file, else 0.
 *
 * @example Two stand-ins for kernel versions: the model and a mutant of it
 * ```ts
 * import { certifyKernelMatrix } from "./certify_kernels.ts";
 * import { openAdapter } from "./adapters.ts";
 * import { loadScenarios } from "../scenarios/load.ts";
 * import assert from "node:assert/strict";
 * const scenarios = await loadScenarios(["scenarios/cases/ops_qg_l3_netns_id_after_move.yaml"]);
 * const build = (version: string) => ({ key: version, dir: "/x", origin: "debian" as const,
 *   series: "7.2", version, paths: { kernel: "", initramfs: "", src: "" } });
 * const out = `${await Deno.makeTempDir()}/matrix`;
 * const code = await certifyKernelMatrix({
 *   builds: [build("7.2.13-1"), build("7.3.4-1")], scenarios, out, toolVersion: "example",
 *   open: (b) => openAdapter(b.version === "7.2.13-1" ? "model" : "mutant:C-16"),
 *   quiet: true, log: () => {}, print: () => {},
 * });
 * assert.equal(code, 1);
 * assert.match(await Deno.readTextFile(`${out}/summary.md`), /1 differ between the versions/);
 * await Deno.remove(out.slice(0, -"/matrix".length), { recursive: true });
 * ```
 */
export async function certifyKernelMatrix(options: KernelMatrixOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(line));
  const print = options.print ?? ((text: string) => console.log(text));
  const deviations = options.deviations ?? new Map();
  const open = options.open ??
    ((build: KernelBuild) =>
      openAdapter("kernel-vm", { timeoutMs: options.timeoutMs, kernelBuild: build }));
  const column = async (build: KernelBuild): Promise<MatrixColumn> => {
    const label = buildLabel(build);
    log(`certify: ${label} (${build.dir})`);
    let opened: OpenedAdapter;
    try {
      opened = await open(build);
    } catch (error) {
      const unavailable = error instanceof ImplementationUnavailableError;
      if (!unavailable && !(error instanceof ImplementationFailedError)) throw error;
      log(`certify: ${unavailable ? "SKIP" : "FAIL"}: ${label}: ${error.message}`);
      return {
        label,
        certification: unrunColumn(
          options.scenarios,
          "kernel-vm",
          unavailable ? "skip" : "error",
          error.message,
        ),
      };
    }
    let report: CertificationReport;
    try {
      report = await certify(opened, options.scenarios, {
        deviations,
        ...(options.raceRepetitions === undefined
          ? {}
          : { raceRepetitions: options.raceRepetitions }),
        onScenario: options.quiet
          ? undefined
          : (r, i, n) =>
            log(`${
              r.verdict === "pass"
                ? "ok"
                : r.verdict === "skip"
                ? "skip"
                : r.deviation
                ? "xfail"
                : "not ok"
            } ${i + 1}/${n} [${label}] ${r.name}${
              r.verdict === "error" && !r.deviation ? `: ${r.reason ?? "error"}` : ""
            }`),
      });
    } finally {
      await opened.close();
    }
    const { word, detail } = profileHeadline(report.profile);
    log(
      `certify ${report.implementation}[${label}]: ${word}${detail}; ${columnTotals(report)} (${
        (report.elapsedMs / 1000).toFixed(1)
      } s)`,
    );
    return { label, certification: report };
  };
  // A small pool: each worker takes the next build; results land at the build's index.
  const jobs = Math.max(
    1,
    Math.min(options.jobs ?? 1, options.builds.length),
  );
  const columns: MatrixColumn[] = new Array(options.builds.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < options.builds.length) {
        const i = next++;
        columns[i] = await column(options.builds[i]);
      }
    }),
  );
  const matrix = buildMatrix(columns);
  await writeRunReport(options.out, {
    version: 1,
    kind: "certify",
    tool: { name: "leasecheck", version: options.toolVersion },
    argv: options.argv,
    matrix,
    factCoverage: buildFactCoverage(
      loadFacts().facts,
      {},
      options.scenarios.map((s) => ({ name: s.name, facts: s.facts })),
    ),
  }, {
    force: options.force,
    extraFiles: { "report.ktap": toMatrixKtap(matrix), "junit.xml": toMatrixJunit(matrix) },
  });
  print(toMatrixKtap(matrix).trimEnd());
  for (const r of matrix.rows.filter((r) => r.differs !== null)) {
    log(
      `differs: ${r.name}: ${
        r.cells.map((c, i) => `${matrix.columns[i].label} ${c.verdict}`).join(", ")
      }${r.differs === "detail" ? " (same verdict, other details)" : ""}`,
    );
  }
  log(matrixLine(matrix, options.out));
  const verdict = matrixVerdict(matrix);
  return verdict === "conforms" ? 0 : verdict === "does-not-conform" ? 1 : 4;
}
