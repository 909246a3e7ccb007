/**
 * Fact ids: their grammar, their family and their order. Dependency-free, so that every layer
 * (and the report viewer in the browser) can use it.
 *
 * @module
 */

/**
 * The grammar of a fact id: upper-case words joined by `-`, then usually a number that may
 * carry one upper-case letter before it and one lower-case letter after it (`QC-00a`,
 * `INV-L1`, `QC-S3`, `NK-NEW-04b`); a few model properties have no number (`NO-OOPS`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FACT_ID_RE } from "./ids.ts";
 *
 * assert.ok(FACT_ID_RE.test("NK-NEW-04b"));
 * assert.ok(FACT_ID_RE.test("REPLY-EQ"));
 * assert.ok(!FACT_ID_RE.test("qc-22"));
 * ```
 */
export const FACT_ID_RE: RegExp = /^[A-Z]{1,6}(?:-[A-Z]{1,8})*(?:-[A-Z]?[0-9]{1,3}[a-z]?)?$/;

const ID_PARTS_RE = /^(.*?)-?([A-Z]?)([0-9]+)([a-z]?)$/;

/**
 * The family of a numbered id: the id without its number and suffix (`QC-22` → `QC`, `QC-S3` →
 * `QC-S`, `INV-L1` → `INV-L`, `NK-NEW-04b` → `NK-NEW`); the id itself when it has no number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { factFamily } from "./ids.ts";
 *
 * assert.equal(factFamily("QC-S3"), "QC-S");
 * assert.equal(factFamily("MP-U2"), "MP-U");
 * assert.equal(factFamily("NO-OOPS"), "NO-OOPS");
 * ```
 */
export function factFamily(id: string): string {
  const m = /^(.*?)-([A-Z]?)[0-9]+[a-z]?$/.exec(id);
  if (!m) return id;
  return m[2] ? `${m[1]}-${m[2]}` : m[1];
}

/**
 * Orders fact ids: by family, then numerically, then by suffix (`QC-2` < `QC-10`, `DM-7` <
 * `DM-7b` < `DM-8`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareFactIds } from "./ids.ts";
 *
 * assert.deepEqual(["QC-10", "DM-7b", "QC-02", "DM-7"].sort(compareFactIds), [
 *   "DM-7",
 *   "DM-7b",
 *   "QC-02",
 *   "QC-10",
 * ]);
 * ```
 */
export function compareFactIds(a: string, b: string): number {
  const pa = ID_PARTS_RE.exec(a);
  const pb = ID_PARTS_RE.exec(b);
  const fa = factFamily(a);
  const fb = factFamily(b);
  if (fa !== fb) return fa < fb ? -1 : 1;
  if (pa && pb) {
    const d = Number(pa[3]) - Number(pb[3]);
    if (d !== 0) return d;
    if (pa[4] !== pb[4]) return pa[4] < pb[4] ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
