import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { simulate } from "../checker/simulate.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";
import { dieHardSpec } from "../examples/die_hard.ts";
import { renderResult, renderVerdict } from "./text.ts";

Deno.test("renderVerdict() qualifies an ok with the spec's bounds and the checks that were off", () => {
  const line = renderVerdict(explore(lockOrderSpec({ n: 3, k: 1 }), { checkDeadlock: false }));
  assert.match(line, /^ok LockOrder\(N=3, K=1\): no violation in 162 distinct states/);
  assert.match(
    line,
    / — scope: within bounds N=3 processes, K=1 rounds each; deadlock not checked$/,
  );
});

Deno.test("renderVerdict() says when a spec declares no bounds, and adds nothing for a whole state space", () => {
  const undeclared = explore({ ...dieHardSpec({ goal: undefined }), scope: undefined });
  assert.match(renderVerdict(undeclared), / — scope: bounds not declared by the spec$/);
  const whole = renderVerdict(explore(dieHardSpec({ goal: undefined })));
  assert.doesNotMatch(whole, /scope/);
  assert.match(whole, /^ok DieHard: no violation in 16 distinct states/);
});

Deno.test("renderResult() prints the full scope block before the verdict", () => {
  const text = renderResult(explore(lockOrderSpec({ n: 3, k: 1 }), { maxStates: 20 }));
  const lines = text.split("\n");
  const at = lines.indexOf("  scope:");
  assert.ok(at > 0, text);
  assert.match(
    lines[at + 1],
    /search: partial: stopped by --max-states; 1 worker; bounds given: --max-states 20/,
  );
  assert.match(lines[at + 2], /fingerprints: 64-bit, collision probability/);
  assert.match(text, /spec bounded domains:\n {6}processes: 3\n {6}rounds: 1/);
  assert.match(lines.at(-1)!, /^incomplete .* — scope: within bounds/);
});

Deno.test("renderResult() describes a simulation's walks in the scope", () => {
  const text = renderResult(simulate(dieHardSpec({ goal: undefined }), { seed: 2, walks: 5 }));
  assert.match(text, /search: simulation: 5 of 5 random walks of up to 100 steps, seed 2/);
});
