/**
 * The executable spec of Linux rx-queue leasing: state, operations (one per file in `ops/`),
 * invariants, mutants, and the engine spec built from a configuration.
 *
 * @module
 */

import { type SpecEntry, specEntry } from "../checker/registry.ts";
import { DEFAULT_CONFIG, type ModelConfig } from "./config.ts";
import { type MutantId, MUTANTS } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";

export { DEFAULT_CONFIG, type ModelConfig, ModelConfigError, validateConfig } from "./config.ts";
export { type MutantId, type MutantInfo, MUTANTS } from "./mutants.ts";
export { applyStep, leasingSpec, type ModelStep } from "./spec.ts";
export type { ModelState } from "./state.ts";

/** The model as a registry entry (`deno task check --spec leasing`). */
export const LEASING_SPEC: SpecEntry = specEntry({
  name: "leasing",
  description: "rx-queue leasing: netdevsim + netkit pair across two namespaces, every operation",
  params: {
    mutant: {
      type: "string",
      default: "none",
      choices: ["none", ...MUTANTS.filter((m) => m.implemented).map((m) => m.id)],
      description: "a bugs.md section C mutant to explore instead of the correct model",
    },
    single: {
      type: "bool",
      default: false,
      description: "add a single-mode netkit nk2 (2 rx queues) in init",
    },
    creations: {
      type: "int",
      default: 0,
      min: 0,
      max: 3,
      description: "how many netkit NEWLINK requests may create devices",
    },
  },
  build: (p) => {
    const config: Partial<ModelConfig> = {
      mutant: p.mutant === "none" ? null : (p.mutant as MutantId),
      netkitCreations: p.creations as number,
      netkits: p.single
        ? [...DEFAULT_CONFIG.netkits, {
          name: "nk2",
          netns: "init",
          pairing: "single",
          numRxQueues: 2,
        }]
        : DEFAULT_CONFIG.netkits,
    };
    return leasingSpec(config);
  },
});
