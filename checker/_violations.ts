/**
 * Turns the violations recorded during a search into result values, rebuilding each trace by
 * replaying the recorded steps from an initial state.
 *
 * @module
 */

import type { Pending, Site } from "./_expand.ts";
import type { LockEdge, Trace, Violation } from "./result.ts";
import { NO_PARENT } from "./seen_set.ts";
import type { Spec } from "./spec.ts";
import { encodeToken, type Path, type PathStep, replayPath } from "./trace.ts";

/** How each stored state was first reached. */
export interface StepRecordsView {
  /** Parent index, {@link NO_PARENT} for initial states. */
  parentOf(index: number): number;
  /** Action index of the step that reached it. */
  actionOf(index: number): number;
  /** Parameter ordinal of that step (initial states: the init ordinal). */
  ordinalOf(index: number): number;
}

const NO_TRACE: Trace<never> = { steps: [], token: "" };

/** The path from an initial state to `index`, plus an optional last step out of it. */
export function pathTo(records: StepRecordsView, index: number, last?: PathStep): Path {
  const steps: PathStep[] = [];
  let i = index;
  while (records.parentOf(i) !== NO_PARENT) {
    steps.push({ action: records.actionOf(i), ordinal: records.ordinalOf(i) });
    i = records.parentOf(i);
  }
  steps.reverse();
  if (last) steps.push(last);
  return { init: records.ordinalOf(i), steps };
}

/** Builds the result's violations from the pending ones. */
export function buildViolations<S>(
  spec: Spec<S>,
  pending: readonly Pending[],
  records: StepRecordsView,
): Violation<S>[] {
  const traceOf = (path: Path): Trace<S> => ({
    steps: replayPath(spec, path),
    token: encodeToken(path),
  });
  const trace = (site: Site | undefined): Trace<S> =>
    site ? traceOf(pathTo(records, site.state, "step" in site ? site.step : undefined)) : NO_TRACE;
  const describe = (kind: string, name: string): string | undefined =>
    (kind === "invariant" ? spec.invariants : spec.properties)?.find((x) => x.name === name)
      ?.description;
  return pending.map((p): Violation<S> => {
    switch (p.kind) {
      case "lock-order":
        return {
          kind: p.kind,
          name: p.name,
          cycle: (p.cycle ?? []).map((e): LockEdge<S> => ({
            from: e.from,
            to: e.to,
            process: spec.processNames?.[e.process] ?? `p${e.process}`,
            trace: traceOf(pathTo(records, e.site.state, e.site.step)),
          })),
        };
      case "deadlock":
        return {
          kind: p.kind,
          name: p.name,
          rule: p.rule ?? "no-enabled-action",
          trace: trace(p.site),
          locks: p.locks,
        };
      case "error":
        return { kind: p.kind, name: p.name, message: p.message ?? "", trace: trace(p.site) };
      default:
        return {
          kind: p.kind,
          name: p.name,
          description: describe(p.kind, p.name),
          trace: trace(p.site),
        };
    }
  });
}

/** The name of a lock-order cycle: `A -> B -> A`. */
export function cycleName(edges: readonly { readonly from: string }[]): string {
  return [...edges.map((e) => e.from), edges[0].from].join(" -> ");
}
