/**
 * Prints the mutant kill table of the device model as Markdown: for every mutant of bugs.md
 * section C, the configuration and check that catch it, what caught it, the counterexample length
 * and the time it took. Run with `deno task kill-table`.
 *
 * @module
 */

import { killTable } from "../model/kill_table.ts";
import { MUTANTS } from "../model/mutants.ts";

const lines = [
  "| mutant | mutation | config | check | caught by | trace | time |",
  "| --- | --- | --- | --- | --- | --- | --- |",
];
let total = 0;
for (const m of MUTANTS) {
  const t0 = performance.now();
  const [row] = m.implemented ? killTable([m.id]) : [undefined];
  const ms = performance.now() - t0;
  total += ms;
  const by = row?.caughtBy ??
    (row?.equivalent ? "— (equivalent)" : m.implemented ? "NOT CAUGHT" : "— (not modelled)");
  lines.push(
    `| ${m.id} | ${m.mutation} | ${row?.configName ?? ""} | ${row?.check ?? ""} | ${by} | ${
      row?.traceLength ?? ""
    } | ${m.implemented ? `${(ms / 1000).toFixed(2)} s` : ""} |`,
  );
}
console.log(lines.join("\n"));
console.error(`kill table: ${MUTANTS.length} mutants in ${(total / 1000).toFixed(1)} s`);
