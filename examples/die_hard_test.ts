import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { dieHardSpec } from "./die_hard.ts";

Deno.test("explore() solves DieHard in the known 6 steps (invariant NotSolved violated)", () => {
  const result = explore(dieHardSpec({ goal: 4 }));
  assert.equal(result.verdict, "violation");
  const v = result.violations[0];
  assert.equal(v.kind, "invariant");
  assert.equal(v.name, "NotSolved");
  assert.equal(v.trace.steps.length - 1, 6);
  assert.deepEqual(v.trace.steps.at(-1)!.state.big, 4);
});

Deno.test("explore() finds the 16 reachable DieHard states when no goal is set", () => {
  const result = explore(dieHardSpec({ goal: undefined }));
  assert.equal(result.verdict, "ok");
  assert.equal(result.stats.distinct, 16);
  assert.equal(result.stats.generated, 16 * 6); // every action is always enabled
});
