/**
 * The generic explicit-state engine: write a {@link Spec} (initial states, actions, invariants,
 * action properties, end states, optional symmetry and lock information), then {@link explore}
 * it exhaustively or {@link simulate} random walks. Results are values ({@link CheckResult});
 * counterexamples come with a replay token.
 *
 * @example Usage
 * ```ts
 * import { explore, type Spec } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const spec: Spec<{ n: number }> = {
 *   name: "count",
 *   init: [{ n: 0 }],
 *   actions: [{ name: "Inc", next: (s) => (s.n < 5 ? { n: s.n + 1 } : undefined) }],
 *   invariants: [{ name: "Small", holds: (s) => s.n < 4 }],
 * };
 * const result = explore(spec);
 * assert.equal(result.verdict, "violation");
 * ```
 *
 * @module
 */

export {
  type Action,
  action,
  type ActionProperty,
  type Invariant,
  type LockAcquisition,
  type ProcessLocks,
  type Spec,
  type StepLabel,
} from "./spec.ts";
export { collisionProbability, explore, type ExploreOptions, type Progress } from "./explore.ts";
export { simulate, type SimulateOptions } from "./simulate.ts";
export {
  buildScope,
  type EngineScope,
  type Scope,
  type ScopeEntry,
  type ScopeSection,
  type ScopeSettings,
  type SpecScope,
  specScopeOf,
  type StopReason,
} from "./scope.ts";
export {
  deadlockOf,
  type DeadlockRule,
  describeDeadlockRule,
  findDeadlock,
  progressFlags,
} from "./deadlock.ts";
export {
  type ActionStats,
  type CheckResult,
  EXIT_CODES,
  exitCodeOf,
  type LockEdge,
  type Stats,
  type Trace,
  type TraceStep,
  type Verdict,
  type Violation,
} from "./result.ts";
export {
  decodeToken,
  encodeToken,
  formatValue,
  initialStates,
  type Path,
  type PathStep,
  ReplayError,
  replayPath,
} from "./trace.ts";
export { canonicalKey, type Fingerprint, fingerprint, fingerprintHex } from "./fingerprint.ts";
export { ExactSeenSet, FingerprintSeenSet, NO_PARENT, type SeenSet } from "./seen_set.ts";
export { LockGraph, type WitnessedEdge } from "./lock_graph.ts";
export {
  ByteSink,
  ByteSource,
  DecodeError,
  EncodeError,
  type StateCodec,
  STRUCTURAL_CODEC,
} from "./codec.ts";
export {
  AUTO_ENCODE_AFTER,
  CHUNK_STATES,
  Frontier,
  type FrontierMode,
  type FrontierOptions,
} from "./frontier.ts";
export {
  collectGarbage,
  DEFAULT_BUDGET_SHARE,
  defaultMemoryBudget,
  HEAP_PRESSURE_SHARE,
  type MemorySample,
  type MemoryState,
  MemoryWatch,
  parseMemorySize,
  sampleMemory,
  systemMemoryBytes,
} from "./memory.ts";
export { deepFreeze } from "./immutable.ts";
export {
  paramFlags,
  type ParamInfo,
  type ParamValue,
  parseParams,
  type SpecEntry,
  specEntry,
  UsageError,
} from "./registry.ts";
