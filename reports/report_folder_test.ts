import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";
import { buildReport } from "../scenarios/certification.ts";
import {
  buildFactCoverage,
  checkReportFolder,
  renderSummary,
  REPORT_MARKER,
  ReportFolderError,
  ReportFolderExistsError,
  type RunReport,
  writeRunReport,
} from "./report_folder.ts";
import { toJsonValue } from "./text.ts";

const BUNDLE = "document.title = 'viewer';";
const tool = { name: "leasecheck", version: "0.1.0" };

function mixedRun(): RunReport {
  const result = explore(lockOrderSpec({ n: 3, k: 1, mixed: true }), {
    continueAfterViolation: true,
  });
  return {
    version: 1,
    kind: "check",
    tool,
    spec: { name: "lock-order", params: { n: 3, k: 1, mixed: true } },
    results: [result],
    factCoverage: buildFactCoverage(["QC-22", "QC-3"], { "QC-3": 2 }, [
      { name: "double_lease", facts: ["QC-22"] },
    ]),
    killTable: [
      { mutant: "C-02", caughtBy: "INV-L1", kind: "invariant", traceLength: 2, ms: 20 },
      { mutant: "C-07", caughtBy: null, kind: "none", traceLength: null, ms: 900 },
    ],
    reproduce: { run: "deno task check --spec lock-order --param mixed=true" },
  };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("writeRunReport() writes its marker, summary.md, result.json and index.html and nothing else", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const written = await writeRunReport(`${parent}/run/`, mixedRun(), { bundle: BUNDLE });
    assert.equal(written.dir, `${parent}/run`);
    assert.deepEqual(await listDir(parent), ["run"]);
    assert.deepEqual(await listDir(`${parent}/run`), [
      REPORT_MARKER,
      "index.html",
      "result.json",
      "summary.md",
    ]);
    const marker = JSON.parse(await Deno.readTextFile(`${parent}/run/${REPORT_MARKER}`));
    assert.equal(marker.leasecheck, "report");
    assert.equal(marker.kind, "check");
    assert.deepEqual(marker.files, ["summary.md", "result.json", "index.html"]);
    const json = JSON.parse(await Deno.readTextFile(`${parent}/run/result.json`));
    assert.equal(json.version, 1);
    assert.equal(json.kind, "check");
    assert.match(json.created, /^\d{4}-\d\d-\d\dT/);
    assert.equal(json.results[0].violations[0].kind, "lock-order");
    assert.equal(json.factCoverage[1].id, "QC-22");
    const html = await Deno.readTextFile(`${parent}/run/index.html`);
    assert.ok(html.includes(BUNDLE));
    assert.ok(html.includes('<script type="application/json" id="data">'));
    const summary = await Deno.readTextFile(`${parent}/run/summary.md`);
    assert.match(summary, /^# leasecheck check: violation/);
    assert.match(summary, /lock-order cycle B -> A -> B/);
    assert.match(summary, /\| C-07 \| \*\*NOT CAUGHT\*\* \|/);
    assert.match(
      summary,
      /1 of 2 facts reached by exploration, 1 cited by a scenario; 0 uncovered/,
    );
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("writeRunReport() refuses a non-empty folder, naming it, unless forced", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const dir = `${parent}/out`;
    await writeRunReport(dir, mixedRun(), { bundle: "previous run" });
    await assert.rejects(
      () => writeRunReport(dir, mixedRun(), { bundle: BUNDLE }),
      (error: unknown) => {
        assert.ok(error instanceof ReportFolderExistsError);
        assert.ok(error instanceof Deno.errors.AlreadyExists);
        assert.equal(error.dir, dir);
        assert.match(error.message, new RegExp(`Report folder ${dir} exists already`));
        return true;
      },
    );
    assert.match(await Deno.readTextFile(`${dir}/index.html`), /previous run/);
    await writeRunReport(dir, mixedRun(), { bundle: BUNDLE, force: true });
    assert.deepEqual(await listDir(dir), [
      REPORT_MARKER,
      "index.html",
      "result.json",
      "summary.md",
    ]);
    assert.doesNotMatch(await Deno.readTextFile(`${dir}/index.html`), /previous run/);
    assert.deepEqual(await listDir(parent), ["out"], "no temporary or old folder is left");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("writeRunReport() fills an existing empty folder and refuses a file", async () => {
  const parent = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${parent}/empty`);
    await writeRunReport(`${parent}/empty`, mixedRun(), { bundle: BUNDLE });
    assert.equal((await listDir(`${parent}/empty`)).length, 4);
    await Deno.writeTextFile(`${parent}/file`, "x");
    for (const force of [false, true]) {
      await assert.rejects(
        () => writeRunReport(`${parent}/file`, mixedRun(), { bundle: BUNDLE, force }),
        (e: unknown) =>
          e instanceof ReportFolderError && e.code === "LC-REPORT-NOT-A-FOLDER" &&
          /Refusing to write the report to .*\/file: it is a file, not a folder/.test(e.message),
      );
    }
    assert.equal(await Deno.readTextFile(`${parent}/file`), "x");
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("writeRunReport() leaves no folder behind when rendering fails", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const broken = { ...mixedRun(), created: "now" };
    // A bundle getter that throws while the page is being rendered.
    const options = {
      get bundle(): string {
        throw new Error("disk full");
      },
    };
    await assert.rejects(() => writeRunReport(`${parent}/out`, broken, options), /disk full/);
    assert.deepEqual(await listDir(parent), []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("writeRunReport() rejects unknown versions and kinds", async () => {
  await assert.rejects(
    () => writeRunReport("/nonexistent/x", { ...mixedRun(), version: 2 as 1 }, { bundle: "" }),
    /only version 1 is known/,
  );
  await assert.rejects(
    () => writeRunReport("/nonexistent/x", { ...mixedRun(), kind: "x" as "check" }),
    /kind "x"/,
  );
});

Deno.test("renderSummary() includes a certification's Markdown one heading level down, its profile first", () => {
  const certification = toJsonValue(buildReport("model[C-16]", new Date(0), 5, [])) as NonNullable<
    RunReport["certification"]
  >;
  const md = renderSummary({ version: 1, kind: "certify", tool, certification });
  // Nothing ran: not a pass.
  assert.match(md, /^# leasecheck certify: not certified\n/);
  assert.match(md, /^\*\*not certified\*\* — model\[C-16\] not certified: there was no scenario/m);
  assert.match(md, /^## Certification of `model\[C-16\]`/m);
  assert.match(md, /^### Conformance per fact/m);
});

Deno.test("buildFactCoverage() lists known, reached and cited facts in fact order", () => {
  const rows = buildFactCoverage(["QC-10", "QC-2"], { "INV-L1": 4 }, [
    { name: "a", facts: ["QC-2", "NK-NEW-1"] },
    { name: "b", facts: ["QC-2"] },
  ]);
  assert.deepEqual(rows, [
    { id: "INV-L1", reached: 4, scenarios: [] },
    { id: "NK-NEW-1", reached: 0, scenarios: ["a"] },
    { id: "QC-2", reached: 0, scenarios: ["a", "b"] },
    { id: "QC-10", reached: 0, scenarios: [] },
  ]);
});

Deno.test("writeRunReport() adds extra files atomically and refuses unsafe names", async () => {
  const parent = await Deno.makeTempDir();
  try {
    await writeRunReport(`${parent}/cert`, mixedRun(), {
      bundle: BUNDLE,
      extraFiles: { "report.ktap": "KTAP version 1\n1..0\n", "junit.xml": "<testsuites/>" },
    });
    assert.deepEqual(await listDir(`${parent}/cert`), [
      REPORT_MARKER,
      "index.html",
      "junit.xml",
      "report.ktap",
      "result.json",
      "summary.md",
    ]);
    for (const name of ["../x", "summary.md", ".hidden", "a/b"]) {
      await assert.rejects(
        () =>
          writeRunReport(`${parent}/bad`, mixedRun(), {
            bundle: BUNDLE,
            extraFiles: { [name]: "" },
          }),
        /Cannot write extra report file/,
      );
    }
    assert.deepEqual(await listDir(parent), ["cert"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

/** A stand-in for a source folder: what `--out reports --force` once deleted. */
async function sourceFolder(dir: string): Promise<void> {
  await Deno.mkdir(`${dir}/viewer`, { recursive: true });
  await Deno.writeTextFile(`${dir}/report_folder.ts`, "export {};\n");
  await Deno.writeTextFile(`${dir}/viewer/app.ts`, "export {};\n");
}

Deno.test("writeRunReport() with force replaces only a folder leasecheck wrote, never anything else", async () => {
  const parent = await Deno.makeTempDir();
  try {
    // A source folder: no marker. Refused, untouched.
    await sourceFolder(`${parent}/reports`);
    await assert.rejects(
      () => writeRunReport(`${parent}/reports`, mixedRun(), { bundle: BUNDLE, force: true }),
      (e: unknown) =>
        e instanceof ReportFolderError && e.code === "LC-REPORT-NOT-OURS" &&
        /^Refusing to replace .*\/reports: it is not a report folder leasecheck wrote \(it has no \.leasecheck-report marker\)/
          .test(e.message),
    );
    assert.deepEqual(await listDir(`${parent}/reports`), ["report_folder.ts", "viewer"]);
    assert.equal(await Deno.readTextFile(`${parent}/reports/viewer/app.ts`), "export {};\n");
    // A report folder of ours to which someone added a file: refused, untouched.
    await writeRunReport(`${parent}/run`, mixedRun(), { bundle: BUNDLE });
    await Deno.writeTextFile(`${parent}/run/notes.txt`, "mine");
    await Deno.mkdir(`${parent}/run/more`);
    await assert.rejects(
      () => writeRunReport(`${parent}/run`, mixedRun(), { bundle: BUNDLE, force: true }),
      /Refusing to replace .*\/run: it holds files leasecheck did not write \(more\/, notes\.txt\)/,
    );
    assert.equal(await Deno.readTextFile(`${parent}/run/notes.txt`), "mine");
    // A marker that is not ours (someone's file of that name) does not count.
    await Deno.writeTextFile(`${parent}/reports/${REPORT_MARKER}`, "not JSON");
    await assert.rejects(
      () => writeRunReport(`${parent}/reports`, mixedRun(), { bundle: BUNDLE, force: true }),
      /not a report folder leasecheck wrote/,
    );
    // A symbolic link, even to a report folder of ours: refused.
    await Deno.remove(`${parent}/run/notes.txt`);
    await Deno.remove(`${parent}/run/more`);
    // (Deno.symlink needs unscoped permissions; the test task grants --allow-run.)
    const ln = await new Deno.Command("ln", { args: ["-s", `${parent}/run`, `${parent}/link`] })
      .output();
    assert.ok(ln.success, new TextDecoder().decode(ln.stderr));
    await assert.rejects(
      () => writeRunReport(`${parent}/link`, mixedRun(), { bundle: BUNDLE, force: true }),
      /Refusing to write the report to .*\/link: it is a symbolic link/,
    );
    // The report folder of ours, as it was written: replaced.
    await writeRunReport(`${parent}/run`, mixedRun(), { bundle: "second", force: true });
    assert.match(await Deno.readTextFile(`${parent}/run/index.html`), /second/);
    assert.deepEqual(await listDir(parent), ["link", "reports", "run"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("checkReportFolder() refuses, before any work, what writeRunReport() would refuse", async () => {
  const parent = await Deno.makeTempDir();
  try {
    await sourceFolder(`${parent}/src`);
    await Deno.writeTextFile(`${parent}/file`, "x");
    const cases: [string, boolean, RegExp][] = [
      ["", false, /: The report folder name is empty/],
      ["  ", true, /: The report folder name is empty/],
      [`${parent}/src`, false, /exists already and is not empty/],
      [`${parent}/src`, true, /it is not a report folder leasecheck wrote/],
      [`${parent}/file`, true, /it is a file, not a folder/],
    ];
    for (const [dir, force, message] of cases) {
      await assert.rejects(() => checkReportFolder(dir, { force }), message, `${dir} ${force}`);
    }
    assert.equal(await checkReportFolder(`${parent}/new/run/`), `${parent}/new/run`);
    assert.deepEqual(await listDir(`${parent}/new`), [], "the probe leaves nothing behind");
    assert.deepEqual(await listDir(parent), ["file", "new", "src"]);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
