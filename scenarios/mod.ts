/**
 * Scenario files: a YAML format for replayable rx-queue leasing cases (topology, then steps in
 * ynl's JSON shapes with expected replies or errors), its parser and JSON schema, the replayer
 * with its adapter interface, the in-process model adapter, the process adapter (any program
 * speaking `PROTOCOL.md`), certification, and counterexample emission.
 *
 * @example Replay a scenario against the model
 * ```ts
 * import { ModelAdapter, parseScenario, replayScenario } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const text = `
 * name: double_lease
 * description: The second lease of one queue fails with EBUSY.
 * facts: [QC-22]
 * kernel: "7.1"
 * topology:
 *   physical: [{ name: nsim, kind: netdevsim, queues: 2 }]
 *   links: [{ name: nk, request: { linkinfo: { kind: netkit, data: { pairing: single } }, num-rx-queues: 3 } }]
 * steps:
 *   - op: queue-create
 *     request: { ifindex: $nk, type: rx, lease: { ifindex: $nsim, queue: { id: 1, type: rx } } }
 *     expect: { reply: { id: 1 } }
 *   - op: queue-create
 *     request: { ifindex: $nk, type: rx, lease: { ifindex: $nsim, queue: { id: 1, type: rx } } }
 *     expect: { error: { errno: EBUSY, code: -16, extack: "Device queue in use due to queue leasing" } }
 * `;
 * const result = await replayScenario(parseScenario(text, "double_lease.yaml"), new ModelAdapter());
 * assert.equal(result.verdict, "pass");
 * ```
 *
 * @module
 */

export type {
  ErrorExpectation,
  Expectation,
  JsonObject,
  JsonValue,
  LinkDecl,
  NamespaceDecl,
  OkExpectation,
  OpName,
  PeerDecl,
  PhysicalDecl,
  PhysicalKind,
  RaceSpec,
  ReplyExpectation,
  Scenario,
  ScheduleEntry,
  SourcePos,
  Step,
  StepDefines,
  Topology,
} from "./format.ts";
export {
  type AttrSet,
  type AttrSpec,
  OP_NAMES,
  OPERATIONS,
  type OpSpec,
  type SymbolKind,
  type YnlOp,
} from "./ops.ts";
export {
  type ParseOptions,
  parseScenario,
  ScenarioSyntaxError,
  ScenarioValidationError,
  suggest,
} from "./parse.ts";
export { loadScenarios } from "./load.ts";
export {
  type DeviceRef,
  deviceRefs,
  explainedNames,
  rawDeviceWarnings,
  type ScenarioWarning,
} from "./device_refs.ts";
export { DryRunRefusedError, type YnlCommandOptions, ynlCommands } from "./ynl_commands.ts";
export { diffOutcome, lookup, type Outcome, showExpectation, showOutcome } from "./match.ts";
export {
  AdapterUnsupportedError,
  type ApplyManyResult,
  type ApplyResult,
  linearize,
  type RaceOptions,
  type RaceReport,
  type RaceRun,
  type RaceThreadSteps,
  type ReplayAdapter,
  type ReplayOptions,
  replayScenario,
  type ResolvedStep,
  resolveExpectation,
  resolveSymbols,
  safeTeardown,
  type ScenarioResult,
  type ScenarioVerdict,
  type ScheduleOutcome,
  type StepResult,
  type SymbolTable,
  type SymbolValue,
  type TeardownReport,
} from "./replay.ts";
export { ModelAdapter, type ModelAdapterOptions, ModelSetupError } from "./model_adapter.ts";
export { MAX_SEQUENTIAL_ORDERS, runRace, type RunRaceOptions, sequentialOrders } from "./race.ts";
export { modelKernelFor, runScenario, type RunScenarioOptions } from "./run.ts";
export {
  type ImplementationInfo,
  ProcessAdapter,
  type ProcessAdapterOptions,
  ProcessStartError,
  PROTOCOL_VERSION,
  ProtocolError,
  ProtocolVersionError,
} from "./process_adapter.ts";
export {
  certify,
  type CertifyOptions,
  ImplementationFailedError,
  ImplementationUnavailableError,
  type KnownDeviation,
  loadDeviations,
  MAX_START_FAILURES,
  type OpenedAdapter,
} from "./certify.ts";
export {
  type AppliedDeviation,
  buildProfile,
  buildReport,
  type CertificationProfile,
  type CertificationReport,
  type CertificationVerdict,
  type CertifiedScenario,
  compareFactIds,
  type FactConformance,
  type OperationProfile,
  type ProfileProblem,
  REQUIRED_OPS,
} from "./certification.ts";
export * from "./emit/mod.ts";
export { ERRNO_VALUES } from "./errno.ts";
export type { MutantId } from "../model/mutants.ts";
export {
  type Move,
  type MoveResult,
  type PlanEnd,
  type PlanEntry,
  type PlanStep,
  runPlan,
  runPlanAsync,
  ScheduleError,
  schedulePlan,
} from "./schedule.ts";
