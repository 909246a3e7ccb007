/**
 * leasecheck: a conformance suite and TLA-style explicit-state model checker for Linux rx-queue
 * leasing (netdev `queue-create`, lease info in `queue-get`, memory providers through leased
 * queues, netkit single mode, the netkit unregister notifier).
 *
 * This module holds the common entry points; each part has a sub-path with the rest:
 * `./checker` (the generic engine), `./model` (the device model, its configurations and
 * mutants), `./scenarios` (the scenario format, replay, certification and its adapters),
 * `./reports` (terminal text, report folders, KTAP/JUnit), `./spec` (the fact base),
 * `./kernel` (certifying a real kernel) and `./examples` (specs with known answers).
 *
 * @example Check the device model (a small configuration)
 * ```ts
 * import { explore, leasingSpec, SELFTEST_CONFIG } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = explore(leasingSpec({ ...SELFTEST_CONFIG, mutant: "C-02" }));
 * assert.equal(result.verdict, "violation");
 * ```
 *
 * @example Certify an implementation against a scenario
 * ```ts
 * import { certify, ModelAdapter, parseScenario } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const scenario = parseScenario(
 *   "name: no_such_device\ndescription: queue-get on a missing ifindex\nfacts: [QG-03]\n" +
 *     "kernel: '7.1'\ntopology: {}\nsteps:\n  - op: queue-get\n" +
 *     "    request: {ifindex: 99, id: 0, type: rx}\n    expect: {error: {errno: ENODEV}}\n",
 *   "no_such_device.yaml",
 * );
 * const report = await certify({
 *   name: "model",
 *   info: {},
 *   ops: ["queue-create", "queue-get"],
 *   forScenario: () => Promise.resolve(new ModelAdapter()),
 *   close: () => Promise.resolve(),
 * }, [scenario]);
 * assert.equal(report.summary.pass, 1);
 * // Certified needs a scenario for every declared operation: queue-create has none here.
 * assert.equal(report.profile.verdict, "not-certified");
 * ```
 *
 * @module
 */

export {
  type Action,
  action,
  type ActionProperty,
  type CheckResult,
  EXIT_CODES,
  exitCodeOf,
  explore,
  type ExploreOptions,
  type Invariant,
  type ProcessLocks,
  simulate,
  type SimulateOptions,
  type Spec,
  type StepLabel,
  type Trace,
  type Verdict,
  type Violation,
} from "./checker/mod.ts";
export { exploreParallel, type ParallelOptions, type SpecSource } from "./checker/parallel.ts";
export {
  applyStep,
  DEFAULT_CONFIG,
  leasingSpec,
  type ModelConfig,
  type ModelState,
  type ModelStep,
  MUTANTS,
  NAMED_CONFIGS,
  SELFTEST_CONFIG,
} from "./model/mod.ts";
export {
  type CertificationReport,
  certify,
  loadScenarios,
  ModelAdapter,
  parseScenario,
  ProcessAdapter,
  type ReplayAdapter,
  replayScenario,
  type Scenario,
  type ScenarioResult,
} from "./scenarios/mod.ts";
export { renderResult, renderVerdict, toJunit, toKtap } from "./reports/mod.ts";
export { type Fact, type FactBase, loadFacts } from "./spec/facts.ts";
