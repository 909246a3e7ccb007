/**
 * Tests of the fact base: every entry of `spec/facts.yaml` loads; the version-range functions;
 * the loader's error messages; and the citation test, which fails naming `file:line` for any
 * fact id the project cites that the base does not define.
 *
 * What counts as a citation (see also `spec/README.md`): in the scanned files, a token of the
 * fact-id grammar whose family (the id without its number, e.g. `QC`, `QC-S`, `INV-L`,
 * `NK-NEW`) is a family of the base, or whose part before a one-letter sub-family is one
 * (`QC-X1` is checked because `QC` is a family). The token must not touch a letter, digit, `_`
 * or `-` on its left, nor a letter, digit or `_` on its right, nor `-` followed by a digit
 * (so `A-Z0-9` in a regex is not one, while `INV-L7-monotonic` cites `INV-L7`). Ranges cite
 * both ends: `QC-16..18` and `NK-QC-1/2` cite `QC-18` and `NK-QC-2` too. A family wildcard
 * (`MP-U*`) must name a family of the base. Named model properties (`NO-OOPS`, `REPLY-EQ`) are
 * citations when written as whole words. `CVE-YYYY-N` ids must be recorded in some fact's
 * `cve` field. Words such as `C-style`, `UTF-8`, `SHA-256`, `ADR-015` or errno names are
 * never citations: their families are not in the base.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  compareFactIds,
  compareKernelVersions,
  factFamily,
  FactFileError,
  loadFacts,
  parseFacts,
  parseKernelVersion,
  parseVersionRange,
  UnknownFactError,
  VersionRangeError,
  versionSatisfies,
} from "./facts.ts";

const ROOT = new URL("../", import.meta.url);

// ---------------------------------------------------------------------------------------------
// The base itself

Deno.test("loadFacts() reads every entry of spec/facts.yaml without error", () => {
  const base = loadFacts();
  assert.ok(base.facts.length >= 280, `only ${base.facts.length} facts`);
  assert.equal(new Set(base.ids()).size, base.facts.length);
  for (const f of base.facts) {
    assert.ok(f.statement.length > 10, `${f.id}: statement too short`);
    for (const s of f.see) assert.ok(base.has(s), `${f.id} sees unknown ${s}`);
  }
});

Deno.test("the base covers every id the shared spec defines, by family", () => {
  const base = loadFacts();
  const expect: [string, number, number][] = [
    ["QC", 1, 25],
    ["QC-S", 1, 6],
    ["NK-QC", 1, 3],
    ["QG", 1, 8],
    ["QG-D", 1, 4],
    ["QG-L", 1, 5],
    ["QG-M", 1, 3],
    ["DMA", 1, 4],
    ["MP", 1, 6],
    ["MP", 10, 19],
    ["MP-C", 1, 3],
    ["MP-U", 1, 4],
    ["IOU", 1, 6],
    ["DM", 1, 7],
    ["XDP", 1, 2],
    ["XSK", 1, 9],
    ["ETH", 1, 7],
    ["NS", 1, 5],
    ["NK-NEW", 1, 20],
    ["NK-OP", 1, 3],
    ["NK-CHG", 1, 5],
    ["NK-GET", 1, 6],
    ["NK-BPF", 1, 1],
    ["NK-DEL", 1, 7],
    ["UNREG", 1, 7],
    ["FLAP", 1, 1],
    ["LIM", 1, 5],
    ["LOCK", 1, 5],
    ["REF", 1, 5],
    ["INV-L", 1, 9],
    ["INV-R", 1, 3],
    ["INV-T", 1, 5],
    ["INV-K", 1, 5],
    ["INV-V", 1, 4],
    ["INV-N", 1, 4],
    ["INV-M", 1, 4],
    ["A", 1, 5],
    ["B", 1, 7],
    ["C", 1, 40],
  ];
  const padded = new Set(["QC", "QG", "MP", "NK-NEW", "A", "B", "C"]);
  for (const [family, from, to] of expect) {
    for (let n = from; n <= to; n++) {
      const num = padded.has(family) ? String(n).padStart(2, "0") : String(n);
      const id = family.length === 1 || !/-[A-Z]$/.test(family)
        ? `${family}-${num}`
        : `${family}${num}`;
      assert.ok(base.has(id), `missing ${id}`);
    }
  }
  for (const id of ["QC-00a", "QC-00b", "QC-00c", "NK-NEW-04b", "DM-7b", "UNREG-2b"]) {
    assert.ok(base.has(id), `missing ${id}`);
  }
});

Deno.test("the known corrections and 7.2-era facts carry their ranges", () => {
  const base = loadFacts();
  assert.deepEqual(base.get("QC-00c")?.errno, ["ERANGE"]);
  assert.ok(base.get("NK-NEW-01")?.errno.includes("ERANGE"));
  assert.equal(base.get("NS-6")?.status, "verified");
  assert.equal(base.get("MP-U2")?.versions, ">=7.1 <7.1.5");
  assert.equal(base.get("MP-U3")?.versions, ">=7.1.5");
  assert.equal(base.get("DM-7b")?.versions, ">=7.2");
  assert.equal(base.get("QG-M4")?.versions, ">=7.2");
  assert.deepEqual(base.get("DM-7b")?.extack, ["No DMA-capable device found for netmem TX"]);
  assert.deepEqual(base.get("DM-8")?.extack, ["Driver does not support netmem TX"]);
  assert.ok(base.inRange("MP-U2", "7.1.4") && !base.inRange("MP-U2", "7.1.5"));
  assert.ok(base.inRange("MP-U3", "7.2.13") && !base.inRange("MP-U3", "7.1.0"));
  assert.ok(!base.inRange("DM-7b", "7.1.9") && base.inRange("DM-7b", "7.3.4-1~bpo13+1"));
});

Deno.test("get/has are exact; similar() suggests; inRange() rejects unknown ids", () => {
  const base = loadFacts();
  assert.equal(base.get("qc-22"), undefined);
  assert.ok(base.has("QC-22"));
  assert.equal(base.similar("qc-22")[0], "QC-22");
  assert.equal(base.similar("QC-2")[0], "QC-02");
  assert.ok(base.similar("QC-26").includes("QC-25"));
  assert.ok(base.similar("INV-L10").includes("INV-L1"));
  assert.ok(base.similar("NK-NEW-4b").includes("NK-NEW-04b"));
  assert.deepEqual(base.similar("ZZZ-1"), []);
  assert.ok(base.similar("QC-99", 3).length <= 3);
  assert.throws(() => base.inRange("QC-99", "7.2.13"), (e: unknown) => {
    return e instanceof UnknownFactError && e.suggestions.length > 0;
  });
  assert.throws(() => base.inRange("QC-22", "seven"), VersionRangeError);
});

// ---------------------------------------------------------------------------------------------
// Versions and ranges (table-driven)

Deno.test("parseKernelVersion() accepts releases, rcs and distribution suffixes", () => {
  const table: [string, [number, number, number, number | null] | null][] = [
    ["7.1", [7, 1, 0, null]],
    ["7.1.5", [7, 1, 5, null]],
    ["7.2.13-1", [7, 2, 13, null]],
    ["7.2.13+deb14-amd64", [7, 2, 13, null]],
    ["7.3.4-1~bpo13+1", [7, 3, 4, null]],
    ["7.3-rc4", [7, 3, 0, 4]],
    ["7.3.0-rc2-amd64", [7, 3, 0, 2]],
    [" 7.2.13 ", [7, 2, 13, null]],
    ["7", null],
    ["v7.1", null],
    ["7.x", null],
    ["", null],
  ];
  for (const [text, want] of table) {
    if (want === null) {
      assert.throws(() => parseKernelVersion(text), VersionRangeError, text);
    } else {
      const [major, minor, patch, rc] = want;
      assert.deepEqual(parseKernelVersion(text), { major, minor, patch, rc }, text);
    }
  }
});

Deno.test("compareKernelVersions() orders patch levels and release candidates", () => {
  const ordered = ["7.0.9", "7.1-rc1", "7.1-rc7", "7.1", "7.1.4", "7.1.5", "7.2.13", "7.10.1"];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const a = parseKernelVersion(ordered[i]);
    const b = parseKernelVersion(ordered[i + 1]);
    assert.ok(compareKernelVersions(a, b) < 0, `${ordered[i]} < ${ordered[i + 1]}`);
    assert.ok(compareKernelVersions(b, a) > 0);
  }
  assert.equal(compareKernelVersions(parseKernelVersion("7.1"), parseKernelVersion("7.1.0")), 0);
});

Deno.test("versionSatisfies() on a table of ranges", () => {
  const table: [string, string, boolean][] = [
    [">=7.1", "7.1.0", true],
    [">=7.1", "7.0.12", false],
    [">=7.1", "7.1-rc3", false],
    [">=7.1-rc1", "7.1-rc3", true],
    [">=7.1 <7.1.5", "7.1.4", true],
    [">=7.1 <7.1.5", "7.1.5", false],
    [">=7.1 <7.1.5", "7.2.13", false],
    [">=7.1.5", "7.1.5", true],
    [">=7.1.5", "7.2.0", true],
    [">=7.2", "7.2.13", true],
    [">=7.2", "7.1.9", false],
    ["<7.1", "7.0.5", true],
    ["<7.1", "7.1.0", false],
    [">7.1.4", "7.1.5", true],
    [">7.1.4", "7.1.4", false],
    ["<=7.2.13", "7.2.13", true],
    ["<=7.2.13", "7.2.14", false],
    ["7.1", "7.1.9", true],
    ["7.1", "7.2.0", false],
    ["=7.2", "7.2.13", true],
    ["7.2.13", "7.2.13", true],
    ["7.2.13", "7.2.12", false],
    ["=7.2.13", "7.2.13-1", true],
    ["7.1+", "7.3.4", true],
    ["7.1+", "7.0.1", false],
    [">=7.1 <7.1.5 || >=7.3", "7.2.13", false],
    [">=7.1 <7.1.5 || >=7.3", "7.3.4", true],
    [">=7.1 <7.1.5 || >=7.3", "7.1.2", true],
    ["*", "6.1.0", true],
    ["none", "7.2.13", false],
  ];
  for (const [range, version, want] of table) {
    assert.equal(versionSatisfies(version, range), want, `${version} in "${range}"`);
    assert.equal(versionSatisfies(parseKernelVersion(version), parseVersionRange(range)), want);
  }
});

Deno.test("parseVersionRange() rejects malformed ranges", () => {
  const bad = [
    "",
    "   ",
    ">= 7.1",
    "=>7.1",
    ">=7",
    ">=7.1.x",
    ">=7.1 ||",
    "|| >=7.1",
    ">=7.1 | <7.2",
    ">=7.1+",
    "* >=7.1",
    "none >=7.1",
    "latest",
    "~7.1",
    "^7.1",
  ];
  for (const text of bad) assert.throws(() => parseVersionRange(text), VersionRangeError, text);
  assert.equal(parseVersionRange(">=7.1 <7.1.5").alternatives[0].length, 2);
  assert.equal(parseVersionRange("7.1").alternatives[0].length, 2);
  assert.equal(parseVersionRange("none").alternatives.length, 0);
});

Deno.test("factFamily() and compareFactIds()", () => {
  const families: [string, string][] = [
    ["QC-22", "QC"],
    ["QC-00a", "QC"],
    ["QC-S3", "QC-S"],
    ["INV-L1", "INV-L"],
    ["NK-NEW-04b", "NK-NEW"],
    ["NK-QC-1", "NK-QC"],
    ["UNREG-2b", "UNREG"],
    ["REPLY-EQ", "REPLY-EQ"],
  ];
  for (const [id, family] of families) assert.equal(factFamily(id), family, id);
  const sorted = ["QC-10", "QC-00c", "QC-02", "QC-00a", "DM-7b", "DM-7", "DM-10", "A-01"]
    .sort(compareFactIds);
  assert.deepEqual(sorted, [
    "A-01",
    "DM-7",
    "DM-7b",
    "DM-10",
    "QC-00a",
    "QC-00c",
    "QC-02",
    "QC-10",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Loader errors

const GOOD = [
  "- id: QC-20",
  "  title: out of range",
  "  statement: The queue index must be live.",
  "  kind: check",
  "  errno: ERANGE",
  '  versions: ">=7.1"',
  "  status: verified",
  "  source: observed on 7.2.13",
];

function bad(lines: string[], field: string, line: number, pattern: RegExp): void {
  assert.throws(
    () => parseFacts(lines.join("\n"), "t.yaml"),
    (e: unknown) => {
      assert.ok(e instanceof FactFileError, String(e));
      assert.equal(e.field, field, e.message);
      assert.equal(e.line, line, e.message);
      assert.match(e.message, pattern);
      assert.match(e.message, /^t\.yaml:\d+:\d+: /);
      assert.ok(!e.message.includes("\n"), "one line");
      return true;
    },
  );
}

Deno.test("parseFacts() accepts a minimal entry", () => {
  const base = parseFacts(GOOD.join("\n"), "t.yaml");
  const f = base.get("QC-20");
  assert.equal(f?.line, 1);
  assert.deepEqual(f?.extack, []);
  assert.deepEqual(f?.kernel, []);
  assert.deepEqual(f?.see, []);
  assert.equal(f?.badAttr, undefined);
});

Deno.test("parseFacts() names file:line:column and the field of each bad entry", () => {
  bad([...GOOD, "  colour: red"], "colour", 9, /unknown key/);
  bad(GOOD.filter((l) => !l.includes("status")), "status", 1, /missing/);
  bad(GOOD.map((l) => l.replace("ERANGE", "-ERANGE")), "errno", 5, /not an errno name/);
  bad(GOOD.map((l) => l.replace("kind: check", "kind: rule")), "kind", 4, /not one of/);
  bad(GOOD.map((l) => l.replace('">=7.1"', '">= 7.1"')), "versions", 6, /Bad kernel version/);
  bad(GOOD.map((l) => l.replace("verified", "probably")), "status", 7, /verified or inferred/);
  bad(GOOD.map((l) => l.replace("QC-20", "qc 20")), "id", 1, /not a fact id/);
  bad([...GOOD, "  see: [QC-21]"], "see[0]", 9, /not defined in this file/);
  bad([...GOOD, "  see: [QC-20]"], "see[0]", 9, /cannot see itself/);
  bad([...GOOD, ...GOOD], "id", 9, /duplicate id \(first defined at line 1\)/);
  bad([...GOOD, "  commits: [12345]"], "commits[0]", 9, /must be a string/);
  bad([...GOOD, "  commits: [xyz]"], "commits[0]", 9, /hex/);
  bad([...GOOD, "  kernel: [{function: f, path: x.c}]"], "kernel[0].path", 9, /unknown key/);
  bad([...GOOD, "  kernel: [{function: f}]"], "kernel[0].file", 9, /missing/);
  bad([...GOOD, "  kernel: [{file: netdev.txt}]"], "kernel[0].file", 9, /kernel file path/);
  bad([...GOOD, "  bad-attr: lease.queue.id"], "bad-attr", 9, /ynl path/);
  bad([...GOOD, "  cve: CVE-26"], "cve", 9, /not a CVE id/);
  bad([...GOOD, "  extack: []"], "extack", 9, /empty list/);
  bad(["- id: QC-20", "  title: [x"], "", 2, /YAML/);
  bad(["id: QC-20"], "", 1, /YAML list/);
  bad(["- just a string"], "", 1, /must be a mapping/);
});

// ---------------------------------------------------------------------------------------------
// The citation test

/** Files and folders scanned for citations, relative to the repository root. */
const SCANNED = [
  "model",
  "scenarios",
  "reports",
  "kernel",
  "checker",
  "cli",
  "examples",
  "README.md",
  "CHANGELOG.md",
];
const SCANNED_EXT = /\.(ts|yaml|yml|md|json|sh|py)$/;
const SKIPPED_DIRS = new Set(["out", "node_modules", "coverage"]);
const SKIPPED_FILES = [/\.bundle\.js$/];

/**
 * Deliberately unknown ids that tests use as negative examples (an unknown mutant, an unknown
 * fact, an id without zero padding), by file. Only these files may cite them.
 */
const FICTITIOUS: Readonly<Record<string, readonly string[]>> = {
  "model/config_test.ts": ["C-99"],
  "cli/certify_test.ts": ["C-99"],
  "cli/replay_test.ts": ["C-99"],
  "reports/explain_test.ts": ["QC-99"],
  "reports/report_folder_test.ts": ["QC-2", "QC-3", "NK-NEW-1"],
  "reports/certification_test.ts": ["QC-2", "NK-NEW-2", "QC-1"],
  // Documentation examples that show an unknown id being refused.
  "reports/explain.ts": ["QC-99"],
  "scenarios/parse.ts": ["QC-99"],
};

const CITATION_RE =
  /(?<![A-Za-z0-9_-])((?:[A-Z][A-Z0-9]*-)*[A-Z][A-Z0-9]*)-([A-Z]?)([0-9]{1,3})([a-z]?)((?:(?:\.\.|\/)(?:\1-)?[A-Z]?[0-9]{1,3}[a-z]?)?)(?![A-Za-z0-9_]|-[0-9])/g;
const WILDCARD_RE = /(?<![A-Za-z0-9_-])((?:[A-Z][A-Z0-9]*-)*[A-Z][A-Z0-9]*)-([A-Z]?)\*/g;
const CVE_CITE_RE = /\bCVE-\d{4}-\d{4,}\b/g;

interface Citation {
  readonly id: string;
  readonly file: string;
  readonly line: number;
}

/** The citations of one text: `[{id, line}]`, with ranges expanded to both ends. */
function citations(
  text: string,
  families: ReadonlySet<string>,
  named: readonly string[],
): { id: string; line: number; wildcard?: boolean }[] {
  const out: { id: string; line: number; wildcard?: boolean }[] = [];
  const lines = text.split("\n");
  const namedRe = named.length > 0
    ? new RegExp(`(?<![A-Za-z0-9_-])(${named.join("|")})(?![A-Za-z0-9_-])`, "g")
    : null;
  lines.forEach((lineText, i) => {
    const line = i + 1;
    for (const m of lineText.matchAll(CITATION_RE)) {
      const [, prefix, letter, num, suffix, tail] = m;
      const family = letter ? `${prefix}-${letter}` : prefix;
      if (!families.has(family) && !families.has(prefix)) continue;
      out.push({ id: `${prefix}-${letter}${num}${suffix}`, line });
      if (tail) {
        const end = tail.replace(/^(\.\.|\/)/, "");
        const endId = end.startsWith(`${prefix}-`) ? end : `${prefix}-${end}`;
        out.push({ id: endId, line });
      }
    }
    for (const m of lineText.matchAll(WILDCARD_RE)) {
      const [, prefix, letter] = m;
      if (!families.has(prefix) && !families.has(`${prefix}-${letter}`)) continue;
      out.push({ id: letter ? `${prefix}-${letter}` : prefix, line, wildcard: true });
    }
    if (namedRe) { for (const m of lineText.matchAll(namedRe)) out.push({ id: m[1], line }); }
  });
  return out;
}

async function* walk(dir: URL, rel: string): AsyncGenerator<string> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name < b.name ? -1 : 1);
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory) {
      if (!SKIPPED_DIRS.has(e.name)) yield* walk(new URL(`${e.name}/`, dir), path);
    } else if (e.isFile && SCANNED_EXT.test(e.name) && !SKIPPED_FILES.some((r) => r.test(path))) {
      yield path;
    }
  }
}

async function scannedFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const entry of SCANNED) {
    const url = new URL(entry, ROOT);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(url);
    } catch {
      continue;
    }
    if (info.isDirectory) {
      for await (const f of walk(new URL(`${entry}/`, ROOT), entry)) files.push(f);
    } else files.push(entry);
  }
  return files;
}

Deno.test("the citation scanner finds ids and ignores look-alikes", () => {
  const base = loadFacts();
  const families = new Set(base.ids().map(factFamily));
  const named = base.ids().filter((id) => !/[0-9]/.test(id));
  const ids = (text: string) => citations(text, families, named).map((c) => c.id);
  assert.deepEqual(ids("see QC-22 and INV-L1, NK-NEW-04b; QC-S3."), [
    "QC-22",
    "INV-L1",
    "NK-NEW-04b",
    "QC-S3",
  ]);
  assert.deepEqual(ids("QC-16..18, NK-QC-1/2, QC-00a..QC-25, MP-U1..U3, QC-S1..S6"), [
    "QC-16",
    "QC-18",
    "NK-QC-1",
    "NK-QC-2",
    "QC-00a",
    "QC-25",
    "MP-U1",
    "MP-U3",
    "QC-S1",
    "QC-S6",
  ]);
  assert.deepEqual(ids('name: "INV-L7-monotonic"'), ["INV-L7"]);
  assert.deepEqual(ids("invariant NO-OOPS, REPLY-EQ and NO-DEADLOCK"), [
    "NO-OOPS",
    "REPLY-EQ",
    "NO-DEADLOCK",
  ]);
  assert.deepEqual(ids("the MP-U* family"), ["MP-U"]);
  assert.deepEqual(
    ids("C-style UTF-8 SHA-256 ADR-015 [A-Z0-9] -EBUSY EINVAL x86-64 CVE-2026-74285 ops_qc_08"),
    [],
  );
  assert.deepEqual(ids("QC-26 and INV-L10 and QC-X1"), ["QC-26", "INV-L10", "QC-X1"]);
});

Deno.test("every fact id cited in model/, scenarios/, reports/, kernel/, checker/, README.md is in the base", async () => {
  const base = loadFacts();
  const families = new Set(base.ids().map(factFamily));
  const named = base.ids().filter((id) => !/[0-9]/.test(id));
  const cves = new Set(base.facts.flatMap((f) => (f.cve ? [f.cve] : [])));
  const unknown: Citation[] = [];
  let count = 0;
  const files = await scannedFiles();
  assert.ok(files.length > 50, `scanned only ${files.length} files`);
  for (const file of files) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    const allowed = FICTITIOUS[file] ?? [];
    for (const c of citations(text, families, named)) {
      count++;
      const known = c.wildcard ? families.has(c.id) : base.has(c.id);
      if (!known && !allowed.includes(c.id)) unknown.push({ id: c.id, file, line: c.line });
    }
    text.split("\n").forEach((lineText, i) => {
      for (const m of lineText.matchAll(CVE_CITE_RE)) {
        if (!cves.has(m[0])) unknown.push({ id: m[0], file, line: i + 1 });
      }
    });
  }
  assert.ok(count > 1000, `found only ${count} citations`);
  const report = unknown.map((u) => {
    const hint = base.similar(u.id, 3);
    return `${u.file}:${u.line}: ${u.id} is not in spec/facts.yaml` +
      (hint.length ? ` (did you mean ${hint.join(", ")}?)` : "");
  });
  assert.deepEqual(report, []);
});
