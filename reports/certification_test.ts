import assert from "node:assert/strict";
import { buildReport, type CertifiedScenario, compareFactIds } from "../scenarios/certification.ts";
import { toJunit, toKtap, toMarkdown } from "./certification.ts";

const base = { file: "x.yaml", adapter: "impl", elapsedMs: 5 };
const step = (pass: boolean, diff: string[] = []) =>
  ({
    index: 0,
    step: { op: "queue-create", dump: false, request: {} },
    expected: { kind: "ok" },
    actual: { kind: "reply", reply: null },
    pass,
    diff,
  }) as unknown as CertifiedScenario["steps"][number];
const scenarios: CertifiedScenario[] = [
  { ...base, name: "good", verdict: "pass", steps: [step(true)], facts: ["QC-22", "QC-2"] },
  {
    ...base,
    name: "bad",
    verdict: "fail",
    steps: [step(true), step(false, ["expected <EBUSY>, got reply"])],
    facts: ["QC-22"],
  },
  { ...base, name: "absent", verdict: "skip", steps: [], reason: "no veth", facts: ["QC-12"] },
];
const report = buildReport("impl", new Date(0), 1234, scenarios, { kernel: "7.2.13" });

Deno.test("buildReport() counts verdicts and builds the per-fact table in fact order", () => {
  assert.deepEqual(report.summary, { pass: 1, fail: 1, skip: 1, error: 0 });
  assert.deepEqual(report.facts.map((f) => f.id), ["QC-2", "QC-12", "QC-22"]);
  assert.deepEqual(report.facts[2], { id: "QC-22", pass: ["good"], fail: ["bad"], skip: [] });
  assert.ok(compareFactIds("QC-2", "QC-10") < 0 && compareFactIds("NK-NEW-2", "QC-1") < 0);
});

Deno.test("toKtap() nests one subtest per scenario and ends with kselftest totals", () => {
  const ktap = toKtap(report).split("\n");
  assert.equal(ktap[0], "KTAP version 1");
  assert.equal(ktap[1], "1..3");
  assert.ok(ktap.includes("    # Subtest: bad"));
  assert.ok(ktap.includes("    not ok 2 step_0_queue-create"));
  assert.ok(ktap.includes("    # expected <EBUSY>, got reply"));
  assert.ok(ktap.includes("not ok 2 bad"));
  assert.ok(ktap.includes("ok 3 absent # SKIP no veth"));
  assert.ok(ktap.includes("# kernel: 7.2.13"));
  assert.equal(ktap.at(-2), "# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0");
});

Deno.test("toJunit() escapes text and marks failures and skips", () => {
  const xml = toJunit(report);
  assert.match(xml, /<testsuites name="leasecheck" tests="3" failures="1" errors="0" skipped="1"/);
  assert.match(xml, /<testcase [^>]*name="bad"[^>]*>\s*<failure message="step_0_queue-create">/);
  assert.match(xml, /expected &#60;EBUSY&#62;, got reply/);
  assert.match(xml, /<skipped message="no veth"\/>/);
});

Deno.test("toMarkdown() gives the verdict, the failures and the fact table", () => {
  const md = toMarkdown(report);
  assert.match(md, /\*\*does not conform\*\*: 1 passed, 1 failed, 0 known deviations, 1 skipped/);
  assert.match(md, /### bad/);
  assert.match(md, /\| QC-22 \| ✘ fails \| 1 \| bad \| 0 \|/);
  assert.match(md, /\| QC-12 \| – untested \| 0 \| 0 \| 1 \|/);
});

Deno.test("a known deviation turns a failure into an expected failure everywhere", () => {
  const deviated = buildReport("impl", new Date(0), 1, [{
    ...scenarios[1],
    deviation: "QC-22: accepted",
  }]);
  assert.match(toKtap(deviated), /^ok 1 bad # XFAIL QC-22: accepted$/m);
  assert.match(toKtap(deviated), /fail:0 xfail:1/);
  assert.match(toMarkdown(deviated), /\*\*conforms\*\*/);
});
