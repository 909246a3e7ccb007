/**
 * `deno run -A kernel/certify_vm.ts [options] FILE|DIR...`: replays scenario files on a real
 * Linux kernel in a VM and prints, per scenario, a KTAP-like line with its time, the differences
 * of failing steps, and the timings (boot, per scenario, per step, total). Exit codes: 0 every
 * scenario passed or was skipped, 1 one failed or broke, 2 a usage error, a file that does not
 * parse, or a VM that cannot boot.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { showExpectation, showOutcome } from "../scenarios/match.ts";
import { loadScenarios } from "../scenarios/certify.ts";
import { ScenarioSyntaxError, ScenarioValidationError } from "../scenarios/parse.ts";
import { replayScenario, type ScenarioResult, type StepResult } from "../scenarios/replay.ts";
import type { Scenario } from "../scenarios/format.ts";
import { KernelVmAdapter } from "./adapter.ts";
import { VmError } from "./vm.ts";

const HELP = `Usage: deno run -A kernel/certify_vm.ts [options] FILE|DIR...

Replays scenario files on a real kernel in a qemu VM (kernel/prepare.sh builds one).

Options:
  --kernel PATH        bzImage to boot (default: the newest kernel/prepare.sh build)
  --initramfs PATH     initramfs (default: the one of the cached build)
  --src PATH           kernel source tree with tools/net/ynl (default: the cached source)
  --step-timeout S     watchdog of one step, seconds (default 30)
  --run-timeout S      watchdog of the whole run, seconds (default 1800)
  --stop-on-failure    stop a scenario at its first failing step
  --verbose            show every step, not only those of failing scenarios
  --json               write the results (with timings) as JSON to stdout
  -h, --help           show this help
`;

function ms(total: number, n: number): string {
  return n === 0 ? "-" : `${(total / n).toFixed(0)} ms (${n})`;
}

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

/** A scenario result with its wall time. */
export interface TimedResult extends ScenarioResult {
  /** Seconds from setup to the end of teardown. */
  readonly seconds: number;
}

/**
 * Runs the command; returns the exit code.
 *
 * @param args Command-line arguments.
 * @returns 0, 1 or 2 (see the module documentation).
 *
 * @example Usage
 * ```ts ignore
 * import { certifyVmMain } from "./certify_vm.ts";
 * Deno.exitCode = await certifyVmMain(["scenarios/cases"]);
 * ```
 */
export async function certifyVmMain(args: readonly string[]): Promise<number> {
  const err = (text: string): void => {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        kernel: { type: "string" },
        initramfs: { type: "string" },
        src: { type: "string" },
        "step-timeout": { type: "string", default: "30" },
        "run-timeout": { type: "string", default: "1800" },
        "stop-on-failure": { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    err(`certify_vm: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    err(HELP);
    return 0;
  }
  const stepTimeout = Number(values["step-timeout"]);
  const runTimeout = Number(values["run-timeout"]);
  if (!(stepTimeout > 0) || !(runTimeout > 0) || positionals.length === 0) {
    err(
      `certify_vm: ${
        positionals.length === 0 ? "no scenario files given" : "bad timeout"
      }\n\n${HELP}`,
    );
    return 2;
  }
  let scenarios: Scenario[];
  try {
    scenarios = await loadScenarios(positionals);
  } catch (e) {
    if (
      e instanceof ScenarioSyntaxError || e instanceof ScenarioValidationError ||
      e instanceof Deno.errors.NotFound
    ) {
      err(`certify_vm: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const started = performance.now();
  const adapter = new KernelVmAdapter({
    ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
    ...(values.initramfs === undefined ? {} : { initramfs: values.initramfs }),
    ...(values.src === undefined ? {} : { src: values.src }),
    stepTimeoutMs: stepTimeout * 1000,
    runTimeoutMs: runTimeout * 1000,
    log: (m) => err(`# ${m}\n`),
  });
  const results: TimedResult[] = [];
  try {
    try {
      await adapter.start();
    } catch (e) {
      if (e instanceof VmError) {
        err(`certify_vm: cannot boot the VM: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    err(`KTAP version 1\n1..${scenarios.length}\n`);
    for (const [i, scenario] of scenarios.entries()) {
      const t0 = performance.now();
      const r = await replayScenario(scenario, adapter, {
        stopOnFailure: values["stop-on-failure"],
      });
      const seconds = (performance.now() - t0) / 1000;
      results.push({ ...r, seconds });
      const directive = r.verdict === "skip"
        ? ` # SKIP ${r.reason}`
        : r.verdict === "error"
        ? ` # ERROR ${r.reason}`
        : "";
      err(
        `${r.verdict === "pass" || r.verdict === "skip" ? "ok" : "not ok"} ${i + 1} ${r.name}` +
          ` (${seconds.toFixed(2)} s)${directive}\n`,
      );
      const verbose = values.verbose || r.verdict === "fail";
      for (const s of r.steps) for (const line of stepLines(s, verbose)) err(`# ${line}\n`);
    }
  } finally {
    await adapter.close();
  }
  const total = (performance.now() - started) / 1000;
  const count = (v: string): number => results.filter((r) => r.verdict === v).length;
  const steps = results.reduce((n, r) => n + r.steps.length, 0);
  const inScenarios = results.reduce((n, r) => n + r.seconds, 0);
  const boots = adapter.bootSeconds.map((s) => s.toFixed(1)).join(", ");
  err(
    `# kernel: ${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped, ` +
      `${count("error")} errors\n` +
      `# time: boot ${boots} s; scenarios ${inScenarios.toFixed(1)} s ` +
      `(${(inScenarios / Math.max(1, results.length)).toFixed(2)} s each, ${steps} steps); ` +
      `total ${total.toFixed(1)} s\n` +
      `# per request: step ${ms(adapter.stats.applyMs, adapter.stats.applies)}, ` +
      `setup ${ms(adapter.stats.setupMs, adapter.stats.setups)}, ` +
      `teardown ${ms(adapter.stats.teardownMs, adapter.stats.teardowns)}\n`,
  );
  if (values.json) {
    Deno.stdout.writeSync(new TextEncoder().encode(
      JSON.stringify({ boot: adapter.bootSeconds, total, stats: adapter.stats, results }, null, 2) +
        "\n",
    ));
  }
  return count("fail") + count("error") > 0 ? 1 : 0;
}

if (import.meta.main) {
  Deno.exitCode = await certifyVmMain(Deno.args);
}
