/**
 * Which check catches each mutant: the configurations mutants are explored under, the check each
 * mutant's file names (`kill`), and {@linkcode killTable}, which explores them all (the model's
 * spec first; for mutants that only change replies, the differential spec of differential.ts) and
 * reports what caught each one and how long the counterexample is.
 *
 * @module
 */

import { explore } from "../checker/explore.ts";
import type { CheckResult } from "../checker/result.ts";
import { type ModelConfig, NAMED_CONFIGS, SELFTEST_CONFIG } from "./config.ts";
import { differentialSpec } from "./differential.ts";
import { mutantById, type MutantId, MUTANTS } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";

/** How one mutant is checked. */
export interface MutantCheck {
  /** Name of the configuration, for the table. */
  readonly configName: MutantConfigName;
  /** The configuration (the mutant is set on top). */
  readonly config: ModelConfig;
  /** `spec`: explore the model with the mutant; `differential`: compare replies with the model. */
  readonly check: "spec" | "differential";
}

const single: ModelConfig = {
  ...SELFTEST_CONFIG,
  netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
};
const smallPair: ModelConfig = {
  ...SELFTEST_CONFIG,
  netkits: [{
    name: "nk0",
    netns: "init",
    pairing: "pair",
    numRxQueues: 2,
    peerName: "nk1",
    peerNetns: "ns1",
  }],
};

/** The name of a configuration mutants are explored under. */
export type MutantConfigName =
  | "selftest"
  | "single"
  | "small-pair"
  | "two-nics"
  | "mlx5"
  | "stepped-delete"
  | "stepped-mlx5"
  | "stepped-move"
  | "stepped-create"
  | "stepped-changelink"
  | "stepped-netns-delete";

/** Small named configurations the mutants are explored under (besides NAMED_CONFIGS). */
export const MUTANT_CONFIGS: Readonly<Record<MutantConfigName, ModelConfig>> = {
  selftest: SELFTEST_CONFIG,
  single,
  "small-pair": smallPair,
  "two-nics": NAMED_CONFIGS["two-nics"],
  mlx5: { ...NAMED_CONFIGS.mlx5, concurrency: 1 },
  "stepped-delete": {
    ...smallPair,
    operations: ["queue-create", "dellink"],
    concurrency: 2,
  },
  "stepped-mlx5": {
    ...NAMED_CONFIGS.mlx5,
    operations: ["queue-create", "bind-rx", "zcrx-register", "xsk-bind", "dellink"],
    concurrency: 2,
  },
  "stepped-move": {
    ...single,
    operations: ["queue-create", "netns-move"],
    concurrency: 2,
  },
  "stepped-create": { ...single, operations: ["queue-create"], concurrency: 2 },
  "stepped-changelink": { ...single, operations: ["queue-create", "newlink"], concurrency: 2 },
  "stepped-netns-delete": {
    ...smallPair,
    operations: ["queue-create", "netns-delete"],
    concurrency: 2,
  },
};

/**
 * The check of every implemented mutant, read from its file (`Mutant.kill`): the configuration
 * in which it is observable, and whether an invariant/property/lock check of the model catches
 * it (`spec`) or only the replies differ (`differential`).
 */
export const MUTANT_CHECKS: Readonly<Record<string, MutantCheck>> = Object.fromEntries(
  MUTANTS.flatMap((m) => {
    const kill = mutantById(m.id)?.kill;
    if (kill === undefined) return [];
    const check = {
      configName: kill.config,
      config: MUTANT_CONFIGS[kill.config],
      check: kill.check,
    };
    return [[m.id, check]];
  }),
);

/** One row of the kill table. */
export interface KillRow {
  /** The mutant. */
  readonly id: MutantId;
  /** The mutation. */
  readonly mutation: string;
  /** The configuration explored. */
  readonly configName: MutantConfigName;
  /** The check run. */
  readonly check: "spec" | "differential";
  /** True for a documented equivalent mutant (expected not to be caught). */
  readonly equivalent: boolean;
  /** What caught it, e.g. `invariant INV-L1`, or null. */
  readonly caughtBy: string | null;
  /** Steps of the counterexample (initial state excluded), or null. */
  readonly traceLength: number | null;
  /** Distinct states explored. */
  readonly states: number;
}

function firstViolation(r: CheckResult<unknown>): { by: string; length: number } | null {
  const v = r.violations[0];
  if (v === undefined) return null;
  if (v.kind === "lock-order") {
    const length = Math.max(...v.cycle.map((e) => e.trace.steps.length - 1));
    return { by: `lock-order ${v.name}`, length };
  }
  const by = v.kind === v.name ? v.kind : `${v.kind} ${v.name}`;
  return { by, length: v.trace.steps.length - 1 };
}

/** Explores one mutant under its check; the result and the row. */
export function killRow(id: MutantId): KillRow {
  const info = MUTANTS.find((m) => m.id === id);
  const check = MUTANT_CHECKS[id];
  if (info === undefined || check === undefined) {
    throw new RangeError(`Cannot check mutant ${id}: it has no configuration in MUTANT_CHECKS`);
  }
  const r = check.check === "spec"
    ? explore(leasingSpec({ ...check.config, mutant: id }))
    : explore(differentialSpec(check.config, id));
  const found = firstViolation(r as CheckResult<unknown>);
  return {
    id,
    mutation: info.mutation,
    configName: check.configName,
    check: check.check,
    equivalent: info.equivalent === true,
    caughtBy: found?.by ?? null,
    traceLength: found?.length ?? null,
    states: r.stats.distinct,
  };
}

/**
 * The kill table: every implemented mutant explored under its check, in catalogue order.
 *
 * @example Usage
 * ```ts
 * import { killTable } from "./kill_table.ts";
 * import assert from "node:assert/strict";
 * const rows = killTable(["C-02"]);
 * assert.equal(rows[0].caughtBy, "invariant INV-L1");
 * ```
 */
export function killTable(ids?: readonly MutantId[]): KillRow[] {
  const chosen = ids ?? MUTANTS.filter((m) => m.implemented).map((m) => m.id);
  return chosen.map(killRow);
}

/**
 * Renders the table as Markdown (for the README).
 *
 * @example Usage
 * ```ts
 * import { killTable, renderKillTable } from "./kill_table.ts";
 * console.log(renderKillTable(killTable(["C-02"])));
 * ```
 */
export function renderKillTable(rows: readonly KillRow[]): string {
  const lines = [
    "| Mutant | Mutation | Config | Check | Caught by | Trace |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const by = r.caughtBy ?? (r.equivalent ? "— (equivalent)" : "NOT CAUGHT");
    lines.push(
      `| ${r.id} | ${r.mutation} | ${r.configName} | ${r.check} | ${by} | ${
        r.traceLength ?? "—"
      } |`,
    );
  }
  return lines.join("\n");
}
