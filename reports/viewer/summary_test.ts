import assert from "node:assert/strict";
import { buildReport } from "../../scenarios/certification.ts";
import type { RunReport } from "./data.ts";
import { overallVerdict, statusWord } from "./summary.ts";

const base = { version: 1, kind: "certify", tool: { name: "leasecheck", version: "0" } } as const;

Deno.test("overallVerdict() says not certified, never conforms, when nothing ran", () => {
  const doc = {
    ...base,
    certification: buildReport("process:/bin/cat", new Date(0), 1, [], {}, [], []),
  } as unknown as RunReport;
  const v = overallVerdict(doc);
  assert.equal(v.status, "not-certified");
  assert.equal(statusWord(v.status), "not certified");
  assert.match(v.headline, /^process:\/bin\/cat not certified: /);
  assert.doesNotMatch(v.headline, /conforms/);
});
