import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";
import { buildReport } from "../scenarios/certification.ts";
import {
  buildFactCoverage,
  renderSummary,
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

Deno.test("writeRunReport() writes summary.md, result.json and index.html and nothing else", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const written = await writeRunReport(`${parent}/run/`, mixedRun(), { bundle: BUNDLE });
    assert.equal(written.dir, `${parent}/run`);
    assert.deepEqual(await listDir(parent), ["run"]);
    assert.deepEqual(await listDir(`${parent}/run`), ["index.html", "result.json", "summary.md"]);
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
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/summary.md`, "previous run");
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
    assert.equal(await Deno.readTextFile(`${dir}/summary.md`), "previous run");
    await writeRunReport(dir, mixedRun(), { bundle: BUNDLE, force: true });
    assert.deepEqual(await listDir(dir), ["index.html", "result.json", "summary.md"]);
    assert.notEqual(await Deno.readTextFile(`${dir}/summary.md`), "previous run");
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
    assert.equal((await listDir(`${parent}/empty`)).length, 3);
    await Deno.writeTextFile(`${parent}/file`, "x");
    await assert.rejects(
      () => writeRunReport(`${parent}/file`, mixedRun(), { bundle: BUNDLE }),
      ReportFolderExistsError,
    );
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

Deno.test("renderSummary() includes a certification's Markdown one heading level down", () => {
  const certification = toJsonValue(buildReport("model[C-16]", new Date(0), 5, [])) as NonNullable<
    RunReport["certification"]
  >;
  const md = renderSummary({ version: 1, kind: "certify", tool, certification });
  assert.match(md, /^# leasecheck certify: conforms/);
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
