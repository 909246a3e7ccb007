/**
 * Trace emission: model traces written as replayable scenarios (YAML) and ITF traces.
 *
 * - {@linkcode emitForRun}: what `deno task check --emit DIR` calls after a `leasing` run.
 * - {@linkcode emitViolation}: a counterexample as `<name>.yaml` + `<name>.itf.json`.
 * - {@linkcode emitCovering} / {@linkcode coveringTraces}: shortest passing scenarios reaching
 *   every distinct outcome (error path) and attributed fact of the correct model.
 * - {@linkcode generateCorpus} / {@linkcode coverTopology}: the generated corpus (`deno task
 *   corpus`): walks taking every transition class of each {@linkcode CORPUS_TOPOLOGIES} entry.
 * - {@linkcode scenarioOfTrace} / {@linkcode topologyOf}: the conversion itself.
 * - {@linkcode checkInvariantsAfterReplay}: replays a scenario on the model or a mutant and
 *   evaluates the model's invariants and properties after each step.
 *
 * @module
 */

export {
  CORPUS_TOPOLOGIES,
  type CorpusOptions,
  type CorpusTopology,
  type CorpusWalk,
  coverTopology,
  generateCorpus,
  type GeneratedCorpus,
  type GeneratedScenario,
  observableClass,
  outcomeClass,
  PROVIDER_OPERATIONS,
  type TopologyCover,
} from "./corpus.ts";
export {
  type CoveringOptions,
  type CoveringScenario,
  coveringScenarios,
  type CoveringSet,
  type CoveringTrace,
  coveringTraces,
} from "./covering.ts";
export {
  emitCovering,
  EmitError,
  emitForRun,
  type EmitForRunOptions,
  type EmittedViolation,
  emitViolation,
  type EmitViolationOptions,
  reproduceCommand,
  traceOf,
  violationName,
  writeNewFile,
} from "./emit.ts";
export {
  type AllowedOutcome,
  allowedOutcomes,
  MAX_RACE_STATES,
  type RaceModel,
  RaceModelError,
  type RaceThread,
  raceThreads,
} from "./race_outcomes.ts";
export {
  checkInvariantsAfterReplay,
  type InvariantReplayOptions,
  type InvariantReplayResult,
  type ReplayViolation,
} from "./replay_invariants.ts";
export {
  EMIT_KERNEL,
  type EmittedScenario,
  isModelStep,
  parsedTopologyOf,
  scenarioOfTrace,
  type ScenarioOfTraceOptions,
  SteppedTraceError,
  topologyOf,
  type YamlObject,
} from "./scenario_of_trace.ts";
export type { YamlData } from "./_yaml.ts";
