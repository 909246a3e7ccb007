import assert from "node:assert/strict";
import { loadScenarios, ScenarioFileError } from "./load.ts";

async function ln(target: string, link: string): Promise<void> {
  // Deno.symlink needs unscoped permissions; the test task grants --allow-run.
  const out = await new Deno.Command("ln", { args: ["-s", target, link] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

Deno.test("loadScenarios() names a path in a symbolic link loop instead of throwing the system's error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await ln(`${dir}/b`, `${dir}/a`);
    await ln(`${dir}/a`, `${dir}/b`);
    await assert.rejects(
      () => loadScenarios([`${dir}/a`]),
      (e: unknown) =>
        e instanceof ScenarioFileError && e.path === `${dir}/a` &&
        e.message === `Cannot read scenarios from ${dir}/a: Too many levels of symbolic links`,
    );
    // Inside a folder: a looping .yaml link is named too.
    await ln(`${dir}/y.yaml`, `${dir}/x.yaml`);
    await ln(`${dir}/x.yaml`, `${dir}/y.yaml`);
    await assert.rejects(
      () => loadScenarios([dir]),
      new RegExp(
        `Cannot read scenarios from ${dir}/[xy]\\.yaml: Too many levels of symbolic links`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadScenarios() follows links to scenario files, reads an empty folder as none, names a missing path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await loadScenarios([dir]), []);
    const cases = new URL("./cases", import.meta.url).pathname;
    await ln(`${cases}/nk_qlease_test_double_lease.yaml`, `${dir}/linked.yaml`);
    const loaded = await loadScenarios([dir]);
    assert.deepEqual(loaded.map((s) => s.name), ["nk_qlease_test_double_lease"]);
    await assert.rejects(
      () => loadScenarios([`${dir}/missing`]),
      new RegExp(
        `ScenarioFileError: Cannot read scenarios from ${dir}/missing: no such file or folder`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
