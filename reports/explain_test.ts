import assert from "node:assert/strict";
import { explainFact, renderExplanation, similarFacts, UnknownFactError } from "./explain.ts";

const root = new URL("../", import.meta.url);

Deno.test("explainFact() finds the spec row, the model code and the scenarios of QC-22", async () => {
  const specDir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${specDir}/operations.md`,
      "| QC-21 | busy AF_XDP |\n| QC-22 | already leased | -EBUSY |\nsee QC-22 elsewhere\n",
    );
    const e = await explainFact("qc-22", root, specDir);
    assert.equal(e.id, "QC-22");
    assert.deepEqual(e.spec, [{
      file: "operations.md",
      line: 2,
      text: "| QC-22 | already leased | -EBUSY |",
    }]);
    assert.ok(e.model.some((m) => m.startsWith("model/ops/queue_create.ts:")), e.model.join(" "));
    assert.ok(e.scenarios.includes("nk_qlease_test_double_lease"));
    assert.match(renderExplanation(e, specDir), /operations\.md:2: \| QC-22 \|/);
  } finally {
    await Deno.remove(specDir, { recursive: true });
  }
});

Deno.test("explainFact() rejects an unknown id and suggests similar ones", async () => {
  await assert.rejects(
    () => explainFact("QC-99", root, "/nonexistent"),
    (e: Error) => e instanceof UnknownFactError && /similar: QC-00a/.test(e.message),
  );
  assert.deepEqual(
    similarFacts("INV-L"),
    similarFacts("INV-L").filter((id) => id.startsWith("INV-L")),
  );
});

Deno.test("explainFact() still answers when the spec folder is missing", async () => {
  const e = await explainFact("INV-L1", root, "/tmp/leasecheck-no-such-spec");
  assert.deepEqual(e.spec, []);
  assert.match(
    renderExplanation(e, "/tmp/leasecheck-no-such-spec"),
    /leasecheck-no-such-spec does not exist/,
  );
});
