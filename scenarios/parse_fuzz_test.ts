import assert from "node:assert/strict";
import fc from "fast-check";
import { stringify } from "yaml";
import { parseScenario, ScenarioSyntaxError, ScenarioValidationError } from "./parse.ts";

const CASES = new URL("./cases/", import.meta.url);
const SEEDS: string[] = [...Deno.readDirSync(CASES)]
  .filter((e) => e.name.endsWith(".yaml"))
  .map((e) => e.name)
  .sort()
  .slice(0, 12)
  .map((name) => Deno.readTextFileSync(new URL(name, CASES)));

/** Parses and returns "ok", "syntax" or "validation"; anything else thrown fails the property. */
function outcome(text: string): "ok" | "syntax" | "validation" {
  try {
    parseScenario(text, "fuzz.yaml");
    return "ok";
  } catch (e) {
    if (e instanceof ScenarioSyntaxError) {
      assert.ok(e.line >= 1 && e.column >= 1, e.message);
      return "syntax";
    }
    if (e instanceof ScenarioValidationError) {
      assert.ok(e.line >= 1 && e.column >= 1, e.message);
      assert.match(e.message, /^Cannot parse scenario fuzz\.yaml:\d+:\d+: /);
      return "validation";
    }
    throw e;
  }
}

const TOKENS = [
  ":",
  ": ",
  "- ",
  "{",
  "}",
  "[",
  "]",
  ",",
  "&a ",
  "*a",
  "!!binary ",
  "!!str ",
  "? ",
  "|",
  ">",
  "#",
  '"',
  "'",
  "\t",
  "\n",
  "  ",
  "$",
  "$guest",
  "null",
  "~",
  "-1",
  "1e999",
  ".nan",
  "0x10",
  "<<: *a",
  "---\n",
  "...\n",
  "%YAML 1.1\n",
  "ifindex",
  "op",
  "queue-create",
  "expect",
  "error",
  "reply",
  "thread",
  "schedule",
];

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.nat(40) }),
  fc.record({ kind: fc.constant("swap-lines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("dup-line" as const), a: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  switch (m.kind) {
    case "insert": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case "delete": {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + m.length);
    }
    case "swap-lines": {
      const lines = text.split("\n");
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    case "dup-line": {
      const lines = text.split("\n");
      const a = m.a % lines.length;
      lines.splice(a, 0, lines[a]);
      return lines.join("\n");
    }
  }
}

Deno.test("parseScenario() throws only its two error classes for random text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
      outcome(text);
    }),
    { numRuns: 400 },
  );
});

Deno.test("parseScenario() throws only its two error classes for mutated corpus files", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SEEDS),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      (seed, ms) => {
        outcome(ms.reduce(mutate, seed));
      },
    ),
    { numRuns: 600 },
  );
});

const KEYS = [
  "name",
  "description",
  "facts",
  "kernel",
  "topology",
  "steps",
  "schedule",
  "namespaces",
  "physical",
  "links",
  "op",
  "netns",
  "request",
  "expect",
  "defines",
  "thread",
  "error",
  "errno",
  "reply",
  "reply-subset",
  "lease",
  "queue",
  "ifindex",
  "id",
  "type",
  "linkinfo",
  "data",
  "kind",
  "peer",
];

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(
      null,
      true,
      0,
      -1,
      1.5,
      "rx",
      "$guest",
      "$nope",
      "init",
      "queue-create",
      "EBUSY",
    ),
    fc.string({ maxLength: 6 }),
    fc.integer(),
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie("node"), { maxKeys: 4 }),
  ),
})).node;

Deno.test("parseScenario() throws only its two error classes for random documents of known keys", () => {
  fc.assert(
    fc.property(value, (doc) => {
      outcome(stringify(doc));
    }),
    { numRuns: 400 },
  );
});

Deno.test("parseScenario() accepts every unmutated fuzz seed", () => {
  for (const seed of SEEDS) assert.equal(outcome(seed), "ok");
});
