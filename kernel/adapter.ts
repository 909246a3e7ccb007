/**
 * The real-kernel replay adapter: runs scenarios in a VM (see `vm.ts`) through the guest agent
 * (`agent.py`). One VM serves many scenarios; each scenario's setup and teardown happen inside
 * it. If the VM dies (watchdog, crash) the next `setup` boots a new one.
 *
 * @module
 */

import type { JsonValue, Topology } from "../scenarios/format.ts";
import type { Outcome } from "../scenarios/match.ts";
import { ERRNO_VALUES } from "../scenarios/errno.ts";
import {
  AdapterUnsupportedError,
  type ApplyManyResult,
  type ApplyResult,
  type RaceOptions,
  type RaceRun,
  type RaceThreadSteps,
  type ReplayAdapter,
  type ResolvedStep,
  type SymbolTable,
  type SymbolValue,
  type TeardownReport,
} from "../scenarios/replay.ts";
import { type AgentReply, AgentRequestError } from "./jsonl.ts";
import { type AgentHello, KernelVm, type VmOptions } from "./vm.ts";

const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ERRNO_VALUES).map(([name, value]) => [value, name]),
);

/** Linux's taint flag letters, bit by bit (Documentation/admin-guide/tainted-kernels.rst). */
const TAINT_LETTERS = "PFSRMBUDAWCIOELKXTN";

/**
 * A kernel taint value as its flag letters (`W` for a warning, `D` for an oops).
 *
 * @example Usage
 * ```ts
 * import { taintFlags } from "./adapter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(taintFlags(512), "W");
 * assert.equal(taintFlags(512 | 128), "DW");
 * ```
 */
export function taintFlags(taint: number): string {
  let out = "";
  for (let bit = 0; bit < TAINT_LETTERS.length; bit++) {
    if (taint & (1 << bit)) out += TAINT_LETTERS[bit];
  }
  return out || String(taint);
}

/** The agent sent something that is not an outcome or a symbol table. */
export class AgentProtocolError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK220";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AgentProtocolError";
  }
}

/**
 * The agent refused a step or topology entry before any system call: it names a device,
 * namespace or netdevsim device the scenario did not create. The replayer reports it as the
 * scenario's error (`step N (op) threw OwnershipRefusedError: refusing to act on ...`).
 *
 * @example Usage
 * ```ts
 * import { OwnershipRefusedError } from "./adapter.ts";
 * import assert from "node:assert/strict";
 * const e = new OwnershipRefusedError("refusing to act on ifindex 2 (eth0): not created by this scenario");
 * assert.equal(e.code, "LCK230");
 * assert.match(e.message, /^refusing/);
 * ```
 */
export class OwnershipRefusedError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK230";

  /** Creates the error with the agent's message. */
  constructor(message: string) {
    super(message);
    this.name = "OwnershipRefusedError";
  }
}

function refusal(e: unknown): unknown {
  return e instanceof AgentRequestError && e.refused ? new OwnershipRefusedError(e.message) : e;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks and normalises an outcome sent by the agent: the errno name is taken from the code
 * (Python spells 95 `ENOTSUP`; the scenarios say `EOPNOTSUPP`), extack fields keep only strings.
 *
 * @example Usage
 * ```ts
 * import { toOutcome } from "./adapter.ts";
 * import assert from "node:assert/strict";
 * const o = toOutcome({ kind: "error", errno: "ENOTSUP", code: -95 });
 * assert.ok(o.kind === "error" && o.errno === "EOPNOTSUPP");
 * ```
 */
export function toOutcome(raw: unknown): Outcome {
  if (!isRecord(raw)) throw new AgentProtocolError(`not an outcome: ${JSON.stringify(raw)}`);
  if (raw.kind === "reply") {
    if (!("reply" in raw)) throw new AgentProtocolError("a reply outcome without reply");
    return { kind: "reply", reply: (raw.reply ?? null) as JsonValue };
  }
  if (raw.kind === "unsupported") {
    return { kind: "unsupported", reason: String(raw.reason ?? "unsupported") };
  }
  if (raw.kind === "error") {
    if (typeof raw.code !== "number" || !Number.isInteger(raw.code) || raw.code >= 0) {
      throw new AgentProtocolError(
        `an error outcome without a negative code: ${JSON.stringify(raw)}`,
      );
    }
    const name = ERRNO_NAMES.get(-raw.code) ??
      (typeof raw.errno === "string" ? raw.errno : `E${-raw.code}`);
    const out: {
      kind: "error";
      errno: string;
      code: number;
      extack?: string;
      badAttr?: string;
      missType?: string;
      missNest?: string;
    } = { kind: "error", errno: name, code: raw.code };
    for (const key of ["extack", "badAttr", "missType", "missNest"] as const) {
      if (typeof raw[key] === "string") out[key] = raw[key] as string;
    }
    return out;
  }
  throw new AgentProtocolError(`unknown outcome kind: ${JSON.stringify(raw)}`);
}

/**
 * Checks and converts the agent's symbol object into a symbol table.
 *
 * @example Usage
 * ```ts
 * import { toSymbols } from "./adapter.ts";
 * import assert from "node:assert/strict";
 * const t = toSymbols({ eth0: { kind: "device", ifindex: 2, netns: "init" } });
 * assert.equal(t.get("eth0")?.kind, "device");
 * ```
 */
export function toSymbols(raw: unknown): SymbolTable {
  if (!isRecord(raw)) throw new AgentProtocolError(`not a symbol table: ${JSON.stringify(raw)}`);
  const out = new Map<string, SymbolValue>();
  for (const [name, v] of Object.entries(raw)) {
    if (
      isRecord(v) && v.kind === "device" && typeof v.ifindex === "number" &&
      typeof v.netns === "string"
    ) {
      out.set(name, { kind: "device", ifindex: v.ifindex, netns: v.netns });
    } else if (isRecord(v) && v.kind === "binding" && typeof v.id === "number") {
      out.set(name, { kind: "binding", id: v.id });
    } else {
      throw new AgentProtocolError(`bad symbol ${name}: ${JSON.stringify(v)}`);
    }
  }
  return out;
}

/**
 * The part of a step the agent needs (no positions, no expectation).
 *
 * @example Usage
 * ```ts
 * import { stepPayload } from "./adapter.ts";
 * import assert from "node:assert/strict";
 * const p = stepPayload({
 *   index: 0, pos: { line: 1, column: 1 }, netns: "init", capNetAdmin: true, op: "queue-get",
 *   dump: true, request: {}, expect: { kind: "ok" }, defines: {},
 * });
 * assert.ok(!("expect" in p));
 * ```
 */
export function stepPayload(step: ResolvedStep): Record<string, unknown> {
  return {
    index: step.index,
    op: step.op,
    netns: step.netns,
    capNetAdmin: step.capNetAdmin,
    dump: step.dump,
    request: step.request,
    defines: step.defines,
  };
}

/** Request counts and wall times of an adapter (milliseconds, host side). */
export interface AdapterStats {
  /** `setup` requests and their total time. */
  setups: number;
  /** Total ms in `setup`. */
  setupMs: number;
  /** `apply` requests (steps). */
  applies: number;
  /** Total ms in `apply`. */
  applyMs: number;
  /** `teardown` requests. */
  teardowns: number;
  /** Total ms in `teardown`. */
  teardownMs: number;
}

/** A running agent: the VM's, or one on the host (see `host.ts`). */
export interface AgentSession {
  /** What the agent said at start. */
  readonly hello: AgentHello;
  /** Seconds until the agent answered. */
  readonly bootSeconds: number;
  /** True while it runs. */
  readonly alive: boolean;
  /** Why it was killed, or null. */
  readonly killed: string | null;
  /** Sends one command. */
  request(cmd: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<AgentReply>;
  /** What it printed, for diagnostics. */
  diagnostics(): Promise<string>;
  /** Ends it; never throws. */
  close(): Promise<void>;
}

/** Options of {@linkcode KernelVmAdapter}. */
export interface KernelVmAdapterOptions extends VmOptions {
  /** Starts the agent (default: boot a VM with these options). */
  readonly launch?: () => Promise<AgentSession>;
  /** Name in reports (default `kernel`). */
  readonly name?: string;
  /** Watchdog of `setup` and `teardown` requests, in ms (default 60 000). */
  readonly setupTimeoutMs?: number;
  /** Called with each VM boot time and each teardown problem. */
  readonly log?: (message: string) => void;
}

/**
 * Replays scenarios on a real kernel in a VM.
 *
 * @example Usage
 * ```ts ignore
 * import { KernelVmAdapter } from "./adapter.ts";
 * import { replayScenario } from "../scenarios/replay.ts";
 * import { parseScenario } from "../scenarios/parse.ts";
 * const adapter = new KernelVmAdapter();
 * try {
 *   const s = parseScenario(await Deno.readTextFile("scenarios/cases/ops_qg_d1_dump.yaml"), "x");
 *   console.log((await replayScenario(s, adapter)).verdict);
 * } finally {
 *   await adapter.close();
 * }
 * ```
 */
export class KernelVmAdapter implements ReplayAdapter {
  /** `kernel`. */
  readonly name: string;
  readonly #options: KernelVmAdapterOptions;
  #vm: AgentSession | null = null;
  #symbols: SymbolTable = new Map();
  #boots: number[] = [];
  #stats: AdapterStats = {
    setups: 0,
    setupMs: 0,
    applies: 0,
    applyMs: 0,
    teardowns: 0,
    teardownMs: 0,
  };

  /** Creates the adapter; the VM boots on first use (or with {@linkcode start}). */
  constructor(options: KernelVmAdapterOptions = {}) {
    this.#options = options;
    this.name = options.name ?? "kernel";
  }

  /** Boot times of the VMs this adapter started, in seconds. */
  get bootSeconds(): readonly number[] {
    return this.#boots;
  }

  /** Request counts and times so far. */
  get stats(): Readonly<AdapterStats> {
    return this.#stats;
  }

  /** The running VM, booting one if needed. */
  async start(): Promise<AgentSession> {
    if (this.#vm !== null && this.#vm.alive) return this.#vm;
    if (this.#vm !== null) {
      this.#options.log?.(
        `the VM died (${this.#vm.killed ?? "exited"}); booting a new one\n` +
          (await this.#vm.diagnostics()),
      );
      await this.#vm.close();
      this.#vm = null;
    }
    const vm = this.#options.launch
      ? await this.#options.launch()
      : await KernelVm.boot(this.#options);
    this.#vm = vm;
    this.#boots.push(vm.bootSeconds);
    this.#options.log?.(
      `booted ${vm.hello.release} in ${vm.bootSeconds.toFixed(1)} s ` +
        `(agent start ${(vm.hello.start ?? 0).toFixed(1)} s)`,
    );
    return vm;
  }

  /** Builds the topology in the VM; unsupported hardware becomes `AdapterUnsupportedError`. */
  async setup(topology: Topology): Promise<SymbolTable> {
    const vm = await this.start();
    const t0 = performance.now();
    try {
      const reply = await vm.request(
        "setup",
        { topology },
        this.#options.setupTimeoutMs ?? 60_000,
      ).finally(() => {
        this.#stats.setups++;
        this.#stats.setupMs += performance.now() - t0;
      });
      this.#symbols = toSymbols((reply.result as { symbols?: unknown }).symbols);
      return this.#symbols;
    } catch (e) {
      if (e instanceof AgentRequestError && e.unsupported) {
        throw new AdapterUnsupportedError(e.message);
      }
      throw refusal(e);
    }
  }

  /** Runs one step in the VM. */
  async apply(step: ResolvedStep): Promise<ApplyResult> {
    const vm = this.#vm;
    if (vm === null) throw new TypeError("Cannot apply a step before setup()");
    const t0 = performance.now();
    const reply = await vm.request("apply", { step: stepPayload(step) }).catch((e) => {
      throw refusal(e);
    }).finally(() => {
      this.#stats.applies++;
      this.#stats.applyMs += performance.now() - t0;
    });
    const result = reply.result as { outcome?: unknown; symbols?: unknown };
    this.#symbols = toSymbols(result.symbols);
    return { outcome: toOutcome(result.outcome), symbols: this.#symbols };
  }

  /** Runs steps in the VM in one request (the agent's `apply_many`: symbols read once). */
  async applyMany(steps: readonly ResolvedStep[]): Promise<ApplyManyResult> {
    const vm = this.#vm;
    if (vm === null) throw new TypeError("Cannot apply steps before setup()");
    const t0 = performance.now();
    const reply = await vm.request("apply_many", { steps: steps.map(stepPayload) }).catch((e) => {
      throw refusal(e);
    }).finally(() => {
      this.#stats.applies += steps.length;
      this.#stats.applyMs += performance.now() - t0;
    });
    const result = reply.result as { outcomes?: unknown; symbols?: unknown };
    if (!Array.isArray(result.outcomes) || result.outcomes.length !== steps.length) {
      throw new AgentProtocolError(
        `apply_many without one outcome per step: ${JSON.stringify(result)}`,
      );
    }
    this.#symbols = toSymbols(result.symbols);
    return { outcomes: result.outcomes.map(toOutcome), symbols: this.#symbols };
  }

  /**
   * Runs a race's threads at once in the VM (the agent's `race`: one forked process per thread,
   * each with netlink sockets of its own, released together from a barrier, each after a random
   * delay of up to `jitterUs` drawn from `seed`; a thread that changes the agent's own records,
   * such as a netns delete, runs in the agent itself).
   */
  async race(threads: readonly RaceThreadSteps[], options: RaceOptions): Promise<RaceRun> {
    const vm = this.#vm;
    if (vm === null) throw new TypeError("Cannot race before setup()");
    const t0 = performance.now();
    const reply = await vm.request("race", {
      threads: threads.map((t) => ({ thread: t.thread, steps: t.steps.map(stepPayload) })),
      jitter_us: options.jitterUs,
      seed: options.seed,
    }).catch((e) => {
      throw refusal(e);
    }).finally(() => {
      this.#stats.applies++;
      this.#stats.applyMs += performance.now() - t0;
    });
    const result = reply.result as { outcomes?: unknown; symbols?: unknown };
    if (typeof result.outcomes !== "object" || result.outcomes === null) {
      throw new AgentProtocolError(`a race without outcomes: ${JSON.stringify(result)}`);
    }
    const outcomes: Record<string, Outcome[]> = {};
    for (const t of threads) {
      const list = (result.outcomes as Record<string, unknown>)[t.thread];
      if (!Array.isArray(list)) {
        throw new AgentProtocolError(`the race gave no outcomes for thread ${t.thread}`);
      }
      outcomes[t.thread] = list.map(toOutcome);
    }
    this.#symbols = toSymbols(result.symbols);
    return { outcomes, symbols: this.#symbols };
  }

  /**
   * Deletes what the scenario created in the VM and returns the kernel log's splats since its
   * setup (WARN, BUG, lockdep, KASAN, refcount: the scenario fails on them). Never throws
   * (teardown problems are logged).
   */
  async teardown(): Promise<TeardownReport | void> {
    this.#symbols = new Map();
    const vm = this.#vm;
    if (vm === null || !vm.alive) return;
    const t0 = performance.now();
    try {
      const reply = await vm.request("teardown", {}, this.#options.setupTimeoutMs ?? 60_000)
        .finally(() => {
          this.#stats.teardowns++;
          this.#stats.teardownMs += performance.now() - t0;
        });
      const result = reply.result as { left?: unknown; kernel_log?: unknown; tainted?: unknown };
      const left = result.left;
      if (Array.isArray(left) && left.length > 0) {
        this.#options.log?.(`teardown left: ${left.join("; ")}`);
      }
      const log = result.kernel_log;
      const problems = Array.isArray(log) ? log.map((l) => `kernel: ${String(l)}`) : [];
      const taint = result.tainted;
      if (typeof taint === "number" && taint !== 0) {
        // A tainted kernel (a WARN, an oops) cannot vouch for the scenarios after this one: the
        // scenario fails and the next one boots a fresh guest.
        problems.push(`kernel: tainted (flags ${taintFlags(taint)}); the guest is rebooted`);
        this.#options.log?.(`the kernel is tainted (${taintFlags(taint)}): rebooting the guest`);
        await this.close();
      }
      if (problems.length > 0) return { problems };
    } catch (e) {
      const trace = e instanceof AgentRequestError && e.trace ? `\n${e.trace}` : "";
      this.#options.log?.(`teardown failed: ${e instanceof Error ? e.message : String(e)}${trace}`);
    }
  }

  /** Shuts the VM down. Never throws. */
  async close(): Promise<void> {
    const vm = this.#vm;
    this.#vm = null;
    if (vm !== null) await vm.close();
  }
}
