/**
 * DieHard: the water-jug puzzle from the TLA+ video course. With a 3-gallon and a 5-gallon jug,
 * fill, empty and pour until the big jug holds exactly 4 gallons. The "invariant" `NotSolved`
 * (big ≠ 4) is violated; breadth-first search finds the 6-step solution, and 16 distinct states
 * are reachable in all (TLC agrees on both).
 *
 * @module
 */

import type { Spec } from "../checker/spec.ts";

/** A DieHard state: gallons in each jug. */
export interface DieHardState {
  /** The 3-gallon jug. */
  readonly small: number;
  /** The 5-gallon jug. */
  readonly big: number;
}

/**
 * The DieHard spec. `goal` is the amount that "solves" the puzzle (violates `NotSolved`); pass
 * `undefined` to explore without the invariant.
 *
 * @example Usage
 * ```ts
 * import { explore } from "../checker/explore.ts";
 * import { dieHardSpec } from "./die_hard.ts";
 * import assert from "node:assert/strict";
 * const result = explore(dieHardSpec({ goal: 4 }));
 * assert.equal(result.violations[0].kind, "invariant");
 * ```
 */
export function dieHardSpec(
  { goal }: { readonly goal?: number } = { goal: 4 },
): Spec<DieHardState> {
  const pour = (from: number, toRoom: number): number => Math.min(from, toRoom);
  return {
    name: "DieHard",
    init: [{ small: 0, big: 0 }],
    actions: [
      { name: "FillSmall", next: (s) => ({ ...s, small: 3 }) },
      { name: "FillBig", next: (s) => ({ ...s, big: 5 }) },
      { name: "EmptySmall", next: (s) => ({ ...s, small: 0 }) },
      { name: "EmptyBig", next: (s) => ({ ...s, big: 0 }) },
      {
        name: "SmallToBig",
        next: (s) => {
          const moved = pour(s.small, 5 - s.big);
          return { small: s.small - moved, big: s.big + moved };
        },
      },
      {
        name: "BigToSmall",
        next: (s) => {
          const moved = pour(s.big, 3 - s.small);
          return { small: s.small + moved, big: s.big - moved };
        },
      },
    ],
    scope: { sections: [] }, // a finite puzzle, explored whole: no bounds
    invariants: goal === undefined ? [] : [{
      name: "NotSolved",
      description: `the big jug never holds exactly ${goal} gallons`,
      holds: (s) => s.big !== goal,
    }],
  };
}
