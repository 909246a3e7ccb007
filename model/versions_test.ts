import assert from "node:assert/strict";
import { loadFacts } from "../spec/facts.ts";
import { type ModelConfig, NAMED_CONFIGS } from "./config.ts";
import { leasingSpec } from "./spec.ts";
import { explore } from "../checker/explore.ts";
import {
  DEFAULT_KERNEL,
  kernelHas,
  validateKernel,
  VERSIONED_FACTS,
  type VersionedFactId,
} from "./versions.ts";

Deno.test("every version-dependent fact of the model has the fact base's range", () => {
  const base = loadFacts();
  for (const [id, fact] of Object.entries(VERSIONED_FACTS)) {
    assert.equal(base.get(id)?.versions, fact.range, id);
  }
});

Deno.test("kernelHas() answers by version, with the newest certified kernel by default", () => {
  assert.equal(DEFAULT_KERNEL, "7.3.4");
  const on = (kernel: string) =>
    (Object.keys(VERSIONED_FACTS) as VersionedFactId[]).filter((id) => kernelHas(kernel, id));
  assert.deepEqual(on("7.1"), ["MP-U2", "QG-M5", "DM-12"]);
  assert.deepEqual(on("7.1.5"), ["MP-U3", "QG-M5", "DM-12"]);
  assert.deepEqual(on("7.2.13"), ["MP-U3", "QG-M4", "DM-7b", "DM-9", "DM-12"]);
  assert.deepEqual(on("7.3.4-1~bpo13+1"), ["MP-U3", "QG-M4", "DM-7b", "DM-9", "DM-10", "DM-11"]);
  assert.deepEqual(on(DEFAULT_KERNEL), on("7.3.4"));
});

Deno.test("validateKernel() refuses what is not a version, and kernels before the feature", () => {
  assert.equal(validateKernel("7.2"), "7.2");
  assert.throws(() => validateKernel("seven"), /kernel "seven": a kernel version is MAJOR/);
  assert.throws(() => validateKernel("7.0.9"), /older than the leasing feature/);
  assert.throws(
    () => leasingSpec({ ...NAMED_CONFIGS.default, kernel: "6.18" }),
    /Invalid model config field "kernel"/,
  );
});

Deno.test("the CVE-2026-74285 order: INV-T3 fails on 7.1.4 and holds on 7.1.5 (MP-U2, MP-U3)", () => {
  const config: ModelConfig = {
    ...NAMED_CONFIGS.mlx5,
    operations: ["queue-create", "zcrx-register", "dellink"],
    concurrency: 2,
  };
  const old = explore(leasingSpec({ ...config, kernel: "7.1.4" }));
  assert.equal(old.verdict, "violation");
  assert.equal(old.violations[0].name, "INV-T3");
  assert.equal(explore(leasingSpec({ ...config, kernel: "7.1.5" })).verdict, "ok");
});
