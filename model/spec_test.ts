import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { renderTrace } from "../reports/text.ts";
import { DEFAULT_CONFIG, EXPLORED_OPERATIONS, SELFTEST_CONFIG } from "./config.ts";
import { MUTANT_CONFIGS } from "./kill_table.ts";
import { leasingSpec } from "./spec.ts";

Deno.test({
  name: "leasingSpec() on the selftest config explores the same atomic space as before stepping",
  timeout: 120_000,
  fn: () => {
    const r = explore(leasingSpec(SELFTEST_CONFIG));
    assert.deepEqual(r.violations.map((v) => v.name), []);
    assert.equal(r.verdict, "ok");
    assert.equal(r.stats.distinct, 22_640);
    // 576,714 before CHANGELINK's accepted no-op change joined the requests, 594,230 before
    // bind-tx did (the same states: on netdevsim bind-tx only fails).
    assert.equal(r.stats.generated, 602_470);
  },
});

Deno.test("DEFAULT_CONFIG has every explored operation, two namespaces, a NIC, a single and a pair netkit, two in-flight operations", () => {
  assert.deepEqual([...DEFAULT_CONFIG.operations], [...EXPLORED_OPERATIONS]);
  assert.equal(DEFAULT_CONFIG.namespaces.length, 2);
  assert.ok(DEFAULT_CONFIG.physical.length >= 1);
  assert.deepEqual(DEFAULT_CONFIG.netkits.map((k) => k.pairing).sort(), ["pair", "single"]);
  assert.ok(DEFAULT_CONFIG.concurrency >= 2);
});

for (
  const name of [
    "stepped-delete",
    "stepped-mlx5",
    "stepped-move",
    "stepped-create",
    "stepped-changelink",
    "stepped-netns-delete",
  ] as const
) {
  Deno.test(`leasingSpec() with concurrency 2 (${name}) explores without a violation and sees the lock order rtnl -> virtual -> physical`, () => {
    const r = explore(leasingSpec(MUTANT_CONFIGS[name]));
    const v = r.violations[0];
    assert.equal(r.verdict, "ok", v && "trace" in v ? renderTrace(v.trace) : JSON.stringify(v));
    const edges = (r.lockOrder ?? []).map((e) => `${e.from}->${e.to}`);
    assert.ok(edges.includes("netdev:virtual->netdev:physical"), edges.join(" "));
    assert.ok(!edges.includes("netdev:physical->netdev:virtual"), edges.join(" "));
  });
}

Deno.test("leasingSpec() builds one action per enabled operation, plus step when concurrent", () => {
  assert.deepEqual(
    leasingSpec({ ...SELFTEST_CONFIG, operations: ["queue-create", "link-set"] }).actions.map((
      a,
    ) => a.name),
    ["queue-create", "link-set"],
  );
  const stepped = leasingSpec({ ...SELFTEST_CONFIG, operations: ["queue-create"], concurrency: 2 });
  assert.deepEqual(stepped.actions.map((a) => a.name), ["queue-create", "step"]);
  assert.deepEqual(stepped.processNames, ["proc0", "proc1", "(leaked)"]);
  assert.ok(stepped.locks !== undefined && stepped.canonicalize !== undefined);
});
