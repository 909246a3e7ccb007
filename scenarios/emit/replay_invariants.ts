/**
 * Replays a scenario on the model (or a mutant) the way the model adapter does, and evaluates
 * the model's invariants after every step and its action properties on every transition: an
 * emitted counterexample replayed on the mutant that produced it must end in the same
 * violation.
 *
 * @module
 */

import { leasingSpec } from "../../model/spec.ts";
import type { MutantId } from "../../model/mutants.ts";
import type { Scenario } from "../format.ts";
import type { Outcome } from "../match.ts";
import { linearize } from "../replay.ts";
import { ModelRun } from "./_run.ts";

/** The first invariant or property a replay broke. */
export interface ReplayViolation {
  /** `invariant` (a state predicate) or `property` (a transition predicate). */
  readonly kind: "invariant" | "property";
  /** Its name, e.g. `INV-L1`. */
  readonly name: string;
  /** Index of the step (in the file) after which it broke; -1 for the state after setup. */
  readonly step: number;
}

/** What {@linkcode checkInvariantsAfterReplay} found. */
export interface InvariantReplayResult {
  /** The first violation, if any. */
  readonly violation?: ReplayViolation;
  /** The outcome of each step run, in run order (up to the violation). */
  readonly outcomes: readonly Outcome[];
}

/** Options of {@linkcode checkInvariantsAfterReplay}. */
export interface InvariantReplayOptions {
  /** The mutant to run (default: the correct model). */
  readonly mutant?: MutantId | null;
}

/**
 * Builds the scenario's topology on the model, runs its steps in schedule order (see
 * `linearize`) through `applyStep`, and checks the model's action properties on each transition
 * and its invariants after each step (in the engine's order).
 *
 * @param scenario A parsed scenario whose steps all have model counterparts.
 * @param options The mutant.
 * @returns The first violation (if any) and the outcomes.
 * @throws {TypeError} When the topology cannot be built or a step has no model counterpart.
 *
 * @example Usage
 * ```ts
 * import { checkInvariantsAfterReplay } from "./replay_invariants.ts";
 * import { parseScenario } from "../parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: queue-get\n    dump: true\n",
 *   "t.yaml",
 * );
 * assert.equal(checkInvariantsAfterReplay(s).violation, undefined);
 * ```
 */
export function checkInvariantsAfterReplay(
  scenario: Scenario,
  options: InvariantReplayOptions = {},
): InvariantReplayResult {
  const mutant = options.mutant ?? null;
  const spec = leasingSpec({ mutant, concurrency: 1 });
  const run = ModelRun.fromTopology(scenario.topology, { mutant });
  const outcomes: Outcome[] = [];
  const broken = (step: number): ReplayViolation | undefined => {
    const inv = (spec.invariants ?? []).find((i) => !i.holds(run.state));
    return inv === undefined ? undefined : { kind: "invariant", name: inv.name, step };
  };
  const first = broken(-1);
  if (first !== undefined) return { violation: first, outcomes };
  for (const step of linearize(scenario)) {
    const r = run.apply(step);
    outcomes.push(r.outcome);
    // As the engine: action properties on the transition first, then invariants.
    const label = {
      action: r.modelStep.op,
      param: r.modelStep,
    };
    const prop = (spec.properties ?? []).find((p) => !p.holds(r.before, run.state, label));
    if (prop !== undefined) {
      return { violation: { kind: "property", name: prop.name, step: step.index }, outcomes };
    }
    const inv = broken(step.index);
    if (inv !== undefined) return { violation: inv, outcomes };
  }
  return { outcomes };
}
