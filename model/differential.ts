/**
 * The differential spec: the correct model and a mutant side by side, driven by the same
 * requests. Invariant `REPLY-EQ` fails as soon as the two answer one request differently (errno,
 * extack fields or reply), which catches the mutants that only change what a caller sees (an
 * extack string, a queue id, an errno) with the shortest request sequence that shows it. Both
 * run atomically (the replies of interleaved runs are the scenarios' business).
 *
 * @module
 */

import type { Action, Spec } from "../checker/spec.ts";
import { type ModelConfig, type OperationName, validateConfig } from "./config.ts";
import { formatReply } from "./errors.ts";
import { initialState } from "./init.ts";
import type { MutantId } from "./mutants.ts";
import { stepsOf } from "./requests.ts";
import { applyStep, formatRequest, type ModelStep } from "./step.ts";
import type { ModelState } from "./state.ts";

/** A state of the differential spec. */
export interface DiffState {
  /** The correct model. */
  readonly good: ModelState;
  /** The mutant. */
  readonly bad: ModelState;
  /** The first difference in replies, or null. */
  readonly mismatch: string | null;
}

/**
 * Builds the differential spec of `mutant` on `config` (atomic: `concurrency` is forced to 1).
 * Requests are enumerated from the correct model's state.
 *
 * @example Usage
 * ```ts
 * import { differentialSpec } from "./differential.ts";
 * import { explore } from "../checker/explore.ts";
 * import { SELFTEST_CONFIG } from "./config.ts";
 * import assert from "node:assert/strict";
 * const r = explore(differentialSpec({ ...SELFTEST_CONFIG, operations: ["queue-create"] }, "C-18"));
 * assert.equal(r.violations[0]?.name, "REPLY-EQ");
 * ```
 */
export function differentialSpec(
  config: Partial<ModelConfig>,
  mutant: MutantId,
): Spec<DiffState> {
  const c = validateConfig({ ...config, concurrency: 1, mutant: null });
  const init = initialState(c);
  const actions = c.operations.map((op: OperationName) => {
    const action: Action<DiffState, ModelStep> = {
      name: op,
      params: (s) => stepsOf(s.good, op, c),
      next: (s, step) => {
        const good = applyStep(s.good, step);
        const bad = applyStep(s.bad, step, { mutant });
        if (good.state === s.good && bad.state === s.bad && s.mismatch === null) {
          if (JSON.stringify(good.reply) === JSON.stringify(bad.reply)) return s;
        }
        const mismatch = s.mismatch ??
          (JSON.stringify(good.reply) === JSON.stringify(bad.reply)
            ? null
            : `${op}: the model answers ${formatReply(good.reply)}, the mutant ${
              formatReply(bad.reply)
            }`);
        return { good: good.state, bad: bad.state, mismatch };
      },
      formatParam: formatRequest,
    };
    return action as Action<DiffState, unknown>;
  });
  return {
    name: `netkit-queue-leasing-diff[${mutant}]`,
    init: [{ good: init, bad: init, mismatch: null }],
    actions,
    invariants: [{
      name: "REPLY-EQ",
      description: "the mutant answers every request exactly as the model does",
      holds: (s) => s.mismatch === null,
    }],
    isEnd: () => true,
  };
}
