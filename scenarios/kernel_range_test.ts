import assert from "node:assert/strict";
import { certify, type OpenedAdapter } from "./certify.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { OP_NAMES } from "./ops.ts";
import { parseScenario, ScenarioValidationError } from "./parse.ts";

const scenario = (kernel: string, name = "t") =>
  parseScenario(
    `name: ${name}\ndescription: d\nfacts: [QG-03]\nkernel: ${JSON.stringify(kernel)}\n` +
      "topology: {}\nsteps:\n  - op: queue-get\n    request: {ifindex: 99, id: 0, type: rx}\n" +
      "    expect: {error: {errno: ENODEV}}\n",
    "t.yaml",
  );

const opened = (kernelVersion?: string): OpenedAdapter => ({
  name: "model",
  info: {},
  ops: OP_NAMES,
  kernelVersion,
  forScenario: () => Promise.resolve(new ModelAdapter()),
  close: () => Promise.resolve(),
});

Deno.test("a scenario's kernel field is a version range, and a bad one names the field and line", () => {
  for (const k of [">=7.2", "7.3", ">=7.1 <7.1.5", "7.2 || >=7.3.4", "*"]) {
    assert.equal(scenario(k).kernel, k);
  }
  assert.throws(
    () => scenario(">= 7.2"),
    (e: unknown) =>
      e instanceof ScenarioValidationError &&
      /t\.yaml:4:\d+: kernel: ">= 7\.2" is not/.test(e.message),
  );
});

Deno.test("certify skips a scenario whose kernel range leaves out the implementation's kernel, with the reason", async () => {
  const set = [scenario(">=7.3", "new"), scenario(">=7.2", "both"), scenario("7.2", "old")];
  const on72 = await certify(opened("7.2.13-1"), set);
  assert.deepEqual(on72.scenarios.map((s) => [s.name, s.verdict]), [
    ["new", "skip"],
    ["both", "pass"],
    ["old", "pass"],
  ]);
  assert.equal(on72.scenarios[0].reason, "for kernel >=7.3; the implementation runs 7.2.13-1");
  const on73 = await certify(opened("7.3.4-1~bpo13+1"), set);
  assert.deepEqual(on73.scenarios.map((s) => s.verdict), ["pass", "pass", "skip"]);
  // No stated kernel (the model, a simulator): every scenario runs.
  const any = await certify(opened(), set);
  assert.deepEqual(any.scenarios.map((s) => s.verdict), ["pass", "pass", "pass"]);
});
