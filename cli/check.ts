/**
 * The `check`, `simulate` and `list` commands: explore or simulate the registered specs, print
 * the verdict with its reproduce commands, write the report folder, and `--emit` counterexamples
 * of the device model as scenarios.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { explore } from "../checker/explore.ts";
import {
  paramFlags,
  type ParamValue,
  parseParams,
  type SpecEntry,
  UsageError,
} from "../checker/registry.ts";
import { type CheckResult, EXIT_CODES, exitCodeOf } from "../checker/result.ts";
import { simulate } from "../checker/simulate.ts";
import { findDeadlock } from "../checker/deadlock.ts";
import type { FrontierMode } from "../checker/frontier.ts";
import { defaultMemoryBudget, parseMemorySize } from "../checker/memory.ts";
import { decodeToken, replayPath } from "../checker/trace.ts";
import { exploreParallel } from "../checker/parallel.ts";
import { leasingConfig, type ModelState } from "../model/mod.ts";
import { loadFacts } from "../spec/facts.ts";
import { buildFactCoverage } from "../reports/report_folder.ts";
import { renderProgress, renderResult, renderTrace, toJsonValue } from "../reports/text.ts";
import { emitForRun } from "../scenarios/emit/mod.ts";
import { loadScenarios } from "../scenarios/load.ts";
import { SPECS } from "../specs.ts";
import { prepareRunFolder, writeRunFolder } from "./report.ts";

/** Specs `check` runs when no `--spec` is given. */
export const DEFAULT_SPECS: readonly {
  readonly name: string;
  readonly params: readonly string[];
}[] = [
  { name: "leasing", params: [] },
];

/** The help text of `check` (and the command line's overview). */
export const HELP: string = `leasecheck: explicit-state model checker for Linux rx-queue leasing

Usage:
  deno task check [options]              explore specs exhaustively (breadth-first)
  deno task check simulate [options]     random walks (for specs too large to exhaust)
  deno task check list                   list the specs and their parameters
  deno task replay FILE|DIR... [options]  replay scenario files against the model (see replay --help)
  deno task certify --impl ADAPTER       certify an implementation (see certify --help)
  deno task explain FACT-ID              what the spec says, where the model implements it,
                                         which scenarios cover it (e.g. QC-22, INV-L1)

Options (check and simulate):
  --spec NAME            spec to run (repeatable; default: ${
  DEFAULT_SPECS.map((d) => d.name).join(", ")
})
  --param KEY=VALUE      spec parameter (repeatable), e.g. --param n=5 --param mixed=true
  --replay TOKEN         replay the trace a violation printed, and check it again
  --json                 print the result as JSON on stdout
  --time-budget SECONDS  stop after this long (the result then says "incomplete")
  --no-deadlock          do not report states without successors
  --no-lock-order        do not build the lock-order graph (lock information still explains deadlocks)
  --quiet                no progress lines
  --out DIR              report folder (summary.md, result.json, index.html; default
                         reports/out/<command>-<spec>-<time>); checked before the run starts;
                         never over anything but an empty folder, or with --force a report
                         folder leasecheck wrote
  --no-report            do not write a report folder
  --no-coverage          do not count which spec facts the transitions exercise (saves ~20%)
  --emit DIR             leasing spec: write each counterexample as a replayable scenario plus an
                         ITF trace, or, without a violation, a covering set of passing scenarios

Options (check only):
  --max-states N         stop after N distinct states (incomplete)
  --max-depth N          do not expand states at depth N or deeper (incomplete)
  --exact                exact state keys instead of 64-bit fingerprints (more memory)
  --continue             keep going after a violation (one report per property)
  --workers N            explore with N Web Workers sharing one seen set (default 1)
  --memory-budget SIZE   resident memory the run may use (512MB, 8G, 60%; default 60% of RAM;
                         "off": V8's heap limit only); past it the frontier spills to disk, and
                         when nothing is left to spill the run stops as incomplete (exit 14)
  --spill-dir DIR        where the frontier spills (default reports/out/.spill-<time>, removed)
  --frontier MODE        queued states: auto (objects while the queue is short, encoded beyond;
                         default), encoded (always encoded), live (objects until memory pressure)
  --check-immutable      deep-freeze every state so an action that changes a state in place
                         fails at that step (slow; for testing a spec)

Options (simulate only):
  --seed N               seed of the random walks (printed with every run)
  --walks N              number of walks (default 1000)
  --depth N              maximum steps per walk (default 100)

Exit codes: 0 ok, 1 spec error, 2 usage error, 10 invariant violated, 11 action property
violated, 12 deadlock, 13 lock-order cycle, 14 incomplete (a bound stopped the search: states,
depth, time or memory; or the time budget stopped a simulation before all its walks ran).

Examples:
  deno task check --spec lock-order --param n=5 --param k=3
  deno task check --spec lock-order --param mixed=true
  deno task check simulate --spec lock-order --param n=8 --param k=5 --seed 7
`;

const OPTIONS = {
  spec: { type: "string", multiple: true },
  param: { type: "string", multiple: true, short: "p" },
  replay: { type: "string" },
  json: { type: "boolean" },
  "time-budget": { type: "string" },
  "no-deadlock": { type: "boolean" },
  "no-lock-order": { type: "boolean" },
  quiet: { type: "boolean" },
  out: { type: "string" },
  force: { type: "boolean" },
  "no-report": { type: "boolean" },
  "no-coverage": { type: "boolean" },
  emit: { type: "string" },
  "max-states": { type: "string" },
  "max-depth": { type: "string" },
  exact: { type: "boolean" },
  continue: { type: "boolean" },
  workers: { type: "string" },
  "memory-budget": { type: "string" },
  "spill-dir": { type: "string" },
  frontier: { type: "string" },
  "check-immutable": { type: "boolean" },
  seed: { type: "string" },
  walks: { type: "string" },
  depth: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`Option --${name} needs a whole number, not "${text}"`);
  }
  return Number(text);
}

function seconds(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`Option --${name} needs a positive number of seconds, not "${text}"`);
  }
  return n * 1000;
}

function findSpec(name: string): SpecEntry {
  const entry = SPECS.find((s) => s.name === name);
  if (!entry) {
    throw new UsageError(
      `Unknown spec "${name}" (known: ${
        SPECS.map((s) => s.name).join(", ")
      }; see "deno task check list")`,
    );
  }
  return entry;
}

function listSpecs(): string {
  return SPECS.map((s) => {
    const params = Object.entries(s.params).map(([k, p]) =>
      `    ${k}=${p.default} (${p.type}${
        p.min !== undefined ? `, ${p.min}..${p.max ?? ""}` : ""
      }): ${p.description}`
    );
    return [`${s.name}: ${s.description}`, ...params].join("\n");
  }).join("\n");
}

/** Writes a line to stderr. */
function say(text: string): void {
  console.error(text);
}

/**
 * `check`, `simulate` and `list`: parses the options, runs each spec and writes the report;
 * returns the exit code. Usage errors are thrown as {@linkcode UsageError}.
 *
 * @example Usage
 * ```ts
 * import { checkMain } from "./check.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await checkMain(["list"]), 0);
 * ```
 */
export async function checkMain(args: readonly string[]): Promise<number> {
  const command = args[0] === "simulate" || args[0] === "list" || args[0] === "check"
    ? args[0]
    : "check";
  const rest = args[0] === command ? args.slice(1) : args;
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: OPTIONS,
      allowPositionals: false,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : error} (see --help)`);
  }
  const o = parsed.values;
  if (o.help) {
    console.log(HELP);
    return EXIT_CODES.ok;
  }
  if (command === "list") {
    console.log(listSpecs());
    return EXIT_CODES.ok;
  }
  if (command === "check" && (o.seed || o.walks || o.depth)) {
    throw new UsageError('Options --seed, --walks and --depth belong to "simulate"');
  }
  if (
    command === "simulate" &&
    (o["max-states"] || o["max-depth"] || o.exact || o.continue || o.workers ||
      o["memory-budget"] || o["spill-dir"] || o.frontier || o["check-immutable"])
  ) {
    throw new UsageError(
      "Options --max-states, --max-depth, --exact, --continue, --workers, --memory-budget, " +
        '--spill-dir, --frontier and --check-immutable belong to "check"',
    );
  }
  const memory = engineMemoryOptions(o);
  const workers = positiveInt("workers", o.workers) ?? 1;
  if (workers < 1 || workers > 64) throw new UsageError("Option --workers takes 1 to 64");
  if (workers > 1 && o.exact) throw new UsageError("Option --exact works with one worker only");

  const targets = o.spec
    ? o.spec.map((name) => ({ name, params: o.param ?? [] }))
    : DEFAULT_SPECS.map((d) => ({ name: d.name, params: [...d.params, ...(o.param ?? [])] }));
  if (o.replay && targets.length !== 1) throw new UsageError("--replay needs exactly one --spec");
  // Every usage error before any work: the specs and their parameters, then the report folder.
  for (const t of targets) parseParams(findSpec(t.name), t.params);
  const reportDir = await prepareRunFolder(
    o,
    o.replay ? "replay" : command,
    targets.map((t) => t.name).join("+"),
  );

  const results: CheckResult<unknown>[] = [];
  const reproduce: Record<string, string> = {};
  const color = Deno.stderr.isTerminal() && !Deno.noColor;
  const live = Deno.stderr.isTerminal();
  for (const target of targets) {
    const entry = findSpec(target.name);
    const values = parseParams(entry, target.params);
    const spec = entry.build(values);
    const base = `deno task check ${command === "simulate" ? "simulate " : ""}--spec ${entry.name}${
      paramFlags(entry, values)
    }`;
    if (o.replay) {
      const steps = replayPath(spec, decodeToken(o.replay));
      say(`${spec.name}: replay of ${o.replay} (${steps.length - 1} steps)`);
      say(renderTrace({ steps, token: o.replay }));
      const last = steps.at(-1)!.state;
      const broken = (spec.invariants ?? []).filter((inv) => !inv.holds(last)).map((i) => i.name);
      const stuckBy = findDeadlock(spec, last);
      const stuck = stuckBy !== undefined;
      say(
        broken.length
          ? `invariants violated in the last state: ${broken.join(", ")}`
          : "all invariants hold in the last state",
      );
      if (stuck) {
        say(
          stuckBy === "no-progress"
            ? "the last state is a deadlock: processes are in flight and none can take a step"
            : "the last state is a deadlock: no action is enabled and it is not a valid end state",
        );
      }
      if (o.json) {
        console.log(
          JSON.stringify(toJsonValue({ spec: spec.name, steps, broken, deadlock: stuck })),
        );
      }
      const code = broken.length
        ? EXIT_CODES.invariant
        : stuck
        ? EXIT_CODES.deadlock
        : EXIT_CODES.ok;
      const written = await writeRunFolder(reportDir, o, "replay", {
        spec: { name: entry.name, params: values },
        traces: [{
          name: `replay of ${o.replay}`,
          description: [
            ...broken.map((b) => `invariant ${b} violated`),
            ...(stuck ? ["deadlock"] : []),
          ]
            .join("; ") || "no violation in the last state",
          trace: { steps, token: o.replay },
        }],
        reproduce: { [o.replay]: `${base} --replay ${o.replay}` },
      }, args);
      return written || code !== EXIT_CODES.ok ? code : EXIT_CODES.usage;
    }
    if (!o.quiet) say(`${command === "simulate" ? "simulating" : "checking"} ${spec.name}`);
    const onProgress = o.quiet ? undefined : (p: Parameters<typeof renderProgress>[0]) => {
      if (live) Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[K${renderProgress(p)}`));
      else say(renderProgress(p));
    };
    const exploreOptions = {
      maxStates: positiveInt("max-states", o["max-states"]),
      maxDepth: positiveInt("max-depth", o["max-depth"]),
      timeBudgetMs: seconds("time-budget", o["time-budget"]),
      checkDeadlock: !o["no-deadlock"],
      checkLockOrder: !o["no-lock-order"],
      coverage: !o["no-coverage"],
      continueAfterViolation: o.continue,
      onProgress,
      progressIntervalMs: live ? 250 : 5000,
      ...memory,
    };
    const result: CheckResult<unknown> = command === "simulate"
      ? simulate(spec, {
        seed: positiveInt("seed", o.seed),
        walks: positiveInt("walks", o.walks),
        depth: positiveInt("depth", o.depth),
        timeBudgetMs: seconds("time-budget", o["time-budget"]),
        checkDeadlock: !o["no-deadlock"],
        checkLockOrder: !o["no-lock-order"],
        coverage: !o["no-coverage"],
      })
      : workers > 1
      ? await exploreParallel({
        module: new URL("../specs.ts", import.meta.url).href,
        name: entry.name,
        params: values,
      }, { ...exploreOptions, workers })
      : explore(spec, { ...exploreOptions, exact: o.exact });
    if (live && onProgress) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[K"));
    const seedFlag = result.seed !== undefined ? ` --seed ${result.seed}` : "";
    say(renderResult(result, {
      color,
      reproduce: (token) =>
        `deno task check --spec ${entry.name}${paramFlags(entry, values)} --replay ${token}`,
    }));
    if (command === "simulate" && result.violations.length > 0) {
      say(`  rerun the simulation: ${base}${seedFlag}`);
    }
    if (o.emit !== undefined) emit(o.emit, entry.name, values, result, paramFlags(entry, values));
    for (const v of result.violations) {
      const tokens = v.kind === "lock-order" ? v.cycle.map((e) => e.trace.token) : [v.trace.token];
      for (const t of tokens) {
        if (t) {
          reproduce[t] = `deno task check --spec ${entry.name}${
            paramFlags(entry, values)
          } --replay ${t}`;
        }
      }
    }
    results.push(result);
    removeIfEmpty(memory.spillDir);
  }
  if (o.json) {
    console.log(JSON.stringify(toJsonValue({ version: 1, results })));
  }
  const first = targets[0];
  const firstEntry = findSpec(first.name);
  const withModel = targets.some((t) => t.name === "leasing");
  const written = await writeRunFolder(reportDir, o, command, {
    spec: targets.length === 1
      ? { name: first.name, params: parseParams(firstEntry, first.params) }
      : undefined,
    results,
    reproduce,
    factCoverage: withModel
      ? buildFactCoverage(
        loadFacts().facts,
        reachedFacts(results),
        await loadScenarios([new URL("../scenarios/cases", import.meta.url).pathname]),
      )
      : undefined,
  }, args);
  const code = results.map((r) => runExitCode(r, command)).find((c) => c !== 0) ?? EXIT_CODES.ok;
  // A report that could not be written after all is an error, but never hides a finding.
  return written || code !== EXIT_CODES.ok ? code : EXIT_CODES.usage;
}

/**
 * The exit code of one result: {@linkcode exitCodeOf}, except that a simulation whose time
 * budget stopped it before all its walks ran is incomplete (14), like a bounded check.
 */
function runExitCode(result: CheckResult<unknown>, command: string): number {
  const code = exitCodeOf(result);
  if (code !== EXIT_CODES.ok || command !== "simulate") return code;
  // The simulator says so in stoppedBecause ("ran out of the time budget after 12 of 1000
  // walks"); cli/check_test.ts pins that wording.
  return /time budget/.test(result.stoppedBecause ?? "") ? EXIT_CODES.incomplete : code;
}

/** Writes the scenarios and ITF traces of `check --emit DIR` and says which. */
function emit(
  dir: string,
  specName: string,
  values: Readonly<Record<string, ParamValue>>,
  result: CheckResult<unknown>,
  flags: string,
): void {
  if (specName !== "leasing") throw new UsageError("--emit works with the leasing spec only");
  let files: string[];
  try {
    Deno.mkdirSync(dir, { recursive: true });
    files = emitForRun(result as CheckResult<ModelState>, leasingConfig(values), dir, {
      covering: true,
      reproduce: (token) => `deno task check --spec leasing${flags} --replay ${token}`,
    });
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw new UsageError(`Cannot write to ${dir}: this task may write only under reports/out`);
    }
    if (
      error instanceof Error &&
      ["EmitError", "SteppedTraceError", "UnsupportedStepError"].includes(error.name)
    ) {
      throw new UsageError(`Cannot emit: ${error.message}`);
    }
    throw error;
  }
  say(`emitted ${files.length} files into ${dir}/`);
}

/** Transitions per spec fact over all results (the specs' coverage labels). */
function reachedFacts(results: readonly CheckResult<unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    for (const [id, n] of Object.entries(r.coverage ?? {})) out[id] = (out[id] ?? 0) + n;
  }
  return out;
}

/** The engine's memory options from the command line: budget, spill folder, frontier mode. */
function engineMemoryOptions(o: {
  "memory-budget"?: string;
  "spill-dir"?: string;
  frontier?: string;
  "check-immutable"?: boolean;
}): {
  memoryBudgetBytes?: number;
  spillDir: string;
  frontier?: FrontierMode;
  checkImmutable?: boolean;
} {
  let memoryBudgetBytes: number | undefined;
  const text = o["memory-budget"];
  if (text === undefined) memoryBudgetBytes = defaultMemoryBudget();
  else if (text !== "off") {
    try {
      memoryBudgetBytes = parseMemorySize(text);
    } catch (error) {
      throw new UsageError(`Option --memory-budget: ${(error as Error).message}`);
    }
  }
  const frontier = o.frontier;
  if (frontier !== undefined && !["auto", "encoded", "live"].includes(frontier)) {
    throw new UsageError(`Option --frontier takes auto, encoded or live, not "${frontier}"`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    memoryBudgetBytes,
    spillDir: o["spill-dir"] ?? `reports/out/.spill-${stamp}`,
    frontier: frontier as FrontierMode | undefined,
    checkImmutable: o["check-immutable"],
  };
}

/** Removes the spill folder a run left empty (it exists only if the run spilled). */
function removeIfEmpty(dir: string): void {
  try {
    for (const _ of Deno.readDirSync(dir)) return; // not empty: a folder with other files
    Deno.removeSync(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
