/**
 * Mutants at the model's boundary: the ids callers pass (`{ mutant: "C-16" }`), the options every
 * operation accepts, and the catalogue of bugs.md section C. The mutants themselves live in
 * `mutants/`, one file each, listed by `mutants/mod.ts`; each overrides hook points of the
 * correct model (`hooks.ts`, which resolves the id given here to the mutant).
 *
 * @module
 */

import type { Mutant } from "./hooks.ts";
import * as LISTED from "./mutants/mod.ts";

/** Options every operation accepts. */
export interface ModelOptions {
  /** The active mutant (a bugs.md section C id such as `"C-02"`), or none. */
  readonly mutant?: MutantId | null;
  /**
   * The kernel version to answer for (`versions.ts`: facts that differ by version); absent:
   * `DEFAULT_KERNEL` of `versions.ts`.
   */
  readonly kernel?: string;
  /**
   * The late-start reduction (default on): a request that holds nothing before its first lock
   * starts only when that lock is free. Off, it starts at once and waits, visibly, for it.
   */
  readonly lateStart?: boolean;
  /**
   * Keep multi-step replies (a dump's entries) in stepped runs too (`Exec.collect`): for a
   * replay that compares them; an exploration leaves it off.
   */
  readonly collectReplies?: boolean;
}

/** A mutant id of bugs.md section C. */
export type MutantId = `C-${string}`;

/** A catalogued mutant and whether this model implements it. */
export interface MutantInfo {
  /** bugs.md id. */
  readonly id: MutantId;
  /** The mutation, in one line. */
  readonly mutation: string;
  /** True when the mutant changes the model (it patches a hook point or adds an action). */
  readonly implemented: boolean;
  /** True for an equivalent mutant: no observable difference exists (nothing can catch it). */
  readonly equivalent?: boolean;
  /** Why it is equivalent or not implemented. */
  readonly note?: string;
  /**
   * Why no scenario replay can see it (it answers every request as the model does), and what
   * catches it instead; absent when its replies differ.
   */
  readonly invisibleToReplies?: string;
}

const ALL: readonly Mutant[] = Object.values(LISTED).sort((a, b) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0
);

/**
 * bugs.md section C in catalogue order: every mutant of `mutants/`, with what the model
 * implements ({@linkcode mutantById} gives the whole mutant).
 *
 * @example Usage
 * ```ts
 * import { MUTANTS } from "./mutants.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MUTANTS.length, 46);
 * assert.equal(MUTANTS.find((m) => m.id === "C-36")?.implemented, false);
 * ```
 */
export const MUTANTS: readonly MutantInfo[] = ALL;

const BY_ID: ReadonlyMap<string, Mutant> = new Map(ALL.map((m) => [m.id, m]));

/**
 * The mutant with bugs.md id `id`, or undefined.
 *
 * @example Usage
 * ```ts
 * import { mutantById } from "./mutants.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mutantById("C-02")?.mutation, "skip QC-22 (already leased)");
 * assert.equal(mutantById("none"), undefined);
 * ```
 */
export function mutantById(id: string): Mutant | undefined {
  return BY_ID.get(id);
}
