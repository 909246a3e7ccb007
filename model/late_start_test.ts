/**
 * The late-start reduction (process.ts `startProc`) is safe: on every configuration a mutant of
 * the catalogue is checked in with two operations in flight, the verdict with it off is the
 * verdict with it on — the same invariant, property, deadlock or lock-order cycle for each
 * mutant, and none for the correct model — while it explores fewer states.
 */
import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { MUTANT_CHECKS, MUTANT_CONFIGS } from "./kill_table.ts";
import type { MutantId } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";

const verdictOf = (config: Parameters<typeof leasingSpec>[0]) => {
  const r = explore(leasingSpec(config));
  const v = r.violations[0];
  return { verdict: r.verdict, name: v?.name ?? null, states: r.stats.distinct };
};

for (const [name, config] of Object.entries(MUTANT_CONFIGS)) {
  if (config.concurrency < 2) continue;
  Deno.test(`late start off changes no verdict in ${name}, and on explores no more states`, () => {
    const on = verdictOf(config);
    const off = verdictOf({ ...config, lateStart: false });
    assert.equal(off.verdict, "ok");
    assert.equal(on.verdict, "ok");
    assert.ok(on.states <= off.states, `${on.states} states on, ${off.states} off`);
    // Where requests take no reference before their first lock (bind-rx, zcrx-register and
    // xsk-bind through stepped-mlx5's lease; dellink's RTNL), it saves states.
    if (name === "stepped-mlx5" || name === "stepped-delete") {
      assert.ok(on.states < off.states, `${on.states} states on, ${off.states} off`);
    }
    for (const [id, check] of Object.entries(MUTANT_CHECKS)) {
      if (check.configName !== name) continue;
      const mutant = id as MutantId;
      const a = verdictOf({ ...config, mutant });
      const b = verdictOf({ ...config, mutant, lateStart: false });
      assert.deepEqual([b.verdict, b.name], [a.verdict, a.name], id);
    }
  });
}
