/**
 * Opens a real report in headless Chromium (Debian's `chromium`, driven with playwright-core by
 * `_browser_driver.ts` in a child process) and checks that the verdict, the fact coverage table
 * and a counterexample step render and respond. Keeps a screenshot in
 * `reports/out/screenshots/`.
 *
 * Needs `/usr/bin/chromium` (`apt-get update && apt-get install -y chromium`); fails, never
 * skips, without it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { explore } from "../../checker/explore.ts";
import { leasingSpec } from "../../model/spec.ts";
import { loadFacts } from "../../spec/facts.ts";
import { buildFactCoverage, writeRunReport } from "../report_folder.ts";
import type { Observation } from "./_browser_observation.ts";

const CHROMIUM = "/usr/bin/chromium";
const DRIVER = new URL("./_browser_driver.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const SCREENSHOT = new URL("../out/screenshots/report-C-02.png", import.meta.url).pathname;

async function requireChromium(): Promise<void> {
  try {
    await new Deno.Command(CHROMIUM, { args: ["--version"], stdout: "null", stderr: "null" })
      .output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}, so the report page cannot be tested. Install ` +
        "it with `apt-get update && apt-get install -y chromium` (`deno task test` does so when run as root).",
    );
  }
}

/**
 * Runs the driver in its own process: playwright needs permissions (all of them, for its
 * platform probes) that the test suite does not have. The machinery's variables are blanked.
 */
async function drive(html: string, factIds: readonly string[]): Promise<Observation> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", DRIVER, html, SCREENSHOT, ...factIds],
    cwd: ROOT,
    env: { LOG_TOKENS: "", LOG_STREAM: "", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(240_000),
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `the browser driver failed (exit ${code}):\n${err}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as Observation;
}

Deno.test("index.html shows the verdict, the scope, the fact coverage and steps through a counterexample in Chromium", async () => {
  await requireChromium();
  const result = explore(leasingSpec({ mutant: "C-02" }));
  assert.equal(result.verdict, "violation");
  const violation = result.violations[0];
  assert.ok(violation.kind !== "lock-order");
  const last = violation.trace.steps.length - 1;
  assert.ok(last >= 2, "the C-02 counterexample has at least two steps");
  const dir = await Deno.makeTempDir({ prefix: "leasecheck-report-" });
  try {
    await writeRunReport(`${dir}/report`, {
      version: 1,
      kind: "check",
      tool: { name: "leasecheck", version: "test" },
      spec: { name: "leasing", params: { mutant: "C-02" } },
      results: [result],
      factCoverage: buildFactCoverage(loadFacts().facts, { "INV-L1": 3, "QC-11": 12 }, [
        { name: "nk_qlease_test_double_lease", facts: ["QC-22"] },
      ]),
    });
    const seen = await drive(`${dir}/report/index.html`, ["QC-22", "INV-L1"]);

    assert.deepEqual(seen.errors, []);
    assert.match(seen.verdict, /VIOLATION/);
    // The scope block, as the terminal prints it: operations, bounds, reductions.
    assert.match(seen.scope, /search: partial: stopped by the first violation/);
    assert.match(seen.scope, /queue-create: stepped/);
    assert.match(seen.scope, /spec reductions:/);
    assert.ok(seen.verdict.includes(violation.name), `the verdict names ${violation.name}`);
    assert.equal(seen.factRows, loadFacts().facts.length);
    assert.match(seen.facts["QC-22"], /scenario only.*nk_qlease_test_double_lease/);
    assert.match(seen.facts["INV-L1"], /explored only\s*3/);
    assert.deepEqual(seen.positions, [
      `Step 0 of ${last}`,
      `Step 1 of ${last}`,
      `Step 2 of ${last}`,
      `Step ${last} of ${last}`,
    ]);
    assert.equal(seen.currentAfterClick, "1");
    assert.match(seen.titleAfterClick, /^Step 1: /);
    assert.ok(seen.leaseArrows >= 1, "the last state draws a lease arrow");
    if (violation.name === "INV-L1") {
      assert.ok(seen.brokenArrows >= 1, "the one-way lease pointer is drawn as a broken arrow");
    }
    await Deno.stat(SCREENSHOT);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
