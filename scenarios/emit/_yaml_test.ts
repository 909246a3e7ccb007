import assert from "node:assert/strict";
import { parse } from "yaml";
import { toYaml, type YamlData } from "./_yaml.ts";
import { CAN_RUN, denoFmt } from "./_test_util.ts";

const SAMPLE: { readonly [key: string]: YamlData } = {
  name: "x",
  description: "A long description that goes on and on, well past the line width of one hundred " +
    "characters, so that it has to be folded.",
  facts: ["QC-22", "NK-QC-3"],
  kernel: "7.1",
  topology: { namespaces: [{ name: "init" }, { name: "ns1", nsids: { init: 0 } }] },
  steps: [
    {
      netns: "ns1",
      op: "queue-create",
      request: {
        ifindex: "$nk1",
        type: "rx",
        lease: { ifindex: "$eth0", queue: { id: 0, type: "rx" }, "netns-id": 0 },
      },
      expect: { error: { errno: "EBUSY", code: -16, extack: "Device queue in use", x: null } },
    },
    { op: "link-set", request: { ifindex: "$eth0", up: true }, expect: { ok: true } },
  ],
  schedule: ["t1:lock", "t1"],
};

Deno.test("toYaml() writes flow collections where they fit and block style elsewhere", () => {
  const text = toYaml(SAMPLE, { block: ["topology", "steps", "steps[]"] });
  assert.deepEqual(parse(text), SAMPLE);
  assert.match(text, /^facts: \[QC-22, NK-QC-3\]$/m);
  assert.match(text, /^kernel: "7\.1"$/m);
  assert.match(text, /^description: >-$/m);
  assert.match(
    text,
    /^ {2}namespaces: \[\{ name: init \}, \{ name: ns1, nsids: \{ init: 0 \} \}\]$/m,
  );
  assert.match(text, /^ {2}- netns: ns1$/m);
  assert.match(text, /^ {4}request:$/m);
  assert.match(text, /^schedule: \["t1:lock", t1\]$/m);
  for (const line of text.split("\n")) assert.ok(line.length <= 100, line);
});

Deno.test("toYaml() quotes strings that a plain scalar would misread", () => {
  const data = { a: "true", b: "12", c: "a: b", d: "", e: "$x", f: "it's", g: "-1", h: "null" };
  const text = toYaml(data);
  assert.deepEqual(parse(text), data);
  assert.match(text, /^e: \$x$/m);
});

Deno.test({
  name: "toYaml() output is stable under deno fmt",
  ignore: !CAN_RUN,
  async fn() {
    const text = toYaml(SAMPLE, { block: ["topology", "steps", "steps[]"] });
    assert.equal(await denoFmt("a: [ x ]\nb: {c: 1}\n"), "a: [x]\nb: { c: 1 }\n");
    assert.equal(await denoFmt(text), text);
  },
});
