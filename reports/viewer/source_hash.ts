/**
 * The fingerprint of the viewer's sources: SHA-256 over `app.ts` and every local module it
 * imports for its values (type-only imports are left out: they do not change the bundle). The
 * build writes it into the bundle's first line, and a test compares it with the sources, so a
 * bundle older than its sources fails CI without running the bundler.
 *
 * @module
 */

/** The viewer's entry point. */
export const ENTRY: URL = new URL("./app.ts", import.meta.url);

/** The generated bundle. */
export const BUNDLE: URL = new URL("./app.bundle.js", import.meta.url);

/** Where paths in the hash are taken from (the repository root). */
const ROOT = new URL("../../", import.meta.url);

const IMPORT_RE =
  /^\s*(?:import|export)\s+(type\s+)?(?:[^;"']*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)["']/gm;

/**
 * The relative module specifiers `source` imports or re-exports for their values.
 *
 * @example Usage
 * ```ts
 * import { valueImports } from "./source_hash.ts";
 * import assert from "node:assert/strict";
 * const src = 'import type { A } from "./a.ts";\nimport {\n  b,\n} from "./b.ts";\nimport "./c.ts";\n';
 * assert.deepEqual(valueImports(src), ["./b.ts", "./c.ts"]);
 * ```
 */
export function valueImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(IMPORT_RE)) {
    if (m[1] === undefined) out.push(m[2]);
  }
  return out;
}

/** The local modules the bundle is built from, `entry` first, each once. */
export async function bundleSources(entry: URL = ENTRY): Promise<URL[]> {
  const seen = new Map<string, URL>();
  const queue = [entry];
  while (queue.length) {
    const url = queue.shift()!;
    if (seen.has(url.href)) continue;
    seen.set(url.href, url);
    const text = await Deno.readTextFile(url);
    for (const spec of valueImports(text)) queue.push(new URL(spec, url));
  }
  return [...seen.values()];
}

function relative(url: URL): string {
  return url.href.startsWith(ROOT.href) ? url.href.slice(ROOT.href.length) : url.href;
}

/**
 * The SHA-256 (hex) of the viewer's sources: each file's path from the repository root and its
 * text, in path order.
 */
export async function sourceHash(entry: URL = ENTRY): Promise<string> {
  const files = (await bundleSources(entry)).map((u) => ({ path: relative(u), url: u }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: string[] = [];
  for (const f of files) parts.push(`${f.path}\n${await Deno.readTextFile(f.url)}\n`);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("")));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The first line of a bundle built from sources with hash `hash`. */
export function bannerLine(hash: string): string {
  return `// source-sha256: ${hash}`;
}

/** The hash a bundle's banner records, or undefined when it has none. */
export function bannerHash(bundle: string): string | undefined {
  return /^\/\/ source-sha256: ([0-9a-f]{64})\r?\n/.exec(bundle)?.[1];
}
