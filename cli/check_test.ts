import assert from "node:assert/strict";
import { UsageError } from "../checker/registry.ts";
import { REPORT_MARKER } from "../reports/report_folder.ts";
import { checkMain } from "./check.ts";

/** Runs `check` in process and captures what it prints (usage errors as exit code 2). */
async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await checkMain(args).catch((e) => {
      if (!(e instanceof UsageError)) throw e;
      err.push(`error: ${e.message}`);
      return 2;
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

async function withTmp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "check-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("check refuses a taken --out before exploring, so a violation keeps its exit code", async () => {
  await withTmp(async (tmp) => {
    const first = await run("--spec", "die-hard", "--quiet", "--out", `${tmp}/r`);
    assert.equal(first.code, 10, first.err);
    const taken = await run("--spec", "die-hard", "--quiet", "--out", `${tmp}/r`);
    assert.equal(taken.code, 2);
    assert.equal(
      taken.err,
      `error: Report folder ${tmp}/r exists already and is not empty (use --force to replace it, or --out to choose another folder)`,
    );
    assert.doesNotMatch(taken.err, /NotSolved/, "refused before exploring");
    // A report folder check wrote is replaced with --force; the violation's code stands.
    const forced = await run("--spec", "die-hard", "--quiet", "--out", `${tmp}/r`, "--force");
    assert.equal(forced.code, 10, forced.err);
    assert.ok((await Deno.stat(`${tmp}/r/${REPORT_MARKER}`)).isFile);
  });
});

Deno.test("check --out SOURCE --force never deletes a folder leasecheck did not write", async () => {
  await withTmp(async (tmp) => {
    // What `check --out reports --force` once deleted: the project's own reports/ folder.
    await Deno.mkdir(`${tmp}/reports/viewer`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/reports/report_folder.ts`, "export {};\n");
    await Deno.writeTextFile(`${tmp}/reports/viewer/app.ts`, "export {};\n");
    const r = await run("--spec", "die-hard", "--quiet", "--out", `${tmp}/reports`, "--force");
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      `error: Refusing to replace ${tmp}/reports: it is not a report folder leasecheck wrote (it has no ${REPORT_MARKER} marker); remove it yourself or choose another --out`,
    );
    assert.equal(await Deno.readTextFile(`${tmp}/reports/viewer/app.ts`), "export {};\n");
    assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), ["reports"]);
    const file = await run(
      "--spec",
      "die-hard",
      "--quiet",
      "--out",
      `${tmp}/reports/report_folder.ts`,
      "--force",
    );
    assert.equal(file.code, 2);
    assert.match(file.err, /it is a file, not a folder$/);
    const empty = await run("--spec", "die-hard", "--quiet", "--out", "");
    assert.equal(empty.code, 2);
    assert.match(empty.err, /^error: The report folder name is empty/);
  });
});

Deno.test("simulate exits 14 (incomplete) when its time budget cut it short, 0 when every walk ran", async () => {
  const cut = await run(
    "simulate",
    "--spec",
    "lock-order",
    "--param",
    "n=8",
    "--param",
    "k=5",
    "--walks",
    "100000000",
    "--time-budget",
    "0.3",
    "--quiet",
    "--no-report",
  );
  assert.equal(cut.code, 14, cut.err);
  assert.match(cut.err, /stopped: ran out of the time budget after \d+ of 100000000 walks/);
  const all = await run(
    "simulate",
    "--spec",
    "lock-order",
    "--walks",
    "20",
    "--time-budget",
    "60",
    "--quiet",
    "--no-report",
  );
  assert.equal(all.code, 0, all.err);
});
