/**
 * `corpus [--config NAME]... [--out DIR] [--check]`: generates the model's scenario corpus
 * (`scenarios/emit/corpus.ts`) into `scenarios/generated/` (file names start with the topology), with a
 * `README.md` of its figures and a `.leasecheck-corpus` manifest. A folder is only ever replaced
 * when its manifest says `deno task corpus` wrote it, and then only the files the manifest lists;
 * anything else in it is left alone. `--check` writes nothing and exits 1 when the folder is not
 * what the generator writes now (a stale corpus).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { EXIT_CODES } from "../checker/result.ts";
import {
  CORPUS_TOPOLOGIES,
  generateCorpus,
  type GeneratedCorpus,
} from "../scenarios/emit/corpus.ts";

/** The manifest file of a generated corpus folder. */
export const CORPUS_MANIFEST = ".leasecheck-corpus";

/** The default output folder (the checked-in corpus). */
export const CORPUS_DIR: string = new URL("../scenarios/generated", import.meta.url).pathname;

const HELP = `Usage: deno task corpus [--config NAME]... [--out DIR] [--check]

Generates scenarios from the correct model that take every transition class (abstract state,
operation, outcome) of each corpus topology, each ending with a full observation.

  --config NAME   a corpus topology (repeatable; default all: ${
  CORPUS_TOPOLOGIES.map((t) => t.name).join(", ")
})
  --out DIR       the output folder (default scenarios/generated); replaced only if a previous
                  run of this command wrote it
  --max-steps N   walk length bound (default 40)
  --check         write nothing; exit 1 when DIR differs from what would be written
`;

/** The files of a corpus: path inside the folder to text (scenarios, README.md, manifest). */
export function corpusFiles(corpus: GeneratedCorpus): Map<string, string> {
  const files = new Map<string, string>();
  for (const s of corpus.scenarios) files.set(s.file, s.yaml);
  const rows = corpus.topologies.map((t) =>
    `| ${t.name} | ${t.states} | ${t.transitions} | ${t.covered} / ${t.classes} | ${t.scenarios} | ${t.steps} |`
  );
  const total = (k: "scenarios" | "steps" | "classes" | "covered") =>
    corpus.topologies.reduce((a, t) => a + t[k], 0);
  const readme = [
    "# Generated corpus",
    "",
    "Written by `deno task corpus` from the correct model; do not edit (a test fails when this",
    "folder is stale: regenerate with `deno task corpus`). Each scenario is a walk through the",
    "explored graph of one topology that is the first to take some transition classes (abstract",
    "state, operation, outcome), and ends with a full observation: a queue-get dump from every",
    "live namespace and GETLINK of every netkit and physical device.",
    "",
    "| topology | states | transitions | classes taken | scenarios | steps |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    `| total | | | ${total("covered")} / ${total("classes")} | ${total("scenarios")} | ${
      total("steps")
    } |`,
    "",
    ...CORPUS_TOPOLOGIES.filter((t) => corpus.topologies.some((x) => x.name === t.name)).map(
      (t) => `- **${t.name}**: ${t.description}.`,
    ),
    "",
  ].join("\n");
  files.set("README.md", readme);
  const manifest = {
    tool: "leasecheck corpus",
    topologies: corpus.topologies.map((t) => t.name),
    files: [...files.keys()].sort(),
  };
  files.set(CORPUS_MANIFEST, JSON.stringify(manifest, null, 2) + "\n");
  return files;
}

/** Why a folder cannot be written (a one-line message), or null. */
function refusal(dir: string): string | null {
  let entries: string[];
  try {
    const info = Deno.statSync(dir);
    if (!info.isDirectory) return `${dir} is not a folder; choose another --out`;
    entries = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    return `cannot read ${dir}: ${(e as Error).message}`;
  }
  if (entries.length === 0 || entries.includes(CORPUS_MANIFEST)) return null;
  return `${dir} is not empty and was not written by \`deno task corpus\` (no ${CORPUS_MANIFEST}); ` +
    `leasecheck never replaces it: choose another --out`;
}

/** The files the manifest of `dir` lists (none when it has no manifest). */
function listed(dir: string): string[] {
  try {
    const m = JSON.parse(Deno.readTextFileSync(`${dir}/${CORPUS_MANIFEST}`)) as { files?: unknown };
    return Array.isArray(m.files)
      ? m.files.filter((f): f is string =>
        typeof f === "string" && !f.startsWith("/") && !f.split("/").includes("..")
      )
      : [];
  } catch {
    return [];
  }
}

/** Paths under `dir` of `.yaml` files, `README.md` and the manifest (for `--check`). */
function present(dir: string, sub = ""): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(sub === "" ? dir : `${dir}/${sub}`)];
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = sub === "" ? e.name : `${sub}/${e.name}`;
    if (e.isDirectory) out.push(...present(dir, rel));
    else if (e.name.endsWith(".yaml") || e.name === "README.md" || e.name === CORPUS_MANIFEST) {
      out.push(rel);
    }
  }
  return out;
}

/**
 * How `dir` differs from `files` (what {@linkcode corpusFiles} would write): `missing PATH`,
 * `differs PATH`, or `extra PATH` for a scenario, README or manifest the corpus does not have.
 * Empty when the folder is up to date.
 *
 * @example Usage
 * ```ts
 * import { staleFiles } from "./corpus.ts";
 * import assert from "node:assert/strict";
 * const dir = Deno.makeTempDirSync();
 * assert.deepEqual(staleFiles(dir, new Map([["a.yaml", "x"]])), ["missing a.yaml"]);
 * Deno.removeSync(dir);
 * ```
 */
export function staleFiles(dir: string, files: ReadonlyMap<string, string>): string[] {
  const stale: string[] = [];
  for (const [path, text] of files) {
    let have: string | undefined;
    try {
      have = Deno.readTextFileSync(`${dir}/${path}`);
    } catch {
      have = undefined;
    }
    if (have !== text) stale.push(have === undefined ? `missing ${path}` : `differs ${path}`);
  }
  for (const path of present(dir)) if (!files.has(path)) stale.push(`extra ${path}`);
  return stale;
}

/**
 * The `corpus` command line; returns the exit code.
 *
 * @example Usage
 * ```ts
 * import { corpusMain } from "./corpus.ts";
 * import assert from "node:assert/strict";
 * assert.equal(corpusMain(["--config", "nope"]), 2);
 * ```
 */
export function corpusMain(args: readonly string[]): number {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        config: { type: "string", multiple: true },
        out: { type: "string" },
        "max-steps": { type: "string" },
        check: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return EXIT_CODES.usage;
  }
  if (values.help) {
    console.log(HELP);
    return EXIT_CODES.ok;
  }
  const names = values.config;
  for (const n of names ?? []) {
    if (!CORPUS_TOPOLOGIES.some((t) => t.name === n)) {
      console.error(
        `error: --config ${n}: not a corpus topology (one of: ${
          CORPUS_TOPOLOGIES.map((t) => t.name).join(", ")
        })`,
      );
      return EXIT_CODES.usage;
    }
  }
  const maxSteps = values["max-steps"] === undefined ? 40 : Number(values["max-steps"]);
  if (!Number.isInteger(maxSteps) || maxSteps < 1 || maxSteps > 10_000) {
    console.error(`error: --max-steps ${values["max-steps"]}: not an integer from 1 to 10000`);
    return EXIT_CODES.usage;
  }
  if (values.out === "") {
    console.error("error: --out is empty: name a folder");
    return EXIT_CODES.usage;
  }
  const dir = (values.out ?? CORPUS_DIR).replace(/\/+$/, "") || "/";
  if (!values.check) {
    const why = refusal(dir);
    if (why !== null) {
      console.error(`error: ${why}`);
      return EXIT_CODES.usage;
    }
  }
  const started = performance.now();
  const corpus = generateCorpus(names, { maxSteps });
  for (const t of corpus.topologies) {
    console.error(
      `${t.name}: ${t.states} states, ${t.transitions} transitions, ${t.covered}/${t.classes} ` +
        `transition classes taken by ${t.scenarios} scenarios (${t.steps} steps)` +
        (t.complete ? "" : " (exploration cut short)"),
    );
  }
  const files = corpusFiles(corpus);
  if (values.check) {
    const stale = staleFiles(dir, files);
    if (stale.length > 0) {
      console.error(
        `stale: ${dir} differs from the generator in ${stale.length} file(s), e.g. ${stale[0]}; ` +
          `run deno task corpus`,
      );
      return EXIT_CODES.error;
    }
    console.error(`up to date: ${dir} (${corpus.scenarios.length} scenarios)`);
    return EXIT_CODES.ok;
  }
  try {
    for (const old of listed(dir)) {
      try {
        Deno.removeSync(`${dir}/${old}`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    Deno.mkdirSync(dir, { recursive: true });
    for (const [path, text] of files) Deno.writeTextFileSync(`${dir}/${path}`, text);
  } catch (e) {
    console.error(`error: cannot write the corpus to ${dir}: ${(e as Error).message}`);
    return EXIT_CODES.usage;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`wrote ${corpus.scenarios.length} scenarios to ${dir} in ${seconds} s`);
  return EXIT_CODES.ok;
}
