/**
 * The report folder of `check`, `simulate` and a `--replay` run: where it goes (`--out`, or
 * `reports/out/<kind>-<spec>-<time>`), checked before the run does any work
 * ({@linkcode prepareRunFolder}), never over anything but an empty folder or, with `--force`, a
 * report folder leasecheck wrote; and the line that says where it is.
 *
 * @module
 */

import { UsageError } from "../checker/registry.ts";
import denoJson from "../deno.json" with { type: "json" };
import {
  checkReportFolder,
  ReportFolderError,
  ReportFolderExistsError,
  writeRunReport,
} from "../reports/report_folder.ts";

/** The report options of `check` and `simulate`. */
export interface RunFolderOptions {
  /** `--out DIR`. */
  readonly out?: string;
  /** `--force`: replace a report folder leasecheck wrote. */
  readonly force?: boolean;
  /** `--no-report`. */
  readonly "no-report"?: boolean;
}

function folderMessage(error: ReportFolderError | ReportFolderExistsError): string {
  return error instanceof ReportFolderError && error.cause instanceof Deno.errors.NotCapable
    ? `${error.message} (this task may write only under reports/out: use --out reports/out/NAME or --no-report)`
    : error.message;
}

/**
 * Decides where the run's report goes and checks, before any work, that it can be written
 * there (see `checkReportFolder`).
 *
 * @returns The folder, or undefined with `--no-report`.
 * @throws {UsageError} naming the folder and why it cannot be used.
 *
 * @example Usage
 * ```ts
 * import { prepareRunFolder } from "./report.ts";
 * import assert from "node:assert/strict";
 * assert.equal(await prepareRunFolder({ "no-report": true }, "check", "leasing"), undefined);
 * await assert.rejects(() => prepareRunFolder({ out: "" }, "check", "leasing"), /is empty/);
 * ```
 */
export async function prepareRunFolder(
  o: RunFolderOptions,
  kind: "check" | "simulate" | "replay",
  specName: string,
): Promise<string | undefined> {
  if (o["no-report"]) return undefined;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = o.out ?? `reports/out/${kind}-${specName.replace(/[^A-Za-z0-9+-]+/g, "_")}-${stamp}`;
  try {
    return await checkReportFolder(dir, { force: o.force });
  } catch (error) {
    if (error instanceof ReportFolderError || error instanceof ReportFolderExistsError) {
      throw new UsageError(folderMessage(error));
    }
    throw error;
  }
}

/**
 * Writes the run's report folder into `dir` (from {@linkcode prepareRunFolder}; nothing when
 * undefined) and says where it is on stderr. When it cannot be written after all (the folder
 * changed during the run), says so in one line and returns false: the run's own result stands.
 */
export async function writeRunFolder(
  dir: string | undefined,
  o: RunFolderOptions,
  kind: "check" | "simulate" | "replay",
  data: Omit<Parameters<typeof writeRunReport>[1], "version" | "kind" | "tool" | "argv">,
  args: readonly string[],
): Promise<boolean> {
  if (dir === undefined) return true;
  try {
    const written = await writeRunReport(dir, {
      version: 1,
      kind: kind === "simulate" ? "check" : kind,
      tool: { name: "leasecheck", version: denoJson.version },
      argv: [...args],
      ...data,
    }, { force: o.force });
    console.error(`report: ${written.dir}/index.html`);
    return true;
  } catch (error) {
    if (error instanceof ReportFolderError || error instanceof ReportFolderExistsError) {
      console.error(`error: the report was not written: ${folderMessage(error)}`);
      return false;
    }
    throw error;
  }
}
