/**
 * Turns a model trace into a scenario file: the config's topology as YAML data, one scenario
 * step per model step with its request written with `$symbols`, and as expectation the reply
 * the CORRECT model gives at that point (it runs alongside, from the scenario's own topology,
 * exactly as the model adapter will replay it). For a mutant's trace, steps where the mutant
 * replies differently carry a `note` with the mutant's reply.
 *
 * @module
 */

import type { Trace } from "../../checker/result.ts";
import { canonicalKey } from "../../checker/fingerprint.ts";
import { type ModelConfig, validateConfig } from "../../model/config.ts";
import type { MutantId } from "../../model/mutants.ts";
import {
  DEFAULT_KERNEL,
  KERNEL_SEGMENTS,
  rangeOfSegments,
  segmentOf,
} from "../../model/versions.ts";
import { applyStep, type ModelStep } from "../../model/step.ts";
import type { OpReply } from "../../model/errors.ts";
import type { ModelState } from "../../model/state.ts";
import { loadFacts } from "../../spec/facts.ts";
import type { JsonObject, JsonValue, Topology } from "../format.ts";
import { lookup, type Outcome, showOutcome } from "../match.ts";
import { factsOf } from "../../model/facts_of.ts";
import { ModelRun, Naming, outcomeOf, type StepData, stepDataOf, symbolizeQueue } from "./_run.ts";
import { toYaml, type YamlData } from "./_yaml.ts";

/** A YAML object (scenario data as written to the file). */
export type YamlObject = { readonly [key: string]: YamlData };

/** Raised for a trace whose steps are not atomic model steps (stepped/concurrent actions). */
export class SteppedTraceError extends TypeError {
  /** Stable error code. */
  readonly code: string = "LCE001";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "SteppedTraceError";
  }
}

/** The kernel versions emitted expectations claim: the fact base's range for the model. */
export const EMIT_KERNEL = ">=7.1";

/** True when `param` has the shape of a model step (`{op, request, caller?}`). */
export function isModelStep(param: unknown): param is ModelStep {
  return typeof param === "object" && param !== null &&
    typeof (param as { op?: unknown }).op === "string" &&
    typeof (param as { request?: unknown }).request === "object";
}

/**
 * The topology of `config` as scenario YAML data: namespaces with their preset netns ids, physical devices by kind and queue count, and each netkit as an
 * rt-link NEWLINK request (a pair's peer created directly in its namespace through
 * `peer-info.net-ns`, so ifindexes match the model's initial state).
 *
 * @example Usage
 * ```ts
 * import { topologyOf } from "./scenario_of_trace.ts";
 * import { DEFAULT_CONFIG } from "../../model/config.ts";
 * import assert from "node:assert/strict";
 * const t = topologyOf(DEFAULT_CONFIG);
 * assert.deepEqual(t.physical, [{ name: "eth0", kind: "netdevsim", queues: 2 }]);
 * ```
 */
export function topologyOf(config: Partial<ModelConfig>): {
  namespaces: YamlObject[];
  physical: YamlObject[];
  links: YamlObject[];
} {
  const c = validateConfig(config);
  // The preset netns ids; the ids a cross-namespace pair allocates come with its NEWLINK.
  const tables = new Map<string, Record<string, number>>();
  const put = (ns: string, peer: string, id: number) => {
    const t = tables.get(ns) ?? {};
    if (t[peer] === undefined && !Object.values(t).includes(id)) t[peer] = id;
    tables.set(ns, t);
  };
  for (const e of c.nsids) put(e.netns, e.peer, e.id);
  const namespaces = c.namespaces.map((name): YamlObject => {
    const nsids = tables.get(name);
    return nsids === undefined || Object.keys(nsids).length === 0 ? { name } : { name, nsids };
  });
  const physical = c.physical.map((p): YamlObject => ({
    name: p.name,
    ...(p.netns === c.namespaces[0] ? {} : { netns: p.netns }),
    kind: p.driver,
    queues: p.queues,
    ...(p.maxChannels === undefined || p.maxChannels === p.queues
      ? {}
      : { "max-channels": p.maxChannels }),
    ...(p.up === false ? { up: false } : {}),
  }));
  const links = c.netkits.map((k): YamlObject => {
    const mode = k.mode ?? "l2";
    const netns: YamlObject = k.netns === c.namespaces[0] ? {} : { netns: k.netns };
    if (k.pairing === "single") {
      return {
        name: k.name,
        ...netns,
        request: {
          ifname: k.name,
          linkinfo: { kind: "netkit", data: { mode, pairing: "single" } },
          "num-rx-queues": k.numRxQueues,
        },
        ...(k.up === false ? { up: false } : {}),
      };
    }
    const peerName = k.peerName ?? `${k.name}p`;
    const peerNetns = k.peerNetns ?? k.netns;
    return {
      name: k.name,
      ...netns,
      request: {
        ifname: k.name,
        linkinfo: {
          kind: "netkit",
          data: {
            mode,
            policy: "forward",
            "peer-policy": "forward",
            "peer-info": {
              ifname: peerName,
              "num-rx-queues": k.numRxQueues,
              ...(peerNetns === k.netns ? {} : { "net-ns": peerNetns }),
            },
          },
        },
        "num-rx-queues": k.numRxQueues,
      },
      ...(k.up === false ? { up: false } : {}),
      peer: { name: peerName, netns: peerNetns, ...(k.up === false ? { up: false } : {}) },
    };
  });
  return { namespaces, physical, links };
}

/** The typed topology (as `parseScenario` would return it) of {@linkcode topologyOf} data. */
export function parsedTopologyOf(data: ReturnType<typeof topologyOf>): Topology {
  const pos = { line: 1, column: 1 };
  const s = (v: YamlData | undefined, d: string) => (typeof v === "string" ? v : d);
  return {
    namespaces: data.namespaces.map((n) => ({
      name: n.name as string,
      nsids: (n.nsids ?? {}) as Record<string, number>,
      pos,
    })),
    physical: data.physical.map((p) => ({
      name: p.name as string,
      netns: s(p.netns, "init"),
      kind: p.kind as "netdevsim" | "mlx5",
      queues: p.queues as number,
      ...(p["max-channels"] === undefined ? {} : { maxChannels: p["max-channels"] as number }),
      up: p.up !== false,
      pos,
    })),
    links: data.links.map((l) => {
      const peer = l.peer as YamlObject | undefined;
      const netns = s(l.netns, "init");
      return {
        name: l.name as string,
        netns,
        request: l.request as JsonObject,
        up: l.up !== false,
        ...(peer === undefined ? {} : {
          peer: { name: peer.name as string, netns: s(peer.netns, netns), up: peer.up !== false },
        }),
        pos,
      };
    }),
  };
}

/** Options of {@linkcode scenarioOfTrace}. */
export interface ScenarioOfTraceOptions {
  /** Scenario name (letters, digits, `_ . -`); the file should be `<name>.yaml`. */
  readonly name: string;
  /** What the scenario shows (default: a sentence naming the trace's token). */
  readonly description?: string;
  /** Fact ids to list first (the violated invariant, the mutant); unknown ids are dropped. */
  readonly facts?: readonly string[];
  /** `source:` (default: the spec and token). */
  readonly source?: string;
  /** `kernel:` (default {@linkcode EMIT_KERNEL}). */
  readonly kernel?: string;
  /**
   * End with a full observation, expecting the correct model's answers: a `queue-get` dump from
   * every live namespace and GETLINK of every netkit and physical device, so that a wrong state
   * fails the scenario that caused it (default false).
   */
  readonly observe?: boolean;
}

/** An emitted scenario: its YAML text and data, and what each step expects. */
export interface EmittedScenario {
  /** The scenario name. */
  readonly name: string;
  /** The file content (stable under `deno fmt`). */
  readonly yaml: string;
  /** The same as data. */
  readonly data: YamlObject;
  /** The facts listed. */
  readonly facts: readonly string[];
  /** The correct model's outcome of each step (what the scenario expects). */
  readonly expected: readonly Outcome[];
  /** The trace's own outcome of each step (the mutant's, for a mutant trace). */
  readonly observed: readonly Outcome[];
}

const RE_ERRNO_FIELDS = [
  ["badAttr", "bad-attr"],
  ["missType", "miss-type"],
  ["missNest", "miss-nest"],
] as const;

/**
 * The expectation a scenario writes for the model's `outcome` of `op`, called from namespace
 * `caller` in `state` (the state before the operation): ifindexes as `$symbols` of `naming`,
 * queue replies as `reply-subset` with their optional attributes expected absent.
 */
export function expectationOf(
  outcome: Outcome,
  naming: Naming,
  state: ModelState,
  caller: number,
  op?: string,
): YamlObject {
  if (outcome.kind === "error") {
    const error: Record<string, YamlData> = {
      errno: outcome.errno,
      code: outcome.code,
      extack: outcome.extack ?? null,
    };
    for (const [from, to] of RE_ERRNO_FIELDS) {
      const v = outcome[from];
      if (v !== undefined) error[to] = v;
    }
    return { error };
  }
  if (outcome.kind === "unsupported") return { ok: true };
  if (outcome.reply === null) return { ok: true };
  if (Array.isArray(outcome.reply)) {
    return queueExpectation(
      outcome.reply.map((q) => symbolizeQueue(naming, state, caller, q as Record<string, unknown>)),
    );
  }
  if (op === "queue-get" && typeof outcome.reply === "object") {
    return queueExpectation(
      symbolizeQueue(naming, state, caller, outcome.reply as Record<string, unknown>),
    );
  }
  return { reply: outcome.reply };
}

/**
 * The paths of `optional` that `reply` lacks, leaving out those whose parent it lacks too (the
 * parent's absence says it): what an observation expects absent.
 */
function absentOptional(reply: YamlObject, optional: readonly string[]): string[] {
  const has = (path: string) => lookup(reply as JsonValue, path) !== undefined;
  return optional.filter((path) => {
    const dot = path.lastIndexOf(".");
    return !has(path) && (dot < 0 || has(path.slice(0, dot)));
  });
}

/** Queue attributes a reply carries only sometimes (QG-06, QG-M1/M2, QG-L3). */
const OPTIONAL_QUEUE_ATTRS = ["napi-id", "lease", "lease.netns-id", "io-uring", "dmabuf", "xsk"];

/**
 * A queue-get expectation: the model's queues with every attribute but `napi-id`, whose value is
 * the kernel's own (a global counter): it is expected present where the model has one. Every
 * optional attribute the model does not report is expected absent, so a leftover lease,
 * provider or pool still fails.
 */
function queueExpectation(reply: YamlObject | readonly YamlObject[]): YamlObject {
  const present: string[] = [];
  const absent: string[] = [];
  const one = (q: YamlObject, at: string): YamlObject => {
    const { "napi-id": napi, ...rest } = q;
    if (napi !== undefined) present.push(`${at}napi-id`);
    absent.push(...absentOptional(q, OPTIONAL_QUEUE_ATTRS).map((path) => `${at}${path}`));
    return rest;
  };
  const expected = Array.isArray(reply)
    ? (reply as readonly YamlObject[]).map((q, i) => one(q, `[${i}].`))
    : one(reply as YamlObject, "");
  return {
    "reply-subset": expected,
    ...(present.length === 0 ? {} : { present }),
    ...(absent.length === 0 ? {} : { absent }),
  };
}

function stepYaml(data: StepData, expect: YamlObject, extra: YamlObject): YamlObject {
  return {
    ...(data.netns === "init" ? {} : { netns: data.netns }),
    op: data.op,
    ...(data.dump ? { dump: true } : {}),
    ...(data.capNetAdmin ? {} : { "cap-net-admin": false }),
    request: data.request,
    expect,
    ...extra,
  };
}

/** A process in flight: the scenario step it will complete. */
interface Pending {
  /** Thread name. */
  readonly thread: string;
  /** Index of its (placeholder) step in `steps`. */
  readonly index: number;
  /** The step as written. */
  readonly data: StepData;
  /** The model step. */
  readonly step: ModelStep;
}

const LABEL_RE = /[^A-Za-z0-9_-]/g;

/**
 * Walks a trace step by step. Atomic model steps become scenario steps at once; an operation
 * that starts a process (stepped model) becomes a step of its own thread, its intermediate
 * `step` transitions labelled schedule entries (`t1:phys-locked`) and its completion an
 * unlabelled entry, where the correct model runs it (the linearisation point, as `linearize`
 * replays it). Atomic steps of a stepped trace belong to thread `main`.
 */
class TraceWriter {
  readonly steps: YamlObject[] = [];
  readonly facts: string[] = [];
  readonly expected: Outcome[] = [];
  readonly observed: Outcome[] = [];
  readonly schedule: string[] = [];
  /** Per step index: what was written (for the stepped re-run of a threaded trace). */
  readonly written: {
    input: StepData & { defines: Record<string, string>; thread: string; index: number };
    extra: Record<string, YamlData>;
  }[] = [];
  /** The step index of each `expected` entry. */
  readonly expectedIndex: number[] = [];
  threaded = false;
  readonly #run: ModelRun;
  readonly #naming: Naming;
  readonly #mutant: MutantId | null;
  readonly #kernel: string | undefined;
  readonly #pending = new Map<number, Pending>();
  #threads = 0;

  constructor(run: ModelRun, naming: Naming, mutant: MutantId | null, kernel?: string) {
    this.#run = run;
    this.#naming = naming;
    this.#mutant = mutant;
    this.#kernel = kernel;
  }

  step(before: ModelState, t: Trace<ModelState>["steps"][number]): void {
    const after = t.state;
    if (isModelStep(t.param)) {
      const slot = (after.procs ?? []).findIndex((p, i) =>
        p !== null && (before.procs?.[i] ?? null) === null
      );
      if (slot < 0) return this.#atomic(before, after, t.param, t.label);
      this.threaded = true;
      const thread = `t${++this.#threads}`;
      const data = stepDataOf(this.#naming, before, t.param);
      this.#pending.set(slot, { thread, index: this.steps.length, data, step: t.param });
      this.steps.push({});
      this.schedule.push(`${thread}:${after.procs![slot]!.pc.replace(LABEL_RE, "_")}`);
      return;
    }
    const slot = t.param;
    const pending = typeof slot === "number" ? this.#pending.get(slot) : undefined;
    if (t.action !== "step" || pending === undefined || typeof slot !== "number") {
      throw new SteppedTraceError(
        `Cannot emit stepped action ${t.label} yet: only model steps and the "step" action of ` +
          `a process the trace started can be written as scenario steps`,
      );
    }
    const proc = after.procs?.[slot] ?? null;
    if (proc !== null && proc.step === pending.step) {
      this.schedule.push(`${pending.thread}:${proc.pc.replace(LABEL_RE, "_")}`);
      return;
    }
    this.#pending.delete(slot);
    const last = before.procs?.[slot]?.ctx as { reply?: unknown } | null | undefined;
    const reply = last?.reply as OpReply<unknown> | undefined;
    this.#complete(pending, before, after, reply);
  }

  /** Completes the processes still in flight at the end of the trace, after everything else. */
  finish(): void {
    for (const [, p] of [...this.#pending].sort((a, b) => a[1].index - b[1].index)) {
      this.#complete(p, undefined, undefined, undefined, "in flight when the trace ends");
    }
    this.#pending.clear();
  }

  #atomic(before: ModelState, after: ModelState, step: ModelStep, label: string): void {
    const data = stepDataOf(this.#naming, before, step);
    const mine = applyStep(before, step, { mutant: this.#mutant, kernel: this.#kernel });
    const index = this.steps.length;
    this.steps.push({});
    this.schedule.push("main");
    this.#write({ thread: "main", index, data, step }, before, after, mine.reply, label);
  }

  #complete(
    p: Pending,
    before: ModelState | undefined,
    after: ModelState | undefined,
    reply: OpReply<unknown> | undefined,
    note?: string,
  ): void {
    this.schedule.push(p.thread);
    this.#write(p, before, after, reply, undefined, note);
  }

  /**
   * Runs the step on the correct model and writes it at its index, with the trace's reply
   * (when known) for the mutant note and the symbols it defines.
   */
  #write(
    p: Pending,
    before: ModelState | undefined,
    after: ModelState | undefined,
    reply: OpReply<unknown> | undefined,
    atomicLabel?: string,
    note?: string,
  ): void {
    const { data, step } = p;
    const defines: Record<string, string> = {};
    if (before !== undefined && after !== undefined && (reply === undefined || reply.ok)) {
      if (step.op === "newlink" && after.devices.length > before.devices.length) {
        const created = after.devices.length - before.devices.length;
        const primary = before.devices.length + created - 1;
        defines.device = this.#naming.nameDevice(primary, after.devices[primary].name);
        if (created === 2) {
          const peer = before.devices.length;
          defines.peer = this.#naming.nameDevice(peer, after.devices[peer].name);
        }
      }
      if (
        step.op === "bind-rx" || step.op === "bind-tx" || step.op === "zcrx-register" ||
        step.op === "xsk-bind"
      ) {
        const slot = reply?.ok
          ? (reply.reply as { binding: number }).binding
          : after.bindings.findIndex((b, i) => b !== null && (before.bindings[i] ?? null) === null);
        if (slot >= 0) defines.binding = this.#naming.nameBinding(slot);
      }
    }
    const traceOutcome = reply === undefined ? undefined : outcomeOf(data.op, reply);
    const caller = this.#run.ns(data.netns);
    const runBefore = this.#run.state;
    const result = this.#run.apply({ ...data, defines });
    const differs = traceOutcome !== undefined &&
      JSON.stringify(result.outcome) !== JSON.stringify(traceOutcome);
    if (this.#mutant === null && differs && atomicLabel !== undefined) {
      throw new TypeError(
        `Cannot write step ${atomicLabel}: the scenario's model replies ` +
          `${showOutcome(result.outcome)}, the trace's ${showOutcome(traceOutcome!)}`,
      );
    }
    this.expected.push(result.outcome);
    this.expectedIndex.push(p.index);
    this.observed.push(traceOutcome ?? result.outcome);
    if (result.modelStep !== undefined && result.reply !== undefined) {
      this.facts.push(...factsOf(result.modelStep, result.reply, runBefore));
    }
    const extra: Record<string, YamlData> = {};
    if (Object.keys(defines).length > 0) extra.defines = defines;
    extra.thread = p.thread;
    const notes: string[] = [];
    if (note !== undefined) notes.push(note);
    if (differs) {
      notes.push(
        `${this.#mutant ?? "the interleaved run"} gives: ${showOutcome(traceOutcome!)}`,
      );
    }
    if (notes.length > 0) extra.note = notes.join("; ");
    this.written[p.index] = {
      input: { ...data, defines, thread: p.thread, index: p.index },
      extra,
    };
    this.steps[p.index] = stepYaml(
      data,
      expectationOf(result.outcome, this.#naming, runBefore, caller, data.op),
      extra,
    );
  }
}

/** A queue-get dump from namespace `netns`, as a scenario step. */
function dumpStep(netns: string): StepData {
  return { netns, capNetAdmin: true, op: "queue-get", dump: true, request: {} };
}

/**
 * The full observation of `state`, as scenario steps with notes: a queue-get dump from every
 * live namespace, then GETLINK of every registered netkit and physical device (by its symbol,
 * from its own namespace).
 */
function observationSteps(
  state: ModelState,
  naming: Naming,
): (StepData & { note: string; dev?: number })[] {
  const out: (StepData & { note: string; dev?: number })[] = [];
  state.netns.forEach((ns) => {
    if (!ns.alive) return;
    out.push({ ...dumpStep(ns.name), note: `observation: the queues seen from ${ns.name}` });
  });
  state.devices.forEach((d, i) => {
    if (d.reg !== "registered" || (d.kind !== "netkit" && d.kind !== "physical")) return;
    if (naming.device(state, i) === undefined) return;
    const step: ModelStep = {
      op: "getlink",
      caller: { netns: d.netns },
      request: { "ifi-index": d.ifindex },
    };
    out.push({
      ...stepDataOf(naming, state, step),
      note: `observation: ${d.name} as GETLINK shows it in ${state.netns[d.netns].name}`,
      dev: i,
    });
  });
  return out;
}

/**
 * The GETLINK attributes the model emits only sometimes (NK-GET-1, NK-GET-4, A-02,
 * LINK-GET-1): when its reply lacks one, the observation expects the kernel's to lack it too.
 */
const OPTIONAL_LINK_ATTRS = [
  "link",
  "link-netnsid",
  "linkinfo",
  "linkinfo.data.scrub",
  "linkinfo.data.peer-policy",
  "linkinfo.data.peer-scrub",
];

/**
 * A GETLINK observation's expectation: the attributes the model tracks (the kernel reports many
 * more), and the link attributes the model says are absent. `dev` is the device's index in
 * `state`, the state the GETLINK ran in.
 */
export function getlinkExpectation(
  outcome: Outcome,
  naming: Naming,
  state: ModelState,
  dev: number,
): YamlObject {
  const d = state.devices[dev];
  if (outcome.kind !== "reply" || outcome.reply === null || Array.isArray(outcome.reply)) {
    return expectationOf(outcome, naming, state, d.netns);
  }
  // ifindexes as symbols: the device's own, and its peer's (`link`), as scenarios write them.
  const reply = { ...(outcome.reply as Record<string, YamlData>) };
  const own = naming.device(state, dev);
  if (own !== undefined && reply["ifi-index"] === d.ifindex) reply["ifi-index"] = `$${own}`;
  const peer = d.kind === "netkit" && d.peer !== null ? naming.device(state, d.peer) : undefined;
  if (peer !== undefined && typeof reply.link === "number" && reply.link !== 0) {
    reply.link = `$${peer}`;
  }
  const absent = absentOptional(reply, OPTIONAL_LINK_ATTRS);
  return { "reply-subset": reply, ...(absent.length === 0 ? {} : { absent }) };
}

/**
 * Writes a model trace as a scenario (see the module documentation).
 *
 * @param config The configuration the trace was explored with (its `mutant` is the model that
 * produced the trace; expectations always come from the correct model).
 * @param trace The trace (`Init` first).
 * @param options Name, description, leading facts, source.
 * @returns The YAML text, its data, and the expected and observed outcomes per step.
 * @throws {SteppedTraceError} When a step is not an atomic model step.
 * @throws {TypeError} When the trace does not start in the config's initial state, or the
 * topology cannot reproduce that state.
 *
 * @example Usage
 * ```ts
 * import { scenarioOfTrace } from "./scenario_of_trace.ts";
 * import { explore } from "../../checker/explore.ts";
 * import { leasingSpec } from "../../model/spec.ts";
 * import assert from "node:assert/strict";
 * const v = explore(leasingSpec({ mutant: "C-06" })).violations[0];
 * if (v.kind === "invariant") {
 *   const s = scenarioOfTrace({ mutant: "C-06" }, v.trace, { name: "cex_c_06" });
 *   assert.ok(s.yaml.includes("ERANGE"));
 * }
 * ```
 */
export function scenarioOfTrace(
  config: Partial<ModelConfig>,
  trace: Trace<ModelState>,
  options: ScenarioOfTraceOptions,
): EmittedScenario {
  if (options.kernel !== undefined) return emitScenario(config, trace, options);
  // The kernels the expectations hold on: the model run again at each version segment of its
  // version table (model/versions.ts); where every expectation is the same, so is the scenario.
  const own = emitScenario(config, trace, { ...options, kernel: EMIT_KERNEL });
  const reference = JSON.stringify(own.expected);
  const mine = segmentOf(validateConfig(config).kernel ?? DEFAULT_KERNEL);
  const holds = KERNEL_SEGMENTS.map((start) => {
    if (start === mine) return true;
    try {
      const other = emitScenario({ ...config, kernel: start }, trace, {
        ...options,
        kernel: EMIT_KERNEL,
      });
      return JSON.stringify(other.expected) === reference;
    } catch {
      return false; // a step the trace took answers differently there
    }
  });
  const kernel = rangeOfSegments(holds);
  const data = { ...own.data, kernel };
  return {
    ...own,
    data,
    yaml: own.yaml.replace(/^kernel: .*$/m, `kernel: ${JSON.stringify(kernel)}`),
  };
}

function emitScenario(
  config: Partial<ModelConfig>,
  trace: Trace<ModelState>,
  options: ScenarioOfTraceOptions,
): EmittedScenario {
  const c = validateConfig(config);
  const mutant: MutantId | null = c.mutant;
  const topology = topologyOf(c);
  const run = ModelRun.fromTopology(
    parsedTopologyOf(topology),
    c.kernel === undefined ? { mutant: null } : { mutant: null, kernel: c.kernel },
  );
  const init = trace.steps[0].state;
  // Budgets and process slots are the exploration's, not the topology's.
  const { movesLeft: _moves, procs: _procs, ...topological } = run.state;
  const comparable = {
    ...topological,
    netkitBudget: init.netkitBudget,
    ...(init.movesLeft === undefined ? {} : { movesLeft: init.movesLeft }),
    ...(init.procs === undefined ? {} : { procs: init.procs }),
  };
  if (canonicalKey(comparable) !== canonicalKey(init)) {
    throw new TypeError(
      "Cannot write the trace as a scenario: its initial state is not the one the topology of " +
        "the config builds (the trace is from another config, or the topology cannot express it)",
    );
  }
  const naming = new Naming();
  for (const [name, sym] of run.symbols) {
    if (sym.kind === "device") naming.nameDevice(sym.dev, name);
  }
  const w = new TraceWriter(run, naming, mutant, c.kernel);
  for (let i = 1; i < trace.steps.length; i++) w.step(trace.steps[i - 1].state, trace.steps[i]);
  w.finish();
  const { facts, expected, observed } = w;
  // A threaded trace replays step by step (replay.ts runSchedule): the expectations are what the
  // correct model answers along the same schedule, where a thread that needs a lock another
  // holds waits. When the correct model cannot follow it, the atomic answers at each
  // operation's completion stay, and a note says so.
  let final = run;
  let stepped: string | undefined;
  if (w.threaded) {
    const again = ModelRun.fromTopology(
      parsedTopologyOf(topology),
      c.kernel === undefined ? { mutant: null } : { mutant: null, kernel: c.kernel },
    );
    try {
      const entries = w.schedule.map((e) => {
        const [thread, label] = e.split(":");
        return label === undefined ? { thread } : { thread, label };
      });
      const r = again.runSchedule(entries, w.written.map((x) => x.input));
      if (r.problem !== undefined) throw new TypeError(r.problem);
      for (const { index, result } of r.completed) {
        const { input, extra } = w.written[index];
        const caller = again.ns(input.netns);
        w.steps[index] = stepYaml(
          input,
          expectationOf(result.outcome, naming, result.before, caller, input.op),
          extra,
        );
        expected[w.expectedIndex.indexOf(index)] = result.outcome;
      }
      final = again;
    } catch (e) {
      stepped = e instanceof Error ? e.message : String(e);
    }
  }
  const steps = w.threaded ? w.steps : w.steps.map(({ thread: _t, ...rest }) => rest as YamlObject);
  // End with a full observation (options.observe): what each live namespace's queues show
  // (queue-get dump: rx and tx queues, leases with their netns ids, providers and xsk pools),
  // then GETLINK of every registered netkit and physical device, each expecting the correct
  // model's answer, so that a wrong state fails the scenario that caused it. In a threaded
  // trace the observations run in thread "main" after everything else. A trace with no step
  // at all gets one queue-get dump so that the scenario has a step.
  if (options.observe || steps.length === 0) {
    const observations = options.observe
      ? observationSteps(final.state, naming)
      : [{ ...dumpStep(String(topology.namespaces[0].name)), note: "" }];
    for (const { note, dev, ...data } of observations) {
      const runBefore = final.state;
      const result = final.apply({ ...data, defines: {} });
      expected.push(result.outcome);
      observed.push(result.outcome);
      const expect = dev === undefined
        ? expectationOf(result.outcome, naming, runBefore, final.ns(data.netns), data.op)
        : getlinkExpectation(result.outcome, naming, runBefore, dev);
      const observation = stepYaml(data, expect, {
        note: steps.length === 0 ? "the initial state itself is the one the trace ends in" : note,
      });
      if (w.threaded) {
        steps.push({ ...observation, thread: "main" });
        w.schedule.push("main");
      } else {
        steps.push(observation);
      }
    }
  }
  const allFacts = [...(options.facts ?? []), ...(mutant === null ? [] : [mutant]), ...facts]
    .filter((f, i, all) => loadFacts().has(f) && all.indexOf(f) === i);
  const data: YamlObject = {
    name: options.name,
    description: (options.description ?? `Trace ${trace.token} of the leasing model.`) +
      (stepped === undefined
        ? ""
        : ` The correct model cannot follow this schedule step by step (${stepped}): ` +
          "expectations are its answers at each operation's completion."),
    facts: allFacts,
    kernel: options.kernel ?? EMIT_KERNEL,
    source: options.source ?? `leasecheck trace ${trace.token}`,
    topology: {
      namespaces: topology.namespaces,
      ...(topology.physical.length === 0 ? {} : { physical: topology.physical }),
      ...(topology.links.length === 0 ? {} : { links: topology.links }),
    },
    steps,
    ...(w.schedule.length > 0 && w.threaded ? { schedule: w.schedule } : {}),
  };
  const yaml = toYaml(data, { block: ["topology", "topology.links[]", "steps", "steps[]"] });
  return { name: options.name, yaml, data, facts: allFacts, expected, observed };
}
