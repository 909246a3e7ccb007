import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { renderTrace } from "../reports/text.ts";
import { differentialSpec } from "./differential.ts";
import { killTable, MUTANT_CHECKS, MUTANT_CONFIGS, renderKillTable } from "./kill_table.ts";
import { MUTANTS } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";

Deno.test({
  name: "killTable() catches every implemented observable mutant, and no equivalent one",
  timeout: 120_000,
  fn: () => {
    const rows = killTable();
    const implemented = MUTANTS.filter((m) => m.implemented).map((m) => m.id);
    assert.deepEqual(rows.map((r) => r.id), implemented);
    for (const r of rows) {
      if (r.equivalent) assert.equal(r.caughtBy, null, `${r.id} is documented equivalent`);
      else assert.ok(r.caughtBy !== null, `${r.id} (${r.mutation}) is not caught`);
    }
    assert.match(renderKillTable(rows), /\| C-02 \|.*\| invariant INV-L1 \| 2 \|/);
  },
});

Deno.test("every mutant not implemented says why", () => {
  for (const m of MUTANTS) {
    if (!m.implemented) assert.ok(m.note, `${m.id} needs a note`);
    if (m.implemented) assert.ok(MUTANT_CHECKS[m.id], `${m.id} needs a check`);
  }
});

for (const [name, config] of Object.entries(MUTANT_CONFIGS)) {
  if (name === "selftest") continue; // spec_test.ts explores it
  Deno.test(`leasingSpec() without a mutant has no violation in mutant config ${name}`, () => {
    const r = explore(leasingSpec(config));
    const v = r.violations[0];
    assert.equal(r.verdict, "ok", v && "trace" in v ? renderTrace(v.trace) : JSON.stringify(v));
  });
}

Deno.test("differentialSpec() catches C-18 with a one-step trace naming both replies (REPLY-EQ)", () => {
  const r = explore(differentialSpec(MUTANT_CONFIGS.selftest, "C-18"));
  const v = r.violations[0];
  assert.equal(v?.name, "REPLY-EQ");
  assert.ok(v && "trace" in v && v.trace.steps.length === 2);
  const last = v && "trace" in v ? v.trace.steps[1].state : undefined;
  assert.match(last?.mismatch ?? "", /the model answers \{"id":1\}, the mutant \{"id":2\}/);
});
