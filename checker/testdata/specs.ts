/**
 * Specs for the parallel engine's tests, as registry entries a worker can build by name.
 *
 * @module
 */

import { type SpecEntry, specEntry } from "../registry.ts";
import type { Spec } from "../spec.ts";

/** A counter without end: only a bound stops it. */
export const endless: Spec<{ n: number; pad: readonly string[] }> = {
  name: "endless",
  init: [{ n: 0, pad: ["a", "b", "c"] }],
  actions: [{ name: "Inc", next: (s) => ({ ...s, n: s.n + 1 }) }],
};

/** Breaks the contract: Bump changes the parent's shared array in place. */
export const mutating: Spec<{ counts: number[]; n: number }> = {
  name: "mutating",
  init: [{ counts: [0, 0], n: 0 }],
  actions: [
    { name: "Next", next: (s) => (s.n < 400 ? { ...s, n: s.n + 1 } : undefined) },
    {
      name: "Bump",
      next: (s) => {
        if (s.n !== 5) return undefined;
        s.counts[0]++;
        return { ...s, n: 1000 };
      },
    },
  ],
  isEnd: () => true,
};

/** The test specs by name. */
export const TEST_SPECS: readonly SpecEntry[] = [
  specEntry({ name: "endless", description: "endless counter", params: {}, build: () => endless }),
  specEntry({
    name: "mutating",
    description: "changes a state in place",
    params: {},
    build: () => mutating,
  }),
];
