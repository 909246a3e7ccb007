/**
 * Reading scenario files from disk: files and folders, sorted, each parsed with
 * {@linkcode parseScenario}.
 *
 * @module
 */

import type { Scenario } from "./format.ts";
import { type ParseOptions, parseScenario } from "./parse.ts";

/** Reads and parses every `.yaml` file of the given files and folders (sorted). */
export async function loadScenarios(
  paths: readonly string[],
  options: ParseOptions = {},
): Promise<Scenario[]> {
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
  return await Promise.all(
    files.map(async (f) => parseScenario(await Deno.readTextFile(f), f, options)),
  );
}
