import assert from "node:assert/strict";
import { loadViewerBundle, renderHtml, scriptSafeJson } from "./html.ts";

Deno.test("renderHtml() embeds data that cannot close its script element", () => {
  const page = renderHtml({ name: "</script><script>alert(1)</script>", note: "<!-- x" }, "1");
  const data = /<script type="application\/json" id="data">(.*?)<\/script>/s.exec(page);
  assert.ok(data);
  assert.deepEqual(JSON.parse(data[1]), {
    name: "</script><script>alert(1)</script>",
    note: "<!-- x",
  });
  assert.equal(page.match(/<\/script>/g)?.length, 2);
});

Deno.test("renderHtml() inlines the bundle without a closing script sequence", () => {
  const page = renderHtml({}, 'const s = "</script>";');
  assert.ok(page.includes('const s = "<\\/script>";'));
});

Deno.test("renderHtml() makes a self-contained page: no external resource, a strict CSP", async () => {
  const page = renderHtml({ version: 1 }, await loadViewerBundle(), { title: "a <b>" });
  assert.match(page, /^<!DOCTYPE html>/);
  assert.match(page, /<html lang="en">/);
  assert.match(page, /<title>a &#60;b&#62;<\/title>/);
  assert.match(page, /Content-Security-Policy" content="default-src 'none';/);
  assert.doesNotMatch(page, /<(script|link|img|iframe)[^>]*\s(src|href)=/i);
  assert.doesNotMatch(page, /\b(fetch|XMLHttpRequest|WebSocket|import)\s*\(/);
});

Deno.test("scriptSafeJson() escapes the characters HTML and old parsers trip on", () => {
  assert.equal(scriptSafeJson("a\u2028b&"), '"a\\u2028b\\u0026"');
});
