/**
 * `replay FILE|DIR...`: replays scenario files against the model (or a mutant) and prints, per
 * scenario, a KTAP-like result line and, for failing scenarios, every step's expected and
 * actual outcome with the differences. Human output goes to stderr; `--json` writes the results
 * to stdout. Exit codes: 0 every scenario passed (or was skipped), 1 some failed or broke, 2 a
 * usage error or a file that does not parse.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type MutantId, MUTANTS } from "../model/mutants.ts";
import { showExpectation, showOutcome } from "../scenarios/match.ts";
import { ModelAdapter } from "../scenarios/model_adapter.ts";
import { parseScenario, ScenarioSyntaxError, ScenarioValidationError } from "../scenarios/parse.ts";
import type { ScenarioResult, StepResult } from "../scenarios/replay.ts";
import { runScenario } from "../scenarios/run.ts";
import { DryRunRefusedError, ynlCommands } from "../scenarios/ynl_commands.ts";

/** Where {@linkcode replayMain} writes and reads; tests replace it. */
export interface ReplayIo {
  /** Machine output (JSON). */
  readonly stdout: (text: string) => void;
  /** Human output. */
  readonly stderr: (text: string) => void;
  /** Reads a file as text. */
  readonly readTextFile: (path: string) => Promise<string>;
  /** Lists the `.yaml` files of a directory, or returns null when `path` is not a directory. */
  readonly listYaml: (path: string) => Promise<string[] | null>;
}

const encoder = new TextEncoder();

/** The real console and file system. */
export const DENO_IO: ReplayIo = {
  stdout: (text) => Deno.stdout.writeSync(encoder.encode(text)),
  stderr: (text) => Deno.stderr.writeSync(encoder.encode(text)),
  readTextFile: (path) => Deno.readTextFile(path),
  listYaml: async (path) => {
    const info = await Deno.stat(path);
    if (!info.isDirectory) return null;
    const out: string[] = [];
    for await (const e of Deno.readDir(path)) {
      if (e.isFile && e.name.endsWith(".yaml")) out.push(`${path.replace(/\/$/, "")}/${e.name}`);
    }
    return out.sort();
  },
};

const HELP = `Usage: replay [options] FILE|DIR...

Replays scenario files (YAML, see scenarios/README.md) against the model.

Options:
  --mutant ID         replay against a mutant of bugs.md section C (e.g. C-02)
  --stop-on-failure   stop a scenario at its first failing step
  --verbose           show every step, not only those of failing scenarios
  --json              write the results as JSON to stdout
  --dry-run           print the ip/ynl commands that perform each scenario on a kernel,
                      inside namespaces the script creates (lc-<name>); exit 1 when a step
                      names a device the script would not create
  --ynl CMD           with --dry-run: how to call ynl (default "ynl"; e.g. "python3
                      LINUX/tools/net/ynl/pyynl/cli.py" for a kernel tree's copy)
  -h, --help          show this help

Exit codes: 0 all passed or skipped, 1 a scenario failed or broke, 2 usage or parse error.
`;

function stepLines(r: StepResult, verbose: boolean): string[] {
  if (r.pass && !verbose) return [];
  const head =
    `  ${r.pass ? "ok  " : "FAIL"} step ${r.index} ${r.step.op}${r.step.dump ? " (dump)" : ""}` +
    ` @${r.step.netns} ${JSON.stringify(r.step.request)}`;
  const lines = [head, `      expected: ${showExpectation(r.expected)}`];
  lines.push(`      actual:   ${showOutcome(r.actual)}`);
  for (const d of r.diff) lines.push(`      diff:     ${d}`);
  return lines;
}

/**
 * Runs the replay command; returns the exit code.
 *
 * @param args Command-line arguments (without the command name).
 * @param io Where to write and read (default: the real console and file system).
 * @returns 0, 1 or 2 (see the module documentation).
 *
 * @example Usage
 * ```ts
 * import { replayMain } from "./replay.ts";
 * import assert from "node:assert/strict";
 * const code = await replayMain(["--help"]);
 * assert.equal(code, 0);
 * ```
 */
export async function replayMain(args: readonly string[], io: ReplayIo = DENO_IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        mutant: { type: "string" },
        "stop-on-failure": { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        ynl: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.stderr(`replay: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stderr(HELP);
    return 0;
  }
  if (positionals.length === 0) {
    io.stderr(`replay: no scenario files given\n\n${HELP}`);
    return 2;
  }
  const mutant = values.mutant;
  if (mutant !== undefined && !MUTANTS.some((m) => m.id === mutant && m.implemented)) {
    const known = MUTANTS.filter((m) => m.implemented).map((m) => m.id).join(", ");
    io.stderr(`replay: unknown mutant "${mutant}" (implemented: ${known})\n`);
    return 2;
  }
  const files: string[] = [];
  for (const p of positionals) {
    let listed: string[] | null;
    try {
      listed = await io.listYaml(p);
    } catch (e) {
      io.stderr(`replay: cannot read ${p}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    files.push(...(listed ?? [p]));
  }
  if (values["dry-run"]) return await dryRun(files, io, values.ynl);
  const results: ScenarioResult[] = [];
  let parseErrors = 0;
  io.stderr(`KTAP version 1\n1..${files.length}\n`);
  for (const [i, file] of files.entries()) {
    let text: string;
    try {
      text = await io.readTextFile(file);
    } catch (e) {
      io.stderr(
        `not ok ${i + 1} ${file} # ERROR cannot read: ${e instanceof Error ? e.message : e}\n`,
      );
      parseErrors++;
      continue;
    }
    let scenario;
    try {
      scenario = parseScenario(text, file, {
        onWarning: (w) => io.stderr(`# warning ${w.code} ${w.file}:${w.pos.line}: ${w.message}\n`),
      });
    } catch (e) {
      if (e instanceof ScenarioSyntaxError || e instanceof ScenarioValidationError) {
        io.stderr(`not ok ${i + 1} ${file} # ERROR ${e.message}\n`);
        parseErrors++;
        continue;
      }
      throw e;
    }
    const adapter = new ModelAdapter({ mutant: (mutant ?? null) as MutantId | null });
    const r = await runScenario(scenario, adapter, { stopOnFailure: values["stop-on-failure"] });
    results.push(r);
    const directive = r.verdict === "skip"
      ? ` # SKIP ${r.reason}`
      : r.verdict === "error"
      ? ` # ERROR ${r.reason}`
      : "";
    io.stderr(
      `${r.verdict === "pass" || r.verdict === "skip" ? "ok" : "not ok"} ${i + 1} ${r.name}` +
        `${directive}\n`,
    );
    const verbose = values.verbose || r.verdict === "fail";
    for (const s of r.steps) for (const line of stepLines(s, verbose)) io.stderr(`# ${line}\n`);
  }
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  io.stderr(
    `# ${adapter(mutant)}: ${count("pass")} passed, ${count("fail")} failed, ` +
      `${count("skip")} skipped, ${count("error") + parseErrors} errors\n`,
  );
  if (values.json) io.stdout(JSON.stringify(results, null, 2) + "\n");
  if (parseErrors > 0) return 2;
  return count("fail") + count("error") > 0 ? 1 : 0;
}

/** `--dry-run`: prints the ip/ynl commands that perform each scenario on a kernel. */
async function dryRun(files: readonly string[], io: ReplayIo, ynl?: string): Promise<number> {
  for (const file of files) {
    try {
      const scenario = parseScenario(await io.readTextFile(file), file, {
        onWarning: (w) => io.stderr(`# warning ${w.code} ${w.file}:${w.pos.line}: ${w.message}\n`),
      });
      io.stdout(ynlCommands(scenario, { ynl }) + "\n");
    } catch (e) {
      if (e instanceof ScenarioSyntaxError || e instanceof ScenarioValidationError) {
        io.stderr(`replay: ${e.message}\n`);
        return 2;
      }
      if (e instanceof DryRunRefusedError) {
        io.stderr(`replay: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  return 0;
}

function adapter(mutant: string | undefined): string {
  return mutant === undefined ? "model" : `model[${mutant}]`;
}

if (import.meta.main) {
  Deno.exitCode = await replayMain(Deno.args);
}
