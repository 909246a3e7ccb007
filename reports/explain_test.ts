import assert from "node:assert/strict";
import { explainFact, lookupFact, renderExplanation, UnknownFactError } from "./explain.ts";

const root = new URL("../", import.meta.url);

Deno.test("explainFact() gives the fact base's entry, the model code and the scenarios of QC-22", async () => {
  const e = await explainFact("qc-22", root);
  assert.equal(e.fact.id, "QC-22");
  assert.deepEqual(e.fact.errno, ["EBUSY"]);
  assert.deepEqual(e.fact.extack, ["Device queue in use due to queue leasing"]);
  assert.ok(e.model.some((m) => m.startsWith("model/ops/queue_create.ts:")), e.model.join(" "));
  assert.ok(e.scenarios.includes("nk_qlease_test_double_lease"));
  const text = renderExplanation(e);
  assert.match(text, /^QC-22 — /);
  assert.match(text, /extack: {3}"Device queue in use due to queue leasing"/);
  assert.match(text, /source: .* \(spec\/facts\.yaml:\d+\)/);
  assert.match(text, /nk_qlease_test_double_lease {2}\(deno task replay /);
});

Deno.test("lookupFact() finds ids whose case differs (DM-7b) and rejects unknown ones with similar ids", () => {
  assert.equal(lookupFact("dm-7B").id, "DM-7b");
  assert.equal(lookupFact("  QC-00a ").id, "QC-00a");
  assert.throws(
    () => lookupFact("QC-99"),
    (e: Error) => e instanceof UnknownFactError && /did you mean QC-/.test(e.message),
  );
});
