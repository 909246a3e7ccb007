/**
 * leasecheck: a conformance suite and TLA-style explicit-state model checker for Linux rx-queue
 * leasing (netdev `queue-create`, netkit).
 *
 * The public API: the generic engine (`explore`, `simulate`, the `Spec` contract and result
 * types), the example specs that prove it, and the text reporters.
 *
 * @example Check a spec
 * ```ts
 * import { explore, lockOrderSpec } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = explore(lockOrderSpec({ n: 3, k: 1 }));
 * assert.equal(result.stats.distinct, 162);
 * ```
 *
 * @module
 */

export * from "./checker/mod.ts";
export * from "./examples/mod.ts";
export {
  flatten,
  type RenderOptions,
  renderResult,
  renderScope,
  renderTrace,
  renderVerdict,
  scopeCaveats,
  toJsonValue,
} from "./reports/text.ts";
