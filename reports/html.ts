/**
 * The self-contained HTML report: one file holding the report document as JSON
 * (`<script type="application/json" id="data">`), the style sheet and the viewer bundle
 * (`reports/viewer/app.bundle.js`, built by `reports/viewer/build.ts`). No network: a content
 * security policy forbids every fetch.
 *
 * @module
 */

import { BUNDLE } from "./viewer/source_hash.ts";
import { STYLE } from "./viewer/style.ts";

/**
 * Reads the viewer bundle (`reports/viewer/app.bundle.js`).
 *
 * @returns The bundle's JavaScript.
 */
export async function loadViewerBundle(): Promise<string> {
  if (BUNDLE.protocol === "file:") return await Deno.readTextFile(BUNDLE);
  const response = await fetch(BUNDLE);
  if (!response.ok) {
    throw new Error(`Cannot load the report viewer from ${BUNDLE.href}: HTTP ${response.status}`);
  }
  return await response.text();
}

/**
 * JSON safe to embed in an HTML `<script>` element: `<`, `>`, `&` and the line separators are
 * escaped, so no `</script>` or `<!--` can appear in it.
 *
 * @example Usage
 * ```ts
 * import { scriptSafeJson } from "./html.ts";
 * import assert from "node:assert/strict";
 * assert.equal(scriptSafeJson({ a: "</script>" }), '{"a":"\\u003c/script\\u003e"}');
 * ```
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** JavaScript safe to embed in an inline `<script>`: no `</script` or `<!--` sequence. */
function scriptSafeJs(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Options of {@link renderHtml}. */
export interface HtmlOptions {
  /** The page title before the viewer sets its own. */
  readonly title?: string;
  /** A short text shown when scripts are off (e.g. the verdict line). */
  readonly noscript?: string;
}

/**
 * The report page: `doc` (JSON-ready data) embedded as JSON, with the viewer bundle inlined.
 *
 * @example Usage
 * ```ts
 * import { renderHtml } from "./html.ts";
 * import assert from "node:assert/strict";
 * const page = renderHtml({ version: 1 }, "console.log(1)", { title: "t" });
 * assert.match(page, /<script type="application\/json" id="data">\{"version":1\}<\/script>/);
 * ```
 */
export function renderHtml(doc: unknown, bundle: string, options: HtmlOptions = {}): string {
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
    "img-src data:; base-uri 'none'; form-action 'none'";
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(options.title ?? "leasecheck report")}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    '<div id="app">',
    `<noscript><p>${
      escapeHtml(options.noscript ?? "This report needs JavaScript.")
    } The full data is in result.json and summary.md beside this file.</p></noscript>`,
    "</div>",
    `<script type="application/json" id="data">${scriptSafeJson(doc)}</script>`,
    `<script>${scriptSafeJs(bundle)}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
