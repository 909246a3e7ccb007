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

Deno.test("NAMED_CONFIGS all validate, and the schema describes every field of the default", async () => {
  const { MODEL_CONFIG_SCHEMA, NAMED_CONFIGS } = await import("./config.ts");
  for (const config of Object.values(NAMED_CONFIGS)) validateConfig(config);
  const fields = Object.keys(MODEL_CONFIG_SCHEMA.properties as object);
  for (const key of Object.keys(DEFAULT_CONFIG)) assert.ok(fields.includes(key), key);
});

Deno.test("validateConfig() rejects an unknown field and a bad domain bound by name", () => {
  for (
    const [partial, field] of [
      [{ concurency: 2 }, "concurency"],
      [{ moves: "some" }, "moves"],
      [{ concurrency: 9 }, "concurrency"],
    ] as [Record<string, unknown>, string][]
  ) {
    assert.throws(
      () => validateConfig(partial as never),
      (e: unknown) => e instanceof ModelConfigError && e.field === field,
    );
  }
});
