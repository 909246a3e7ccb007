/**
 * The executable spec of Linux rx-queue leasing: state, operations (one per file in `ops/`),
 * invariants, mutants, and the engine spec built from a configuration.
 *
 * @module
 */

import { type ParamValue, type SpecEntry, specEntry } from "../checker/registry.ts";
import { type ModelConfig, NAMED_CONFIGS } from "./config.ts";
import { type MutantId, MUTANTS } from "./mutants.ts";
import { leasingSpec } from "./spec.ts";
import { DEFAULT_KERNEL } from "./versions.ts";

export {
  DEFAULT_CONFIG,
  MODEL_CONFIG_SCHEMA,
  type ModelConfig,
  ModelConfigError,
  NAMED_CONFIGS,
  OPERATION_NAMES,
  type OperationName,
  SELFTEST_CONFIG,
  validateConfig,
} from "./config.ts";
export { differentialSpec, type DiffState } from "./differential.ts";
export { initialState } from "./init.ts";
export {
  type KillRow,
  killTable,
  MUTANT_CHECKS,
  MUTANT_CONFIGS,
  type MutantCheck,
  type MutantConfigName,
  renderKillTable,
} from "./kill_table.ts";
export { mutantById, type MutantId, type MutantInfo, MUTANTS } from "./mutants.ts";
export {
  type EnvironmentAction,
  hook,
  type HookName,
  type Hooks,
  type Mutant,
  type Patch,
} from "./hooks.ts";
export { drain, PROGRAMS } from "./programs.ts";
export { leasingSpec, requestStep } from "./spec.ts";
export { applyStep, formatRequest, formatStep, type ModelStep, type StepBase } from "./step.ts";
export type { OpName } from "../spec/operations.ts";
export { stepsOf } from "./requests.ts";
export {
  DEFAULT_KERNEL,
  KERNEL_SEGMENTS,
  kernelHas,
  KernelVersionError,
  kernelWithin,
  MODEL_KERNEL_RANGE,
  rangeOfSegments,
  segmentOf,
  validateKernel,
  VERSIONED_FACTS,
  type VersionedFact,
  type VersionedFactId,
} from "./versions.ts";
export { properties } from "./properties.ts";
export type {
  Binding,
  BindingIndex,
  BindingKind,
  Device,
  DeviceBase,
  DeviceIndex,
  Hold,
  LockId,
  ModelState,
  NetkitDevice,
  NetkitMode,
  NetkitPairing,
  NetkitPolicy,
  NetkitScrub,
  Netns,
  NetnsIndex,
  PhysicalDevice,
  PhysicalDriver,
  PlainVirtualDevice,
  Proc,
  QueueRef,
  RegState,
  RxQueue,
} from "./state.ts";
export type { NetkitConfig, NsidConfig, PhysicalConfig } from "./config.ts";
export type { ModelOptions } from "./mutants.ts";
export { ERRNO, type ErrnoName, type OpFailure, type OpReply, type OpSuccess } from "./errors.ts";
export type { Acquisition, Exec, Program, Seg } from "./process.ts";
export type { BindingReply, Caller, EmptyNest, LinkIdRequest, OpResult } from "./ops/types.ts";
export type { Frame, UnleaseAt, UnleaseStep, UnregisterCtx } from "./ops/_unregister.ts";
export type {
  IoUringNest,
  LeaseInfo,
  QueueGetDumpRequest,
  QueueGetRequest,
  QueueInfo,
  QueueMpInfo,
} from "./ops/queue_get.ts";
export type { NetkitInfoData } from "./ops/getlink.ts";
export type { LeaseAttr, QueueCreateRequest, QueueIdAttr } from "./ops/queue_create.ts";
export type { NetkitData, NetkitNewlinkRequest, NetkitPeerInfo } from "./ops/netkit_newlink.ts";
export type { NetkitChangelinkRequest } from "./ops/netkit_changelink.ts";
export type { DellinkRequest } from "./ops/dellink.ts";
export type { PhysRemoveRequest } from "./ops/phys_remove.ts";
export type { NetnsMoveRequest } from "./ops/netns_move.ts";
export type { LinkSetRequest } from "./ops/link_set.ts";
export type { BindRxRequest } from "./ops/bind_rx.ts";
export {
  bindTx,
  type BindTxRequest,
  netdevFindNetmemTxDev,
  type NetmemTx,
  netmemTx,
} from "./ops/bind_tx.ts";
export type { XskBindRequest } from "./ops/xsk_bind.ts";
export type { ZcrxRegisterRequest } from "./ops/zcrx_register.ts";
export type { CloseRequest } from "./ops/close.ts";
export type { GetlinkRequest, NetkitLinkInfo } from "./ops/getlink.ts";
export type { NewlinkRequest } from "./ops/newlink.ts";
export type { ChannelsSetRequest } from "./ops/channels_set.ts";
export type { NetnsDeleteRequest } from "./ops/netns_delete.ts";
export { netnsSetId, type NetnsSetIdRequest } from "./ops/netns_set_id.ts";
export type { DriverChannelsRequest } from "./mutants/c08.ts";
export type {
  Action,
  ActionProperty,
  Invariant,
  ProcessLocks,
  Spec,
  StepLabel,
} from "../checker/spec.ts";
export type { ParamInfo, ParamValue, SpecEntry } from "../checker/registry.ts";

/** The model as a registry entry (`deno task check --spec leasing`). */
export const LEASING_SPEC: SpecEntry = specEntry({
  name: "leasing",
  description:
    "rx-queue leasing: netdevsim + netkit pair + single netkit across two namespaces, every " +
    "operation, two in-flight operations (only the single netkit moves; config=moves moves the pair)",
  params: {
    config: {
      type: "string",
      default: "default",
      choices: Object.keys(NAMED_CONFIGS),
      description: "a named configuration (model/config.ts NAMED_CONFIGS)",
    },
    concurrency: {
      type: "int",
      default: 0,
      min: 0,
      max: 4,
      description: "in-flight operations (1 = atomic; 0 = the configuration's own)",
    },
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
    kernel: {
      type: "string",
      default: DEFAULT_KERNEL,
      description: "the kernel version to answer for (model/versions.ts: facts that differ by " +
        "version), e.g. 7.1.4, 7.2",
    },
    "late-start": {
      type: "bool",
      default: true,
      description: "the late-start reduction of stepped runs (a request that holds nothing " +
        "before its first lock starts when that lock is free)",
    },
    moves: {
      type: "int",
      default: -1,
      min: -1,
      max: 8,
      description: "how many netns-move requests a run may issue (-1: the configuration's own)",
    },
  },
  build: (p) => leasingSpec(leasingConfig(p)),
});

/** The model configuration the `leasing` registry entry builds from its parameters. */
export function leasingConfig(p: Readonly<Record<string, ParamValue>>): Partial<ModelConfig> {
  const base = NAMED_CONFIGS[p.config as string];
  return {
    ...base,
    mutant: p.mutant === "none" ? null : (p.mutant as MutantId),
    kernel: (p.kernel ?? DEFAULT_KERNEL) as string,
    ...(p["late-start"] === false ? { lateStart: false } : {}),
    netkitCreations: p.creations as number,
    concurrency: (p.concurrency as number) || base.concurrency,
    ...((p.moves ?? -1) as number) >= 0 ? { netnsMoves: p.moves as number } : {},
    netkits: p.single
      ? [...base.netkits, { name: "nk2", netns: "init", pairing: "single", numRxQueues: 2 }]
      : base.netkits,
  };
}
