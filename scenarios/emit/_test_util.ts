/**
 * Helpers shared by the emit tests: an atomic test configuration, temporary directories, and
 * `deno fmt` on a string (only when the test run may start processes).
 *
 * @module
 */

import { explore } from "../../checker/explore.ts";
import type { CheckResult, Violation } from "../../checker/result.ts";
import { DEFAULT_CONFIG, type ModelConfig } from "../../model/config.ts";
import type { MutantId } from "../../model/mutants.ts";
import { leasingSpec } from "../../model/spec.ts";
import type { ModelState } from "../../model/state.ts";

/** The default topology, atomic: every test trace is a sequence of model steps. */
export const ATOMIC: Partial<ModelConfig> = { ...DEFAULT_CONFIG, concurrency: 1 };

/** True when this test run may run `deno fmt`. */
export const CAN_RUN: boolean =
  Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

/** Formats YAML text with `deno fmt` and the repository's configuration. */
export async function denoFmt(text: string): Promise<string> {
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--config", config, "--ext", "yaml", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Explores the model with `mutant` (atomic unless `config` says otherwise). */
export function checkMutant(
  mutant: MutantId,
  config: Partial<ModelConfig> = ATOMIC,
): {
  config: Partial<ModelConfig>;
  result: CheckResult<ModelState>;
  violation: Violation<ModelState>;
} {
  const c = { ...config, mutant };
  const result = explore(leasingSpec(c));
  const violation = result.violations[0];
  if (violation === undefined) throw new Error(`${mutant} has no violation`);
  return { config: c, result, violation };
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "leasecheck_emit_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
