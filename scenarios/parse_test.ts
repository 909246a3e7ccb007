import assert from "node:assert/strict";
import { parseScenario, ScenarioSyntaxError, ScenarioValidationError, suggest } from "./parse.ts";

const HEAD = `name: t
description: d
facts: [QC-22]
kernel: "7.1"
topology:
  namespaces:
    - name: init
    - name: ns
      nsids: { init: 0 }
  physical:
    - { name: nsim, kind: netdevsim, queues: 2 }
  links:
    - name: host
      request:
        linkinfo: { kind: netkit, data: { mode: l2 } }
        num-rx-queues: 2
      peer: { name: guest, netns: ns }
`;

const LEASE = `  - netns: ns
    op: queue-create
    request:
      ifindex: $guest
      type: rx
      lease: { ifindex: $nsim, queue: { id: 1, type: rx }, netns-id: 0 }
`;

function validationError(text: string): ScenarioValidationError {
  try {
    parseScenario(text, "case.yaml");
  } catch (e) {
    if (e instanceof ScenarioValidationError) return e;
    throw e;
  }
  throw new Error("expected a ScenarioValidationError");
}

Deno.test("parseScenario() reads metadata, topology and a queue-create step with defaults", () => {
  const s = parseScenario(
    HEAD + "steps:\n" + LEASE + "    expect: { reply: { id: 1 } }\n",
    "c.yaml",
  );
  assert.equal(s.name, "t");
  assert.deepEqual(s.facts, ["QC-22"]);
  assert.deepEqual(s.topology.namespaces.map((n) => n.name), ["init", "ns"]);
  assert.deepEqual(s.topology.namespaces[1].nsids, { init: 0 });
  assert.equal(s.topology.physical[0].up, true);
  assert.deepEqual(s.topology.links[0].peer, { name: "guest", netns: "ns", up: true });
  const step = s.steps[0];
  assert.equal(step.op, "queue-create");
  assert.equal(step.netns, "ns");
  assert.equal(step.capNetAdmin, true);
  assert.deepEqual(step.request, {
    ifindex: "$guest",
    type: "rx",
    lease: { ifindex: "$nsim", queue: { id: 1, type: "rx" }, "netns-id": 0 },
  });
  assert.deepEqual(step.expect, {
    kind: "reply",
    match: "exact",
    reply: { id: 1 },
    present: [],
    absent: [],
  });
  assert.deepEqual(step.pos, { line: 19, column: 5 });
});

Deno.test("parseScenario() defaults a step without expect to success and adds init first", () => {
  const s = parseScenario(
    "name: t\ndescription: d\nfacts: []\nkernel: '7.1'\ntopology:\n  namespaces: [{name: a}]\n" +
      "steps:\n  - op: queue-get\n    dump: true\n",
    "c.yaml",
  );
  assert.deepEqual(s.topology.namespaces.map((n) => n.name), ["init", "a"]);
  assert.deepEqual(s.steps[0].expect, { kind: "ok" });
  assert.deepEqual(s.steps[0].request, {});
});

Deno.test("parseScenario() names file, line, column and suggests the key for a typo in a nest", () => {
  const e = validationError(
    HEAD + "steps:\n" + LEASE.replace("lease: { ifindex: $nsim", "lease: { ifindx: $nsim"),
  );
  assert.equal(
    e.message,
    'Cannot parse scenario case.yaml:24:16: unknown key "ifindx" in steps[0].request.lease ' +
      '(did you mean "ifindex"?)',
  );
  assert.equal(e.file, "case.yaml");
  assert.equal(e.line, 24);
  assert.equal(e.column, 16);
  assert.equal(e.path, "steps[0].request.lease.ifindx");
  assert.equal(e.code, "LCS002");
  assert.ok(e instanceof TypeError);
});

Deno.test("parseScenario() rejects an unknown top-level key with a hint", () => {
  const e = validationError(HEAD.replace("kernel:", "kernal:"));
  assert.match(e.message, /unknown key "kernal" in the scenario \(did you mean "kernel"\?\)/);
  assert.equal(e.line, 4);
});

Deno.test("parseScenario() rejects an unknown operation with a hint", () => {
  const e = validationError(HEAD + "steps:\n  - op: queue-creat\n");
  assert.match(
    e.message,
    /steps\[0\]\.op: unknown operation "queue-creat" \(did you mean "queue-create"\?\)/,
  );
  assert.equal(e.path, "steps[0].op");
});

Deno.test("parseScenario() rejects values ynl cannot encode, naming the path", () => {
  const cases: [string, RegExp][] = [
    ["{ id: -1, type: rx }", /queue\.id: expected an integer in 0\.\.4294967295, got -1/],
    ["{ id: 1.5, type: rx }", /queue\.id: expected an integer/],
    ['{ id: "1", type: rx }', /got string "1"/],
    ["{ id: 1, type: rxx }", /\(did you mean "rx"\?\)/],
  ];
  for (const [queue, re] of cases) {
    const text = HEAD + "steps:\n" + LEASE.replace("queue: { id: 1, type: rx }", `queue: ${queue}`);
    assert.match(validationError(text).message, re, queue);
  }
  const e = validationError(HEAD + "steps:\n" + LEASE.replace("type: rx\n", "type: 5x\n"));
  assert.match(e.message, /steps\[0\]\.request\.type: expected one of rx, tx or an integer/);
});

Deno.test("parseScenario() rejects undefined symbols and undeclared namespaces", () => {
  let e = validationError(HEAD + "steps:\n" + LEASE.replace("ifindex: $guest", "ifindex: $gust"));
  assert.match(e.message, /device symbol "\$gust" is not defined \(did you mean "\$guest"\?\)/);
  e = validationError(HEAD + "steps:\n" + LEASE.replace("netns: ns", "netns: ns2"));
  assert.match(
    e.message,
    /namespace "ns2" is not declared in the topology \(did you mean "ns"\?\)/,
  );
});

Deno.test("parseScenario() checks that errno name and code agree", () => {
  const ok = parseScenario(
    HEAD + "steps:\n" + LEASE + "    expect: { error: { errno: EBUSY, code: -16, extack: x } }\n",
    "c.yaml",
  );
  assert.deepEqual(ok.steps[0].expect, { kind: "error", errno: "EBUSY", code: -16, extack: "x" });
  let e = validationError(
    HEAD + "steps:\n" + LEASE + "    expect: { error: { errno: EBUSY, code: -22 } }\n",
  );
  assert.match(e.message, /EBUSY is -16, not -22/);
  e = validationError(HEAD + "steps:\n" + LEASE + "    expect: { error: { errno: EBSY } }\n");
  assert.match(e.message, /unknown errno "EBSY" \(did you mean "EBUSY"\?\)/);
});

Deno.test("parseScenario() keeps null extack and bad-attr as 'must be absent'", () => {
  const s = parseScenario(
    HEAD + "steps:\n" + LEASE +
      "    expect: { error: { errno: ENODEV, extack: null, bad-attr: null } }\n",
    "c.yaml",
  );
  assert.deepEqual(s.steps[0].expect, {
    kind: "error",
    errno: "ENODEV",
    code: -19,
    extack: null,
    badAttr: null,
  });
});

Deno.test("parseScenario() requires exactly one expectation kind and a reply for ack-only ops", () => {
  let e = validationError(
    HEAD + "steps:\n" + LEASE + "    expect: { ok: true, reply: { id: 1 } }\n",
  );
  assert.match(e.message, /expected exactly one of ok, reply, reply-subset, error, got ok, reply/);
  e = validationError(
    HEAD + "steps:\n  - op: link-set\n    request: { ifindex: $nsim, up: true }\n" +
      "    expect: { reply: {} }\n",
  );
  assert.match(e.message, /link-set replies with an acknowledgement only/);
  e = validationError(HEAD + "steps:\n  - op: link-set\n    request: { ifindex: $nsim }\n");
  assert.match(e.message, /missing key "up" in steps\[0\]\.request/);
});

Deno.test("parseScenario() lets a newlink step define symbols used by later steps only", () => {
  const text = HEAD + "steps:\n" +
    "  - op: newlink\n    request: { linkinfo: { kind: netkit } }\n" +
    "    defines: { device: nk2, peer: nk3 }\n" +
    "  - op: getlink\n    request: { ifi-index: $nk3 }\n";
  const s = parseScenario(text, "c.yaml");
  assert.deepEqual(s.steps[0].defines, { device: "nk2", peer: "nk3" });
  const e = validationError(
    text.replace("defines: { device: nk2, peer: nk3 }", "defines: { device: host }"),
  );
  assert.match(e.message, /symbol "host" already defined/);
});

Deno.test("parseScenario() rejects a schedule that does not complete every thread", () => {
  const body = "steps:\n  - { op: queue-get, dump: true, thread: a }\n" +
    "  - { op: queue-get, dump: true, thread: b }\n";
  const s = parseScenario(HEAD + body + "schedule: [b, 'a:lock', a]\n", "c.yaml");
  assert.deepEqual(s.schedule?.map((x) => [x.thread, x.label]), [
    ["b", undefined],
    ["a", "lock"],
    ["a", undefined],
  ]);
  assert.match(validationError(HEAD + body + "schedule: [b]\n").message, /thread a has 1 steps/);
  assert.match(
    validationError(HEAD + body + "schedule: [b, c]\n").message,
    /no step belongs to thread "c"/,
  );
  assert.match(validationError(HEAD + body).message, /threads need a schedule/);
});

Deno.test("parseScenario() rejects aliases, non-string keys and an empty file", () => {
  assert.match(
    validationError(HEAD + "steps:\n  - &a { op: queue-get, dump: true }\n  - *a\n").message,
    /aliases are not supported/,
  );
  assert.match(validationError(HEAD + "steps:\n  - { 1: x }\n").message, /keys must be strings/);
  assert.match(validationError("").message, /the file is empty/);
  assert.match(validationError("[1, 2]\n").message, /the scenario: expected a mapping/);
});

Deno.test("parseScenario() throws ScenarioSyntaxError with position for malformed YAML", () => {
  for (const text of ["name: [unclosed\n", "a: 1\na: 2\n", "a: b\n---\nc: d\n", "\tx: 1\n"]) {
    try {
      parseScenario(text, "bad.yaml");
      assert.fail(`expected a syntax error for ${JSON.stringify(text)}`);
    } catch (e) {
      assert.ok(e instanceof ScenarioSyntaxError, String(e));
      assert.ok(e instanceof SyntaxError);
      assert.equal(e.file, "bad.yaml");
      assert.ok(e.line >= 1 && e.column >= 1);
      assert.match(e.message, /^Cannot parse scenario bad\.yaml:\d+:\d+: /);
      assert.ok(e.cause !== undefined);
    }
  }
});

Deno.test("suggest() proposes close names only", () => {
  assert.equal(suggest("netns_id", ["netns-id", "ifindex"]), "netns-id");
  assert.equal(suggest("zzz", ["netns-id", "ifindex"]), undefined);
});

Deno.test("parseScenario() reads GETLINK's operstate as ynl prints it (a number: rt-link gives it no enum) and ifi-flags as a list of flag names", () => {
  const getlink = (expect: string) =>
    HEAD + `steps:\n  - op: getlink\n    request: { ifi-index: $nsim }\n    expect: ${expect}\n`;
  const s = parseScenario(
    getlink("{ reply-subset: { operstate: 2, ifi-flags: [broadcast, up] } }"),
    "case.yaml",
  );
  const e = s.steps[0].expect;
  assert.ok(e.kind === "reply");
  assert.deepEqual(e.reply, { operstate: 2, "ifi-flags": ["broadcast", "up"] });
  assert.match(
    validationError(getlink("{ reply-subset: { operstate: up } }")).message,
    /operstate/,
  );
  assert.match(
    validationError(getlink("{ reply-subset: { ifi-flags: [brodcast] } }")).message,
    /expected a flag name .* \(did you mean "broadcast"\?\)/,
  );
  assert.match(
    validationError(getlink("{ reply-subset: { ifi-flags: up } }")).message,
    /ifi-flags/,
  );
});
