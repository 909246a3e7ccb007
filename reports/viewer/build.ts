/**
 * Builds the viewer bundle: `deno bundle --platform=browser reports/viewer/app.ts`, written to
 * `reports/viewer/app.bundle.js` behind a first line that records the hash of its sources.
 *
 * ```
 * deno run --allow-read=. --allow-write=reports/viewer --allow-run reports/viewer/build.ts
 * ```
 *
 * The bundle is committed, so reports are written without running the bundler.
 *
 * @module
 */

import { bannerLine, BUNDLE, ENTRY, sourceHash } from "./source_hash.ts";

/** Bundles the viewer and writes `app.bundle.js`; returns the source hash. */
export async function buildBundle(): Promise<string> {
  const root = new URL("../../", import.meta.url).pathname;
  const tmp = `${BUNDLE.pathname}.tmp`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=browser", "--format=iife", ENTRY.pathname, "-o", tmp],
    cwd: root,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `Cannot bundle the viewer: deno bundle exited ${code}\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const hash = await sourceHash();
  const body = (await Deno.readTextFile(tmp)).replaceAll(`${root}`, "");
  await Deno.writeTextFile(
    BUNDLE,
    `${bannerLine(hash)}\n${body.endsWith("\n") ? body : `${body}\n`}`,
  );
  await Deno.remove(tmp);
  return hash;
}

if (import.meta.main) {
  const hash = await buildBundle();
  console.error(`wrote ${BUNDLE.pathname} (source-sha256 ${hash})`);
}
