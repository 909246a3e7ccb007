import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../../model/config.ts";
import { ModelAdapter } from "../model_adapter.ts";
import { parseScenario } from "../parse.ts";
import { replayScenario } from "../replay.ts";
import { coveringScenarios, coveringTraces } from "./covering.ts";

/**
 * Distinct error paths (operation, errno, extack) of DEFAULT_CONFIG's atomic model at the time
 * of writing: 17 (queue-create 9, channels-set 2, newlink change 2, newlink 1, bind-rx 1,
 * zcrx-register 1, xsk-bind 1), in 27 covering scenarios over 15 672 states.
 */
const MIN_ERROR_PATHS = 17;

Deno.test("coveringScenarios() covers every error path of DEFAULT_CONFIG with passing scenarios", async () => {
  const set = coveringTraces(DEFAULT_CONFIG);
  assert.ok(set.complete);
  assert.ok(
    set.errorPaths >= MIN_ERROR_PATHS,
    `${set.errorPaths} error paths: ${set.outcomes.join("; ")}`,
  );
  const all = coveringScenarios(DEFAULT_CONFIG, {}, set);
  assert.equal(all.length, set.traces.length);
  assert.equal(new Set(all.map((s) => s.name)).size, all.length);
  let errors = 0;
  for (const s of all) {
    const parsed = parseScenario(s.scenario.yaml, `${s.name}.yaml`);
    const r = await replayScenario(parsed, new ModelAdapter());
    assert.equal(r.verdict, "pass", `${s.name}: ${JSON.stringify(r.steps.map((x) => x.diff))}`);
    // The last step has the outcome the trace was chosen for.
    const last = parsed.steps.at(-1)!;
    assert.equal(last.expect.kind === "error", s.error, s.name);
    if (s.error) errors++;
    for (const f of s.facts) assert.ok(parsed.facts.includes(f), `${s.name} lists ${f}`);
  }
  assert.equal(errors, set.errorPaths);
  // BFS: every error path is reached by a short trace.
  assert.ok(
    all.every((s) => s.trace.steps.length <= 4),
    all.map((s) => s.trace.steps.length).join(),
  );
});

Deno.test("coveringTraces() stops at maxStates and says the search is incomplete", () => {
  const set = coveringTraces(DEFAULT_CONFIG, { maxStates: 50 });
  assert.equal(set.complete, false);
  assert.ok(set.states <= 50);
  assert.ok(set.traces.length > 0);
});
