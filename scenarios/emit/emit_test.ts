import assert from "node:assert/strict";
import { explore } from "../../checker/explore.ts";
import { leasingSpec } from "../../model/spec.ts";
import { parseScenario } from "../parse.ts";
import { ATOMIC, checkMutant, withTempDir } from "./_test_util.ts";
import {
  EmitError,
  emitForRun,
  emitViolation,
  reproduceCommand,
  violationName,
  writeNewFile,
} from "./emit.ts";

Deno.test("emitViolation() writes <name>.yaml and <name>.itf.json for a counterexample", async () => {
  const { config, result, violation } = checkMutant("C-06");
  await withTempDir((dir) => {
    const r = emitViolation(result, violation, config, dir, { timestamp: 0 });
    assert.equal(r.scenarioFile, `${dir}/cex_c-06_inv-l9.yaml`);
    assert.equal(r.itfFile, `${dir}/cex_c-06_inv-l9.itf.json`);
    const parsed = parseScenario(r.scenario.yaml, "cex_c-06_inv-l9.yaml");
    assert.equal(parsed.name, "cex_c-06_inv-l9");
    assert.equal(
      parsed.source,
      `deno task check --spec leasing --param mutant=C-06 --replay ${
        violation.kind === "invariant" ? violation.trace.token : ""
      }`,
    );
    assert.match(parsed.description, /invariant INV-L9/);
    assert.deepEqual(parsed.facts.slice(0, 2), ["INV-L9", "C-06"]);
  });
});

Deno.test("emitViolation() never overwrites: it names the file and leaves nothing half-written", async () => {
  const { config, result, violation } = checkMutant("C-06");
  await withTempDir((dir) => {
    Deno.writeTextFileSync(`${dir}/cex_c-06_inv-l9.itf.json`, "{}");
    assert.throws(
      () => emitViolation(result, violation, config, dir),
      (e: unknown) =>
        e instanceof EmitError && e.file === `${dir}/cex_c-06_inv-l9.itf.json` &&
        e.message.includes("already exists"),
    );
    // The scenario written first was removed again: a second attempt fails the same way.
    assert.throws(() => emitViolation(result, violation, config, dir), EmitError);
    writeNewFile(`${dir}/cex_c-06_inv-l9.yaml`, "x");
    assert.throws(() => writeNewFile(`${dir}/cex_c-06_inv-l9.yaml`, "y"), /cex_c-06_inv-l9\.yaml/);
  });
});

Deno.test("emitForRun() writes every violation of a run, and nothing else", async () => {
  const config = { ...ATOMIC, mutant: "C-02" as const };
  const result = explore(leasingSpec(config), { continueAfterViolation: true, maxStates: 20_000 });
  assert.ok(result.violations.length >= 1);
  await withTempDir((dir) => {
    const files = emitForRun(result, config, dir, { covering: true });
    assert.equal(files.length, 2 * result.violations.length);
    assert.ok(files.every((f) => f.endsWith(".yaml") || f.endsWith(".itf.json")));
    assert.equal(new Set(files).size, files.length);
  });
});

Deno.test("emitForRun() writes the covering set for a run without violations", async () => {
  const config = { ...ATOMIC, operations: ["queue-create", "link-set"] as const };
  const result = explore(leasingSpec(config));
  assert.equal(result.violations.length, 0);
  await withTempDir((dir) => {
    assert.deepEqual(emitForRun(result, config, dir, { covering: false }), []);
    const files = emitForRun(result, config, dir, { covering: true });
    assert.ok(files.length >= 5);
    assert.ok(files.every((f) => f.startsWith(`${dir}/cover_`) && f.endsWith(".yaml")));
  });
});

Deno.test("reproduceCommand() and violationName() name the run's parameters", () => {
  assert.equal(
    reproduceCommand({ mutant: "C-02", netkitCreations: 1 }, "1AB"),
    "deno task check --spec leasing --param mutant=C-02 --param creations=1 --replay 1AB",
  );
  const { violation } = checkMutant("C-02");
  assert.equal(violationName({ mutant: null }, violation), "cex_model_inv-l1");
});
