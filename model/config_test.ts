import assert from "node:assert/strict";
import { DEFAULT_CONFIG, ModelConfigError, validateConfig } from "./config.ts";

Deno.test("validateConfig() fills the defaults", () => {
  assert.deepEqual(validateConfig(), DEFAULT_CONFIG);
});

Deno.test("validateConfig() names the offending field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ namespaces: [] }, "namespaces"],
    [
      { physical: [{ name: "eth0", netns: "nowhere", driver: "netdevsim", queues: 2 }] },
      "physical[0].netns",
    ],
    [
      { physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 0 }] },
      "physical[0].queues",
    ],
    [
      { netkits: [{ name: "nk0", netns: "init", pairing: "single", numRxQueues: 2000 }] },
      "netkits[0].numRxQueues",
    ],
    [{ mutant: "C-99" }, "mutant"],
    [{ operations: ["queue-creat"] }, "operations[0]"],
    [{ nsids: [{ netns: "ns1", peer: "ns1", id: 0 }] }, "nsids[0].peer"],
  ];
  for (const [partial, field] of cases) {
    assert.throws(
      () => validateConfig(partial as never),
      (e: unknown) => e instanceof ModelConfigError && e.field === field,
    );
  }
});
