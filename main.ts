/**
 * The leasecheck command line, behind the `deno task` entries:
 *
 * ```
 * deno task check [--spec NAME] [--param key=value]... [options]
 * deno task check simulate --spec NAME [--seed N] [--walks N] [--depth N]
 * deno task replay FILE|DIR...       deno task certify --impl ADAPTER
 * deno task explain FACT-ID        deno task corpus [--config NAME] [--out DIR] [--check]
 * ```
 *
 * Each command lives in `cli/`; this module dispatches and turns usage errors into one line and
 * exit code 2. Human output goes to stderr; stdout carries only machine output (`--json`, KTAP).
 * Exit codes are {@link EXIT_CODES}.
 *
 * @module
 */

import { UsageError } from "./checker/registry.ts";
import { EXIT_CODES } from "./checker/result.ts";
import { ReplayError } from "./checker/trace.ts";
import { certifyMain } from "./cli/certify.ts";
import { checkMain } from "./cli/check.ts";
import { corpusMain } from "./cli/corpus.ts";
import { explainMain } from "./cli/explain.ts";
import { replayMain } from "./cli/replay.ts";

export { DEFAULT_SPECS, HELP } from "./cli/check.ts";

/**
 * Runs the command line with `args` and returns the exit code.
 *
 * @example Usage
 * ```ts
 * import { main } from "./main.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await main(["list"]), 0);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  try {
    if (args[0] === "replay") return await replayMain(args.slice(1));
    if (args[0] === "certify") return await certifyMain(args.slice(1));
    if (args[0] === "explain") return await explainMain(args.slice(1));
    if (args[0] === "corpus") return corpusMain(args.slice(1));
    return await checkMain(args);
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof ReplayError ||
      (error instanceof TypeError && "code" in error)
    ) {
      console.error(`error: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exitCode = await main(Deno.args);
}
