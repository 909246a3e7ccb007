import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { renderTrace } from "../reports/text.ts";
import { leasingSpec } from "./spec.ts";
import type { MutantId } from "./mutants.ts";

Deno.test({
  name: "leasingSpec() with the default config explores exhaustively without a violation",
  timeout: 120_000,
  fn: () => {
    const r = explore(leasingSpec());
    assert.deepEqual(r.violations.map((v) => v.name), []);
    assert.equal(r.verdict, "ok");
    assert.ok(
      r.stats.distinct > 10_000 && r.stats.distinct < 100_000,
      `states: ${r.stats.distinct}`,
    );
  },
});

const caught: [MutantId, string][] = [
  ["C-02", "INV-L1"],
  ["C-06", "INV-L9"],
  ["C-09", "INV-R1"],
  ["C-10", "INV-L1"],
  ["C-11", "INV-V4"],
  ["C-14", "INV-R3"],
  ["C-15", "INV-V1"],
  ["C-16", "INV-V2"],
  ["C-19", "INV-L8"],
  ["C-20", "INV-L7"], // needs a netkit with 2 rx queues, see below
  ["C-24", "INV-L9"],
  ["C-25", "INV-N3"],
  ["C-32", "NO-OOPS"],
  ["C-33", "INV-T1"],
  ["C-39", "INV-R1"],
];

for (const [mutant, name] of caught) {
  Deno.test({
    name: `leasingSpec() with mutant ${mutant} is caught by ${name} (bugs.md section C)`,
    timeout: 120_000,
    fn: () => {
      const netkits = mutant === "C-20"
        ? [{
          name: "nk0",
          netns: "init",
          pairing: "pair" as const,
          numRxQueues: 2,
          peerName: "nk1",
          peerNetns: "ns1",
        }]
        : undefined;
      const r = explore(leasingSpec(netkits ? { mutant, netkits } : { mutant }));
      const v = r.violations[0];
      assert.equal(v?.name, name, v && "trace" in v ? renderTrace(v.trace) : JSON.stringify(v));
    },
  });
}

Deno.test("leasingSpec() builds one action per enabled operation", () => {
  assert.deepEqual(
    leasingSpec({ operations: ["queue-create", "link-set"] }).actions.map((a) => a.name),
    [
      "queue-create",
      "link-set",
    ],
  );
});
