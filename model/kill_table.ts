/**
 * Which check catches each mutant: the configuration each mutant is explored under, and
 * {@linkcode killTable}, which explores them all (the model's spec first; for mutants that only
 * change replies, the differential spec of differential.ts) and reports what caught each one and
 * how long the counterexample is.
 *
 * @module
 */

import { explore } from "../checker/explore.ts";
import type { CheckResult } from "../checker/result.ts";
import { type ModelConfig, NAMED_CONFIGS, SELFTEST_CONFIG } from "./config.ts";
import { differentialSpec } from "./differential.ts";
import { type MutantId, MUTANTS } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";

/** How one mutant is checked. */
export interface MutantCheck {
  /** Name of the configuration, for the table. */
  readonly configName: string;
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

/** Small named configurations the mutants are explored under (besides NAMED_CONFIGS). */
export const MUTANT_CONFIGS: Readonly<Record<string, ModelConfig>> = {
  selftest: SELFTEST_CONFIG,
  single,
  "small-pair": smallPair,
  "two-nics": NAMED_CONFIGS["two-nics"],
  mlx5: { ...NAMED_CONFIGS.mlx5, concurrency: 1 },
  "stepped-delete": {
    ...smallPair,
    operations: ["queue-create", "netkit-dellink"],
    concurrency: 2,
  },
  "stepped-mlx5": {
    ...NAMED_CONFIGS.mlx5,
    operations: ["queue-create", "mp-bind", "netkit-dellink"],
    concurrency: 2,
  },
  "stepped-move": {
    ...single,
    operations: ["queue-create", "netns-move"],
    concurrency: 2,
  },
};

const use = (configName: string, check: "spec" | "differential" = "spec"): MutantCheck => ({
  configName,
  config: MUTANT_CONFIGS[configName],
  check,
});

/**
 * The check of every implemented mutant: the configuration in which it is observable, and
 * whether an invariant/property/lock check of the model catches it (`spec`) or only the replies
 * differ (`differential`).
 */
export const MUTANT_CHECKS: Readonly<Record<string, MutantCheck>> = {
  "C-01": use("selftest", "differential"),
  "C-02": use("selftest"),
  "C-03": use("selftest"),
  "C-04": use("two-nics"),
  "C-05": use("two-nics"),
  "C-06": use("selftest"),
  "C-07": use("stepped-delete"),
  "C-08": use("selftest"),
  "C-09": use("selftest"),
  "C-10": use("selftest"),
  "C-11": use("selftest"),
  "C-12": use("selftest"),
  "C-13": use("selftest"),
  "C-14": use("selftest"),
  "C-15": use("selftest"),
  "C-16": use("selftest"),
  "C-17": use("selftest", "differential"),
  "C-18": use("selftest", "differential"),
  "C-19": use("selftest"),
  "C-20": use("small-pair"),
  "C-21": use("stepped-mlx5"),
  "C-22": use("mlx5", "differential"),
  "C-23": use("selftest"),
  "C-24": use("selftest"),
  "C-25": use("selftest"),
  "C-26": use("single"),
  "C-27": use("single", "differential"),
  "C-28": use("selftest"),
  "C-29": use("selftest", "differential"),
  "C-30": use("selftest"),
  "C-31": use("selftest"),
  "C-32": use("selftest"),
  "C-33": use("selftest"),
  "C-34": use("selftest"),
  "C-35": use("mlx5", "differential"),
  "C-37": use("selftest", "differential"),
  "C-38": use("selftest", "differential"),
  "C-39": use("selftest"),
  "C-40": use("stepped-move"),
};

/** One row of the kill table. */
export interface KillRow {
  /** The mutant. */
  readonly id: MutantId;
  /** The mutation. */
  readonly mutation: string;
  /** The configuration explored. */
  readonly configName: string;
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
  return { by: `${v.kind} ${v.name}`, length: v.trace.steps.length - 1 };
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
 * const rows = killTable(["C-02"]);
 * console.assert(rows[0].caughtBy === "invariant INV-L1");
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
