/**
 * `explain FACT-ID`: what the spec says about a fact, where the model implements it, and which
 * scenarios cover it.
 *
 * @module
 */

import { EXIT_CODES } from "../checker/result.ts";
import { explainFact, renderExplanation, UnknownFactError } from "../reports/explain.ts";

/**
 * The `explain` command line; returns the exit code.
 *
 * @example Usage
 * ```ts
 * import { explainMain } from "./explain.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await explainMain([]), 2);
 * ```
 */
export async function explainMain(args: readonly string[]): Promise<number> {
  if (args.length !== 1 || args[0].startsWith("-")) {
    console.error("Usage: deno task explain FACT-ID   (e.g. QC-22, NK-NEW-10, INV-L1)");
    return args[0] === "--help" || args[0] === "-h" ? EXIT_CODES.ok : EXIT_CODES.usage;
  }
  const root = new URL("../", import.meta.url);
  try {
    console.log(renderExplanation(await explainFact(args[0], root)));
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof UnknownFactError) {
      console.error(`error: ${error.message}`);
      return EXIT_CODES.usage;
    }
    throw error;
  }
}
