import assert from "node:assert/strict";
import {
  buildProfile,
  buildReport,
  type CertifiedScenario,
  compareFactIds,
} from "../scenarios/certification.ts";
import { profileHeadline, toJunit, toKtap, toMarkdown } from "./certification.ts";

const base = { file: "x.yaml", adapter: "impl", elapsedMs: 5 };
const step = (pass: boolean, diff: string[] = [], op = "queue-create") =>
  ({
    index: 0,
    step: { op, dump: false, request: {} },
    expected: { kind: "ok" },
    actual: { kind: "reply", reply: null },
    pass,
    diff,
  }) as unknown as CertifiedScenario["steps"][number];
const scenarios: CertifiedScenario[] = [
  {
    ...base,
    name: "good",
    verdict: "pass",
    steps: [step(true), step(true, [], "queue-get")],
    facts: ["QC-22", "QC-2"],
  },
  {
    ...base,
    name: "bad",
    verdict: "fail",
    steps: [step(true), step(false, ["expected <EBUSY>, got reply"])],
    facts: ["QC-22"],
  },
  { ...base, name: "absent", verdict: "skip", steps: [], reason: "no veth", facts: ["QC-12"] },
  {
    ...base,
    name: "broken",
    verdict: "error",
    steps: [],
    reason: "the implementation did not answer setup within 10 ms; it was killed",
    facts: ["QC-22"],
  },
];
const report = buildReport("impl", new Date(0), 1234, scenarios, { kernel: "7.2.13" }, [], [
  "queue-create",
  "queue-get",
]);

Deno.test("buildReport() counts verdicts and builds the per-fact table in fact order", () => {
  assert.deepEqual(report.summary, { pass: 1, fail: 1, skip: 1, error: 1 });
  assert.deepEqual(report.facts.map((f) => f.id), ["QC-2", "QC-12", "QC-22"]);
  assert.deepEqual(report.facts[2], {
    id: "QC-22",
    pass: ["good"],
    fail: ["bad", "broken"],
    skip: [],
  });
  assert.ok(compareFactIds("QC-2", "QC-10") < 0 && compareFactIds("NK-NEW-2", "QC-1") < 0);
});

Deno.test("toKtap() nests one subtest per scenario and ends with kselftest totals", () => {
  const ktap = toKtap(report).split("\n");
  assert.equal(ktap[0], "KTAP version 1");
  assert.equal(ktap[1], "1..4");
  assert.ok(ktap.includes("    # Subtest: bad"));
  assert.ok(ktap.includes("    not ok 2 step_0_queue-create"));
  assert.ok(ktap.includes("    # expected <EBUSY>, got reply"));
  assert.ok(ktap.includes("not ok 2 bad"));
  assert.ok(ktap.includes("ok 3 absent # SKIP no veth"));
  assert.ok(ktap.includes("# kernel: 7.2.13"));
  assert.ok(
    ktap.includes(
      "not ok 4 broken # ERROR the implementation did not answer setup within 10 ms; it was killed",
    ),
  );
  assert.equal(ktap.at(-2), "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:1");
  assert.equal(ktap[3], "# verdict: does not conform: 2 scenarios failed (bad, broken)");
  assert.ok(ktap.includes("# operations declared: queue-create, queue-get"));
  assert.ok(
    ktap.includes("# operation queue-create: 2 ran, 1 failed, 0 skipped; declared, not certified"),
  );
});

Deno.test("toJunit() escapes text and marks failures and skips", () => {
  const xml = toJunit(report);
  assert.match(xml, /<testsuites name="leasecheck" tests="4" failures="1" errors="1" skipped="1"/);
  assert.match(xml, /<property name="verdict" value="does-not-conform"\/>/);
  assert.match(xml, /<property name="operations.declared" value="queue-create queue-get"\/>/);
  assert.match(
    xml,
    /<property name="operation.queue-create" value="declared=true ran=2 failed=1 skipped=0 certified=false"\/>/,
  );
  assert.match(xml, /<error message="the implementation did not answer setup/);
  assert.match(xml, /<testcase [^>]*name="bad"[^>]*>\s*<failure message="step_0_queue-create">/);
  assert.match(xml, /expected &#60;EBUSY&#62;, got reply/);
  assert.match(xml, /<skipped message="no veth"\/>/);
});

Deno.test("toMarkdown() gives the verdict, the failures and the fact table", () => {
  const md = toMarkdown(report);
  assert.match(md, /^\*\*does not conform\*\*: 2 scenarios failed \(bad, broken\)\.$/m);
  assert.match(md, /^- operations declared: queue-create, queue-get$/m);
  assert.match(md, /^1 passed, 1 failed, 1 errors, 0 known deviations, 1 skipped, out of 4/m);
  assert.match(md, /### bad/);
  assert.match(md, /\| QC-22 \| ✘ fails \| 1 \| bad, broken \| 0 \|/);
  assert.match(md, /\| QC-12 \| – untested \| 0 \| 0 \| 1 \|/);
});

Deno.test("a known deviation turns a failure into an expected failure everywhere", () => {
  const deviated = buildReport(
    "impl",
    new Date(0),
    1,
    [
      { ...scenarios[1], deviation: "QC-22: accepted" },
      { ...scenarios[0], steps: [step(true, [], "queue-get")] },
    ],
    undefined,
    [],
    ["queue-create", "queue-get"],
  );
  assert.match(toKtap(deviated), /^ok 1 bad # XFAIL QC-22: accepted$/m);
  assert.match(toKtap(deviated), /fail:0 xfail:1 xpass:0 skip:0 error:0/);
  assert.equal(deviated.profile.verdict, "conforms");
  assert.match(
    toMarkdown(deviated),
    /^\*\*conforms\*\* for queue-create, queue-get \(2 scenarios\)/m,
  );
  assert.match(toJunit(deviated), /failures="0" errors="0" skipped="1"/);
});

const ran = (
  name: string,
  ops: string[],
  verdict: "pass" | "fail" = "pass",
): CertifiedScenario => ({
  ...base,
  name,
  verdict,
  steps: ops.map((op) => step(verdict === "pass", verdict === "pass" ? [] : ["differs"], op)),
  facts: ["QC-22"],
  ops,
});
const skipped = (name: string, ops: string[]): CertifiedScenario => ({
  ...base,
  name,
  verdict: "skip",
  steps: [],
  reason: "unsupported",
  facts: ["QC-12"],
  ops,
});

Deno.test("buildProfile() conforms only when what ran passed and covers every declared operation", () => {
  const both = ["queue-create", "queue-get"];
  const partial = buildProfile([ran("a", both), skipped("b", ["bind-rx"])], both);
  assert.equal(partial.verdict, "conforms");
  assert.deepEqual(partial.certified, both);
  assert.ok(
    partial.notCertified.includes("bind-rx") && !partial.notCertified.includes("queue-get"),
  );
  assert.deepEqual(partial.scenarios, { total: 2, ran: 1, skipped: 1, failed: 0 });
  assert.deepEqual(partial.operations.find((o) => o.op === "bind-rx"), {
    op: "bind-rx",
    declared: false,
    ran: 0,
    failed: 0,
    skipped: 1,
    certified: false,
  });
  assert.deepEqual(partial.facts, { total: 2, covered: 1, failing: 0, untested: 1 });
  const { word, detail } = profileHeadline(partial);
  assert.equal(
    word + detail,
    "conforms for queue-create, queue-get (1 scenario); not certified: bind-rx, bind-tx, newlink, " +
      "getlink, dellink, channels-set, link-set, netns-move, phys-remove, netns-delete, " +
      "netns-set-id, zcrx-register, xsk-bind, close",
  );
});

Deno.test("buildProfile() says why nothing is certified: nothing ran, too little declared, a declared operation never ran", () => {
  const both = ["queue-create", "queue-get"];
  const cases: [CertifiedScenario[], string[], string][] = [
    [[], both, "not certified: there was no scenario to run"],
    [
      [skipped("a", ["queue-get"])],
      [],
      "not certified: nothing ran (all 1 scenario skipped); the implementation declares no " +
      "operation (queue-create and queue-get are required)",
    ],
    [
      [ran("a", ["queue-get"])],
      ["queue-get"],
      "not certified: the implementation does not declare queue-create (required)",
    ],
    [
      [ran("a", both)],
      [...both, "bind-rx", "frobnicate"],
      "not certified: no scenario that ran uses bind-rx, which the implementation declares",
    ],
  ];
  for (const [results, declared, text] of cases) {
    const profile = buildProfile(results, declared);
    assert.equal(profile.verdict, "not-certified", text);
    const { word, detail } = profileHeadline(profile);
    assert.equal(word + detail, text);
  }
  assert.deepEqual(buildProfile([ran("a", both)], [...both, "frobnicate"]).unknown, ["frobnicate"]);
  const failing = buildProfile([ran("a", both, "fail"), skipped("b", both)], []);
  assert.equal(failing.verdict, "does-not-conform", "a failure outweighs everything else");
  assert.deepEqual(failing.problems[0], { kind: "failures", scenarios: ["a"] });
});
