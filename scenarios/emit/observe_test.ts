import assert from "node:assert/strict";
import { ModelAdapter } from "../model_adapter.ts";
import { parseScenario } from "../parse.ts";
import { replayScenario } from "../replay.ts";
import { checkMutant } from "./_test_util.ts";
import { scenarioOfTrace } from "./scenario_of_trace.ts";

Deno.test("an emitted counterexample ends with observations that fail on the mutant (C-16, INV-V2)", async () => {
  const { config, violation } = checkMutant("C-16");
  assert.ok(violation.kind === "invariant");
  const s = scenarioOfTrace(config, violation.trace, { name: "cex_c16", observe: true });
  const parsed = parseScenario(s.yaml, "cex_c16.yaml");
  const observations = parsed.steps.filter((step) => step.note?.startsWith("observation:"));
  const dumps = observations.filter((d) => d.op === "queue-get" && d.dump);
  const links = observations.filter((d) => d.op === "getlink");
  assert.equal(dumps.length, parsed.topology.namespaces.length, "one dump per live namespace");
  // eth0, the pair (peer first: device order) and the single netkit: every physical and netkit.
  assert.deepEqual(links.map((l) => l.request["ifi-index"]), ["$eth0", "$nk1", "$nk0", "$nks"]);
  assert.deepEqual(parsed.steps.slice(-observations.length), observations, "they come last");
  const ok = await replayScenario(parsed, new ModelAdapter());
  assert.equal(ok.verdict, "pass", JSON.stringify(ok.steps.map((r) => r.diff)));
  const bad = await replayScenario(parsed, new ModelAdapter({ mutant: "C-16" }));
  assert.equal(bad.verdict, "fail");
  const failing = bad.steps.filter((r) => !r.pass);
  assert.ok(failing.every((r) => r.step.op === "queue-get"), "only the observations see it");
  assert.match(failing.flatMap((r) => r.diff).join("\n"), /netns-id: expected absent, got -1/);
});
