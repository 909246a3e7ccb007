/**
 * Which mutants of the model a scenario replay can see at all. A replay compares replies; a
 * mutant that only changes internal bookkeeping (references, trackers, lock order, the order of
 * teardown steps, a race window) answers every request exactly like the correct model, so no
 * scenario can fail on it. The checker catches each of these by exploration instead (see
 * `model/kill_table.ts`); equivalent mutants are caught by nothing, by definition.
 *
 * @module
 */

import { MUTANTS } from "../model/mutants.ts";

/**
 * Mutants invisible to scenario replay, with the reason and what catches them instead: the
 * `invisibleToReplies` note of each mutant's file (model/mutants/).
 */
export const MUTANTS_INVISIBLE_TO_REPLIES: Readonly<Record<string, string>> = Object.fromEntries(
  MUTANTS.flatMap((m) => m.invisibleToReplies ? [[m.id, m.invisibleToReplies]] : []),
);
