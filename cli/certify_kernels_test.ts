/**
 * The kernel matrix without kernels: the model and a mutant stand in for two kernel versions
 * (`open` is the test seam), so the matrix, its differences and its report files are checked
 * end to end. Writes report folders under a temporary directory.
 */
import assert from "node:assert/strict";
import type { KernelBuild } from "../kernel/vm.ts";
import type { CertificationMatrix } from "../reports/certification.ts";
import {
  ImplementationFailedError,
  ImplementationUnavailableError,
  loadDeviations,
} from "../scenarios/certify.ts";
import { loadScenarios } from "../scenarios/load.ts";
import { openAdapter } from "./adapters.ts";
import { certifyKernelMatrix, chooseKernels, KernelSelectionError } from "./certify_kernels.ts";
import { certifyMain } from "./certify.ts";

const CASES = new URL("../scenarios/cases", import.meta.url).pathname;
const corpus = await loadScenarios([CASES]);

function build(version: string): KernelBuild {
  const key = `linux-source-7.x-${version.replaceAll("~", "_")}`;
  return {
    key,
    dir: `/nonexistent/${key}`,
    paths: { kernel: "", initramfs: "", src: "" },
    origin: "debian",
    series: version.split(".").slice(0, 2).join("."),
    version,
  };
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "leasecheck-matrix-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("certifyKernelMatrix: a version that differs is named, per scenario, in every report file", async () => {
  await inTemp(async (dir) => {
    const lines: string[] = [];
    let ktap = "";
    const impls: Record<string, string> = { "7.2.13-1": "model", "7.3.4-1~bpo13+1": "mutant:C-16" };
    const code = await certifyKernelMatrix({
      builds: [build("7.2.13-1"), build("7.3.4-1~bpo13+1")],
      scenarios: corpus,
      out: `${dir}/m`,
      quiet: true,
      deviations: await loadDeviations(
        new URL("../kernel/known-deviations.json", import.meta.url).pathname,
        corpus,
      ),
      toolVersion: "test",
      open: (b) => openAdapter(impls[b.version]),
      log: (l) => lines.push(l),
      print: (t) => ktap = t,
    });
    assert.equal(code, 1, "the mutant column fails");
    const doc = JSON.parse(await Deno.readTextFile(`${dir}/m/result.json`));
    const m = doc.matrix as CertificationMatrix;
    assert.deepEqual(m.columns.map((c) => c.label), ["7.2.13-1", "7.3.4-1~bpo13+1"]);
    assert.equal(m.rows.length, corpus.length);
    const differing = m.rows.filter((r) => r.differs === "verdict");
    const failing = m.columns[1].certification.scenarios.filter((s) => s.verdict === "fail");
    assert.ok(failing.length > 0);
    // Every scenario the mutant fails (and the model passes) is a difference, and only those.
    assert.deepEqual(differing.map((r) => r.name).sort(), failing.map((s) => s.name).sort());
    for (const r of differing) {
      assert.equal(r.cells[0].verdict, "pass");
      assert.equal(r.cells[1].verdict, "fail");
      assert.match(
        r.cells[1].detail ?? "",
        r.name.startsWith("race_")
          ? /repetitions had an outcome the model does not allow/
          : /^step_\d+_/,
      );
    }
    const summary = await Deno.readTextFile(`${dir}/m/summary.md`);
    assert.match(summary, /## Differences between the versions/);
    assert.ok(summary.includes(`| **${differing[0].name}** | **✔ pass** | **✘ FAIL** | verdict |`));
    assert.match(summary, /## Failures on 7\.3\.4-1~bpo13\+1/);
    assert.ok(ktap.startsWith("KTAP version 1\n1..2\n"));
    assert.ok(ktap.includes("\nok 1 7.2.13-1\n") && ktap.includes("\nnot ok 2 7.3.4-1~bpo13+1\n"));
    assert.equal(await Deno.readTextFile(`${dir}/m/report.ktap`), ktap + "\n");
    const junit = await Deno.readTextFile(`${dir}/m/junit.xml`);
    assert.equal(junit.match(/<testsuite /g)?.length, 2);
    assert.match(junit, /<testsuite name="certify model\[C-16\]\[7\.3\.4-1~bpo13\+1\]"/);
    assert.match(await Deno.readTextFile(`${dir}/m/index.html`), /"matrix":/);
    const last = lines.at(-1) ?? "";
    assert.match(
      last,
      new RegExp(
        `^certify model: does not conform on 2 kernels \\(7\\.2\\.13-1 conforms, ` +
          `7\\.3\\.4-1~bpo13\\+1 does not conform\\); \\d+ passed, ${failing.length} failed, ` +
          `0 known deviations, \\d+ skipped; ${differing.length} of ${corpus.length} scenarios ` +
          `differ between them; report in ${dir}/m/$`,
      ),
    );
  });
});

Deno.test("certifyKernelMatrix: identical versions differ nowhere; one that cannot run is not certified, one that fails its hello does not conform", async () => {
  await inTemp(async (dir) => {
    const lines: string[] = [];
    const run = (name: string, open: (b: KernelBuild) => ReturnType<typeof openAdapter>) =>
      certifyKernelMatrix({
        builds: [build("7.2.13-1"), build("7.3.4-1")],
        scenarios: corpus,
        out: `${dir}/${name}`,
        quiet: true,
        toolVersion: "test",
        open,
        log: (l) => lines.push(l),
        print: () => {},
      });
    assert.equal(await run("same", () => openAdapter("model")), 0);
    const summary = await Deno.readTextFile(`${dir}/same/summary.md`);
    assert.ok(
      summary.includes(
        `None: every one of the ${corpus.length} scenarios has the same outcome on every version.`,
      ),
    );
    assert.match(
      lines.at(-1) ?? "",
      new RegExp(
        `^certify model: conforms on 2 kernels \\(7\\.2\\.13-1 conforms, 7\\.3\\.4-1 conforms\\); ` +
          `.*; 0 of ${corpus.length} scenarios differ between them;`,
      ),
    );

    const failing = (error: Error) => (b: KernelBuild) =>
      b.version === "7.3.4-1" ? Promise.reject(error) : openAdapter("model");
    const skipped = await run(
      "unavailable",
      failing(new ImplementationUnavailableError("the kernel VM did not start")),
    );
    assert.equal(skipped, 4, "a version that cannot run here is not certified (exit 4)");
    let m = JSON.parse(await Deno.readTextFile(`${dir}/unavailable/result.json`))
      .matrix as CertificationMatrix;
    assert.ok(m.rows.every((r) => r.cells[1].verdict === "skip" && r.differs !== null));
    assert.equal(m.rows[0].cells[1].detail, "the kernel VM did not start");
    assert.equal(m.columns[1].certification.profile.verdict, "not-certified");

    const broke = await run(
      "failed",
      failing(new ImplementationFailedError("the agent sent no hello within 30 s")),
    );
    assert.equal(broke, 1, "a version whose agent fails before any scenario does not conform");
    m = JSON.parse(await Deno.readTextFile(`${dir}/failed/result.json`))
      .matrix as CertificationMatrix;
    assert.ok(m.rows.every((r) => r.cells[1].verdict === "error" && r.differs === "verdict"));
    assert.equal(m.columns[1].certification.profile.verdict, "does-not-conform");
  });
});

Deno.test("chooseKernels and certify: kernel flags that do not fit are usage errors (exit 2), unbuilt kernels skips (exit 4)", async () => {
  const cache = await Deno.makeTempDir({ prefix: "leasecheck-cache-" });
  try {
    const bad = async (impl: string, flags: Record<string, string>, re: RegExp) =>
      await assert.rejects(
        chooseKernels(impl, flags, { cache }),
        (e: unknown) => e instanceof KernelSelectionError && !e.notBuilt && re.test(e.message),
      );
    await bad("model", { kernel: "all" }, /^--kernel is only for --impl kernel-vm$/);
    await bad("kernel-vm", { kernel: "all", kernelVersion: "7.3" }, /exclude each other/);
    await bad("kernel-vm", { kernel: "/boot/bzImage", kernelTree: "/src" }, /cannot be combined/);
    assert.equal(
      await chooseKernels("kernel-vm", { kernel: "/boot/bzImage" }, { cache }),
      undefined,
    );
    await assert.rejects(
      chooseKernels("kernel-vm", { kernelVersion: "7.3" }, { cache }),
      (e: unknown) => e instanceof KernelSelectionError && e.notBuilt,
    );
    const errors: string[] = [];
    const error = console.error;
    const saved = Deno.env.get("LEASECHECK_CACHE");
    console.error = (m: string) => errors.push(m);
    Deno.env.set("LEASECHECK_CACHE", cache);
    try {
      // For the model --kernel-version is the version it answers for: one before 7.1 is refused.
      assert.equal(await certifyMain(["--impl", "model", "--kernel-version", "6.18"]), 2);
      assert.equal(
        errors.at(-1),
        'certify: --kernel-version: kernel "6.18": older than the leasing feature (the model ' +
          "covers >=7.1)",
      );
      assert.equal(await certifyMain(["--impl", "model", "--kernel-tree", "/nonexistent"]), 2);
      assert.equal(errors.at(-1), "certify: --kernel-tree is only for --impl kernel-vm");
      assert.equal(await certifyMain(["--impl", "kernel-vm", "--kernel-version", "7.3"]), 4);
      assert.equal(
        errors.at(-1),
        "certify: SKIP: no build of Linux 7.3 (built: none): run kernel/prepare.sh --kernel 7.3",
      );
      assert.equal(await certifyMain(["--impl", "kernel-vm", "--kernel-version", "7.3,"]), 2);
    } finally {
      console.error = error;
      if (saved === undefined) Deno.env.delete("LEASECHECK_CACHE");
      else Deno.env.set("LEASECHECK_CACHE", saved);
    }
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("certifyKernelMatrix with jobs: 2 runs both versions at once and keeps the builds' order", async () => {
  await inTemp(async (dir) => {
    let running = 0;
    let most = 0;
    const impls: Record<string, string> = { "7.2.13-1": "mutant:C-16", "7.3.4-1~bpo13+1": "model" };
    const code = await certifyKernelMatrix({
      builds: [build("7.2.13-1"), build("7.3.4-1~bpo13+1")],
      scenarios: corpus,
      out: `${dir}/m`,
      quiet: true,
      toolVersion: "test",
      jobs: 2,
      open: async (b) => {
        running++;
        most = Math.max(most, running);
        // Both are open before either finishes: the second opens while the first waits here.
        await new Promise((r) => setTimeout(r, 20));
        const opened = await openAdapter(impls[b.version]);
        const close = opened.close.bind(opened);
        return Object.assign(opened, {
          close: async () => {
            running--;
            await close();
          },
        });
      },
      log: () => {},
      print: () => {},
    });
    assert.equal(code, 1);
    assert.equal(most, 2);
    const result = JSON.parse(await Deno.readTextFile(`${dir}/m/result.json`));
    const labels = JSON.stringify(result).match(/7\.[23]\.[0-9.]+-1[~a-z0-9+]*/g) ?? [];
    assert.equal(labels[0], "7.2.13-1", "the first column is the first build");
  });
});
