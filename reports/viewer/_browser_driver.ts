/**
 * Drives headless Chromium over a report page with playwright-core and prints what it saw as one
 * JSON line on stdout: the verdict text, fact-table rows, the step position before and after
 * clicking "next step" and pressing →, the lease arrows drawn at the last step, and page errors.
 * Saves a screenshot.
 *
 * Run by `browser_test.ts` in its own process (playwright needs broad permissions that the test
 * suite does not grant):
 *
 * ```
 * deno run -A reports/viewer/_browser_driver.ts REPORT_DIR/index.html SCREENSHOT.png
 * ```
 *
 * @module
 */

import { chromium } from "playwright-core";
import type { Observation } from "./_browser_observation.ts";

export type { Observation };

/** The Chromium binary (Debian's package). */
export const CHROMIUM = "/usr/bin/chromium";

/** Chromium flags: headless, no sandbox, no GPU, nothing that talks to the network. */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Opens `html` (a path) in headless Chromium with a fresh profile, exercises the viewer, saves a
 * screenshot to `screenshot`, and returns what it saw.
 */
export async function observe(
  html: string,
  screenshot: string,
  factIds: readonly string[] = [],
): Promise<Observation> {
  const profile = await Deno.makeTempDir({ prefix: "leasecheck-chromium-" });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
    viewport: { width: 1366, height: 900 },
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`file://${html}`);
    const position = async (): Promise<string> => (await page.textContent("#step-position")) ?? "";
    const facts: Record<string, string> = {};
    for (const id of factIds) {
      facts[id] = (await page.textContent(`#fact-table tr[data-fact="${id}"]`)) ?? "";
    }
    const positions = [await position()];
    await page.click("#next-step");
    positions.push(await position());
    const currentAfterClick = await page.getAttribute(
      '#lanes tr[aria-current="step"]',
      "data-step",
    );
    const titleAfterClick = (await page.textContent("#step-title")) ?? "";
    await page.keyboard.press("ArrowRight");
    positions.push(await position());
    while (!(await page.isDisabled("#next-step"))) await page.click("#next-step");
    positions.push(await position());
    const observation: Observation = {
      verdict: (await page.textContent("#verdict")) ?? "",
      factRows: await page.locator("#fact-table tbody tr").count(),
      facts,
      positions,
      currentAfterClick,
      titleAfterClick,
      leaseArrows: await page.locator("#drawing svg path.lease-arrow").count(),
      brokenArrows: await page.locator("#drawing svg path.lease-arrow.broken").count(),
      scope: (await page.locator("#scope").count()) > 0
        ? (await page.textContent("#scope")) ?? ""
        : "",
      errors,
    };
    await page.locator("#counterexamples").screenshot({ path: screenshot });
    return observation;
  } finally {
    await context.close();
    await Deno.remove(profile, { recursive: true });
  }
}

if (import.meta.main) {
  const [html, screenshot, ...factIds] = Deno.args;
  if (!html || !screenshot) {
    console.error("usage: _browser_driver.ts INDEX_HTML SCREENSHOT_PNG [FACT-ID...]");
    Deno.exit(2);
  }
  console.log(JSON.stringify(await observe(html, screenshot, factIds)));
}
