/**
 * Reading scenario files from disk: files and folders, sorted, each parsed with
 * {@linkcode parseScenario}. A path that cannot be read (missing, no permission, a symbolic link
 * loop) is a {@linkcode ScenarioFileError} naming it, never a stack trace.
 *
 * @module
 */

import type { Scenario } from "./format.ts";
import { type ParseOptions, parseScenario } from "./parse.ts";

/** A scenario path that cannot be read: it names the path and the file system's reason. */
export class ScenarioFileError extends Error {
  /** The error's class name. */
  override readonly name: string = "ScenarioFileError";
  /** Stable error code. */
  readonly code: string = "LCS003";
  /** The path. */
  readonly path: string;

  /** Creates the error for `path` with the file system's `cause`. */
  constructor(path: string, cause: unknown) {
    super(`Cannot read scenarios from ${path}: ${reason(cause)}`, { cause });
    this.path = path;
  }
}

function reason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file or folder";
  if (error instanceof Deno.errors.NotCapable) return "Deno's permissions do not allow reading it";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/ \(os error \d+\).*$/s, "").replace(/\s+/g, " ").trim();
}

async function fsStep<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new ScenarioFileError(path, error);
  }
}

/**
 * Reads and parses every `.yaml` file of the given files and folders (sorted). In a folder,
 * symbolic links to `.yaml` files are followed; sub-folders are not read.
 *
 * @throws {ScenarioFileError} naming a path that cannot be read.
 * @throws {ScenarioSyntaxError} or {ScenarioValidationError} naming the file, line and column
 *   of a scenario that does not parse.
 *
 * @example Usage
 * ```ts
 * import { loadScenarios } from "./load.ts";
 * import assert from "node:assert/strict";
 * const cases = new URL("./cases", import.meta.url).pathname;
 * assert.ok((await loadScenarios([cases])).length > 100);
 * const missing = new URL("./no-such-folder", import.meta.url).pathname;
 * await assert.rejects(() => loadScenarios([missing]), /no such file or folder/);
 * ```
 */
export async function loadScenarios(
  paths: readonly string[],
  options: ParseOptions = {},
): Promise<Scenario[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await fsStep(path, () => Deno.stat(path));
    if (info.isDirectory) {
      const dir = path.replace(/\/$/, "");
      const entries = await fsStep(path, () => Array.fromAsync(Deno.readDir(path)));
      for (const entry of entries) {
        if (!entry.name.endsWith(".yaml")) continue;
        const file = `${dir}/${entry.name}`;
        if (entry.isFile) files.push(file);
        else if (entry.isSymlink && (await fsStep(file, () => Deno.stat(file))).isFile) {
          files.push(file);
        }
      }
    } else files.push(path);
  }
  files.sort();
  return await Promise.all(
    files.map(async (f) => parseScenario(await fsStep(f, () => Deno.readTextFile(f)), f, options)),
  );
}
