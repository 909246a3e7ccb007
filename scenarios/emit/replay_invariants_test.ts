import assert from "node:assert/strict";
import type { MutantId } from "../../model/mutants.ts";
import { ModelAdapter } from "../model_adapter.ts";
import { parseScenario } from "../parse.ts";
import { replayScenario } from "../replay.ts";
import { checkMutant } from "./_test_util.ts";
import { checkInvariantsAfterReplay } from "./replay_invariants.ts";
import { scenarioOfTrace } from "./scenario_of_trace.ts";

const CASES: readonly [MutantId, "invariant" | "property", string][] = [
  ["C-02", "invariant", "INV-L1"],
  ["C-06", "invariant", "INV-L9"],
  ["C-16", "invariant", "INV-V2"],
  ["C-09", "invariant", "INV-R1"],
  ["C-25", "property", "INV-N3"],
  ["C-30", "property", "INV-M3"],
];

for (const [mutant, kind, invariant] of CASES) {
  Deno.test(`checkInvariantsAfterReplay() ends a ${mutant} counterexample in ${invariant}`, async () => {
    const { config, violation } = checkMutant(mutant);
    assert.equal(violation.kind, kind);
    assert.equal(violation.name, invariant);
    if (violation.kind !== "invariant" && violation.kind !== "property") return;
    const s = scenarioOfTrace(config, violation.trace, { name: `cex_${mutant}` });
    const parsed = parseScenario(s.yaml, `cex_${mutant}.yaml`);
    // On the mutant: the same invariant or property breaks, at the last step.
    const onMutant = checkInvariantsAfterReplay(parsed, { mutant });
    assert.deepEqual(onMutant.violation, {
      kind,
      name: invariant,
      step: parsed.steps.length - 1,
    });
    // On the correct model: nothing breaks, and the model adapter agrees with every step.
    assert.equal(checkInvariantsAfterReplay(parsed).violation, undefined);
    const ok = await replayScenario(parsed, new ModelAdapter());
    assert.equal(ok.verdict, "pass", JSON.stringify(ok.steps.map((r) => r.diff)));
    // On the mutant's adapter: a step fails exactly when the mutant changes a reply.
    const diverges = s.expected.some((e, i) => JSON.stringify(e) !== JSON.stringify(s.observed[i]));
    const bad = await replayScenario(parsed, new ModelAdapter({ mutant }));
    assert.equal(bad.verdict, diverges ? "fail" : "pass");
  });
}
