/**
 * The report folder of `check`, `simulate` and a `--replay` run: where it goes (`--out`, or
 * `reports/out/<kind>-<spec>-<time>`), never over another unless `--force`, and the line that
 * says where it is.
 *
 * @module
 */

import { UsageError } from "../checker/registry.ts";
import denoJson from "../deno.json" with { type: "json" };
import { ReportFolderExistsError, writeRunReport } from "../reports/report_folder.ts";

/**
 * Writes the run's report folder (unless --no-report) and says where it is on stderr.
 *
 * @throws {UsageError} when the folder exists (without --force) or cannot be written.
 */
export async function writeRunFolder(
  o: { out?: string; force?: boolean; "no-report"?: boolean },
  kind: "check" | "simulate" | "replay",
  specName: string,
  data: Omit<Parameters<typeof writeRunReport>[1], "version" | "kind" | "tool" | "argv">,
  args: readonly string[],
): Promise<void> {
  if (o["no-report"]) return;
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = o.out ?? `reports/out/${kind}-${specName.replace(/[^A-Za-z0-9+-]+/g, "_")}-${stamp}`;
  try {
    const written = await writeRunReport(dir, {
      version: 1,
      kind: kind === "simulate" ? "check" : kind,
      tool: { name: "leasecheck", version: denoJson.version },
      argv: [...args],
      ...data,
    }, { force: o.force });
    console.error(`report: ${written.dir}/index.html`);
  } catch (error) {
    if (error instanceof ReportFolderExistsError) throw new UsageError(error.message);
    if (error instanceof Deno.errors.NotCapable) {
      throw new UsageError(
        `Cannot write the report to ${dir}: this task may write only under reports/out ` +
          "(use --out reports/out/NAME or --no-report)",
      );
    }
    throw error;
  }
}
