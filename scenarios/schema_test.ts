import assert from "node:assert/strict";
import { parse } from "yaml";
import type { JsonValue } from "./format.ts";
import { scenarioSchema, validateWithSchema } from "./_schema.ts";

const SCHEMA = JSON.parse(Deno.readTextFileSync(new URL("./schema.json", import.meta.url)));
const CASES = new URL("./cases/", import.meta.url);

Deno.test("schema.json is the schema generated from the operation catalogue", () => {
  assert.deepEqual(SCHEMA, scenarioSchema(), "regenerate scenarios/schema.json from _schema.ts");
});

Deno.test("schema.json allows every key and value of every corpus file", () => {
  for (const e of Deno.readDirSync(CASES)) {
    if (!e.name.endsWith(".yaml")) continue;
    const doc = parse(Deno.readTextFileSync(new URL(e.name, CASES))) as JsonValue;
    assert.deepEqual(validateWithSchema(doc, SCHEMA), [], e.name);
  }
});

Deno.test("schema.json rejects unknown keys at the top, in steps and inside request nests", () => {
  const base = {
    name: "t",
    description: "d",
    facts: ["QC-22"],
    kernel: "7.1",
    topology: {},
    steps: [{
      op: "queue-create",
      request: { ifindex: "$g", type: "rx", lease: { ifindex: 2, queue: { id: 1, type: "rx" } } },
      expect: { reply: { id: 1 } },
    }],
  };
  assert.deepEqual(validateWithSchema(base, SCHEMA), []);
  assert.deepEqual(validateWithSchema({ ...base, kernal: "7.1" }, SCHEMA), [
    "$.kernal: key not allowed",
  ]);
  const typo = structuredClone(base) as {
    steps: { request: { lease: Record<string, unknown> } }[];
  };
  typo.steps[0].request.lease.ifindx = 2;
  assert.deepEqual(validateWithSchema(typo as JsonValue, SCHEMA), [
    "$.steps[0].request.lease.ifindx: key not allowed",
  ]);
  const ack = structuredClone(base) as { steps: Record<string, unknown>[] };
  ack.steps[0] = { op: "link-set", request: { ifindex: 2, up: true }, expect: { reply: {} } };
  assert.ok(validateWithSchema(ack as JsonValue, SCHEMA).length > 0, "link-set has no reply");
});
