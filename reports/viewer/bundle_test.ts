import assert from "node:assert/strict";
import {
  bannerHash,
  bannerLine,
  BUNDLE,
  bundleSources,
  sourceHash,
  valueImports,
} from "./source_hash.ts";

Deno.test("app.bundle.js was built from the current viewer sources", async () => {
  const bundle = await Deno.readTextFile(BUNDLE);
  const recorded = bannerHash(bundle);
  assert.ok(recorded, "app.bundle.js starts with a `// source-sha256: <hash>` line");
  assert.equal(
    recorded,
    await sourceHash(),
    "reports/viewer/app.bundle.js is stale: rebuild it with `deno task build:viewer` and commit it",
  );
});

Deno.test("the bundle's sources are the viewer modules app.ts imports for their values", async () => {
  const names = (await bundleSources()).map((u) => u.pathname.split("/").slice(-2).join("/"));
  assert.equal(names[0], "viewer/app.ts");
  for (const name of ["viewer/draw.ts", "viewer/trace.ts", "viewer/summary.ts"]) {
    assert.ok(names.includes(name), name);
  }
  // Type-only imports do not change the bundle.
  assert.ok(!names.includes("viewer/data.ts"));
  assert.ok(!names.some((n) => n.startsWith("checker/")));
});

Deno.test("valueImports() skips type-only imports and reads multi-line and side-effect imports", () => {
  const source = [
    'import type { A } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "./b.ts";',
    'import "./c.ts";',
    'export { d } from "../d.ts";',
    'export type { E } from "./e.ts";',
    'import x from "npm:x";',
  ].join("\n");
  assert.deepEqual(valueImports(source), ["./b.ts", "./c.ts", "../d.ts"]);
});

Deno.test("bannerHash() reads only a well-formed first line", () => {
  const hash = "a".repeat(64);
  assert.equal(bannerHash(`${bannerLine(hash)}\n(() => {})();\n`), hash);
  assert.equal(bannerHash(`(() => {})();\n${bannerLine(hash)}\n`), undefined);
  assert.equal(bannerHash("// source-sha256: abc\n"), undefined);
});
