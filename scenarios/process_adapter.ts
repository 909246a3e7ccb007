/**
 * The `process:<command>` adapter: certifies any implementation that speaks leasecheck's
 * JSON-lines protocol on stdin/stdout (documented in `scenarios/PROTOCOL.md`). One request line
 * in, one reply line out. A hung, crashing or garbling implementation never hangs the
 * certifier: every request has a deadline, after which the process is killed and the scenario
 * reported as an error.
 *
 * @module
 */

import type { Outcome } from "./match.ts";
import type { JsonObject, JsonValue, Scenario, Step, Topology } from "./format.ts";
import {
  AdapterUnsupportedError,
  type ApplyResult,
  type RaceOptions,
  type RaceRun,
  type RaceThreadSteps,
  type ReplayAdapter,
  type ResolvedStep,
  resolveSymbols,
  type ScheduleOutcome,
  type SymbolTable,
  type SymbolValue,
} from "./replay.ts";
import { runPlanAsync } from "./schedule.ts";

/**
 * A UTF-8 decoding stream, typed for byte streams (the DOM library of the report viewer, checked
 * in the same program by `deno test --doc`, types `TextDecoderStream`'s input as `BufferSource`).
 */
function utf8Decoder(): TransformStream<Uint8Array, string> {
  return new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
}

/** The protocol version this certifier speaks. */
export const PROTOCOL_VERSION = "leasecheck/1";

/** What an implementation says about itself in its `hello` reply. */
export interface ImplementationInfo {
  /** The implementation's name. */
  readonly name: string;
  /** The protocol version it speaks (must be {@link PROTOCOL_VERSION}). */
  readonly protocol: string;
  /** Free-form facts (version, kernel release...), shown in reports. */
  readonly info: Readonly<Record<string, string>>;
  /** Operations it supports (`queue-create`, ...); others are reported as skipped steps. */
  readonly ops: readonly string[];
  /** Whether it can run labelled schedule points (stepped concurrency). */
  readonly schedule: boolean;
  /** It runs a race's threads at once itself (`"race": true` in its hello; PROTOCOL.md). */
  readonly race?: boolean;
}

/**
 * A protocol failure: timeout, crash, malformed reply. After any of these except an `error`
 * reply the adapter is {@linkcode ProcessAdapter.dead}: the process was stopped, and a new one
 * must be started (its replies can no longer be trusted to answer the current request).
 */
export class ProtocolError extends Error {
  /** The error's class name. */
  override readonly name: string = "ProtocolError";
  /** Stable error code. */
  readonly code: string = "LCS201";
}

/** The implementation's command could not be started at all (not found, not executable). */
export class ProcessStartError extends ProtocolError {
  /** The error's class name. */
  override readonly name: string = "ProcessStartError";
  /** Stable error code. */
  override readonly code: string = "LCS202";
}

/** The implementation answered `hello` with another protocol version. */
export class ProtocolVersionError extends ProtocolError {
  /** The error's class name. */
  override readonly name: string = "ProtocolVersionError";
  /** Stable error code. */
  override readonly code: string = "LCS203";
}

/** Options of {@link ProcessAdapter}. */
export interface ProcessAdapterOptions {
  /** Deadline per request in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Name shown in reports (default `process:<command>`). */
  readonly name?: string;
}

type Reply = Record<string, JsonValue>;

/** How long to wait for a stopped process's exit and the end of its output. */
const GRACE_MS = 1000;

/** Resolves to `value` when `promise` settles within `ms`, to `fallback` otherwise. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a child's stdout line by line in the background, so that a line nobody asked for is
 * seen as such (it is waiting when the next request is sent) instead of being taken for the
 * next reply.
 */
class LineReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  readonly #queue: string[] = [];
  #waiter: ((line: string | null) => void) | undefined;
  #ended = false;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(utf8Decoder()).getReader();
    this.done = this.#pump();
  }

  async #pump(): Promise<void> {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line) this.#push(line);
        }
      }
    } catch {
      // The stream was cancelled (close) or broke: either way, no more lines.
    }
    if (buffer.trim()) this.#push(buffer.trim());
    this.#ended = true;
    this.#waiter?.(null);
    this.#waiter = undefined;
  }

  #push(line: string): void {
    if (this.#waiter) {
      const wake = this.#waiter;
      this.#waiter = undefined;
      wake(line);
    } else this.#queue.push(line);
  }

  /** A line that arrived while no request was waiting, if any. */
  get unexpected(): string | undefined {
    return this.#queue[0];
  }

  /** The next line, or null at the end of the output. */
  next(): Promise<string | null> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift()!);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** Stops reading (the process is gone, or a grandchild holds its output open). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {}); // already closed: nothing to cancel
    await this.done;
  }
}

/** Keeps the end of a child's stderr while it runs. */
class StderrTail {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #text = "";
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(utf8Decoder()).getReader();
    this.done = this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        this.#text = (this.#text + value).slice(-16_384);
      }
    } catch {
      // Cancelled (close) or broken: keep what was read.
    }
  }

  /** Its last lines, joined with ` | ` (empty when it printed nothing). */
  lines(count = 5): string {
    return this.#text.split("\n").map((l) => l.trim()).filter(Boolean).slice(-count).join(" | ");
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {}); // already closed: nothing to cancel
    await this.done;
  }
}

/**
 * Runs an implementation as a subprocess and talks to it line by line. Every request has a
 * deadline; a timeout, an exit, a line that is not a JSON object, a reply of the wrong type
 * or an unrequested line stops the process (it is then {@link ProcessAdapter.dead}) and raises
 * a {@link ProtocolError} quoting the end of its stderr.
 *
 * @example Usage
 * ```ts
 * import { ProcessAdapter } from "./process_adapter.ts";
 * import assert from "node:assert/strict";
 * const toy = new URL("../examples/toy_impl.ts", import.meta.url).pathname;
 * const adapter = await ProcessAdapter.start([Deno.execPath(), "run", toy]);
 * assert.equal(adapter.implementation.name, "toy");
 * await adapter.close();
 * ```
 */
export class ProcessAdapter implements ReplayAdapter {
  /** Name for reports. */
  readonly name: string;
  /** The implementation's `hello`. */
  implementation: ImplementationInfo = {
    name: "?",
    protocol: "?",
    info: {},
    ops: [],
    schedule: false,
  };
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: LineReader;
  #stderr: StderrTail;
  #exit: Promise<Deno.CommandStatus>;
  #timeoutMs: number;
  #dead: string | undefined;
  #symbols: SymbolTable = new Map();

  private constructor(command: readonly string[], options: ProcessAdapterOptions) {
    this.name = options.name ?? `process:${command.join(" ")}`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#child = new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#exit = this.#child.status;
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = new LineReader(this.#child.stdout);
    this.#stderr = new StderrTail(this.#child.stderr);
  }

  /**
   * Starts the implementation and exchanges `hello`.
   *
   * @throws {ProcessStartError} when the command cannot be started.
   * @throws {ProtocolVersionError} when it speaks another protocol version.
   * @throws {ProtocolError} when it does not answer in time, exits or answers garbage.
   */
  static async start(
    command: readonly string[],
    options: ProcessAdapterOptions = {},
  ): Promise<ProcessAdapter> {
    if (command.length === 0) throw new ProcessStartError("The process adapter needs a command");
    let adapter: ProcessAdapter;
    try {
      adapter = new ProcessAdapter(command, options);
    } catch (error) {
      throw new ProcessStartError(
        `Cannot start ${command.join(" ")}: ${error instanceof Error ? error.message : error}`,
        { cause: error },
      );
    }
    try {
      const hello = await adapter.#request(
        { type: "hello", protocol: PROTOCOL_VERSION },
        "hello",
        ["hello"],
      );
      if (hello.protocol !== PROTOCOL_VERSION) {
        throw new ProtocolVersionError(
          `The implementation speaks protocol ${
            JSON.stringify(hello.protocol)
          }, not ${PROTOCOL_VERSION}`,
        );
      }
      adapter.implementation = {
        name: String(hello.name ?? "unnamed"),
        protocol: String(hello.protocol),
        info: Object.fromEntries(
          Object.entries((hello.info ?? {}) as Record<string, JsonValue>).map((
            [k, v],
          ) => [k, String(v)]),
        ),
        ops: Array.isArray(hello.ops) ? hello.ops.map(String) : [],
        schedule: hello.schedule === true,
        race: hello.race === true,
      };
    } catch (error) {
      await adapter.close();
      throw error;
    }
    return adapter;
  }

  /** True once the process timed out, crashed, broke the protocol or was closed: start a new one. */
  get dead(): boolean {
    return this.#dead !== undefined;
  }

  /** Builds the topology in the implementation. */
  async setup(topology: Topology): Promise<SymbolTable> {
    const reply = await this.#request(
      { type: "setup", topology: topology as unknown as JsonValue },
      "setup",
      ["setup", "unsupported"],
    );
    if (reply.type === "unsupported") {
      throw new AdapterUnsupportedError(String(reply.reason ?? "unsupported"));
    }
    this.#symbols = await this.#symbolsOf(reply, "setup");
    return this.#symbols;
  }

  /** Runs one step. */
  async apply(step: ResolvedStep): Promise<ApplyResult> {
    if (!this.implementation.ops.includes(step.op)) {
      // Declared in its hello: the scenario is skipped from here on, not failed.
      const reason = `${this.implementation.name} does not implement ${step.op}`;
      return { outcome: { kind: "unsupported", reason }, symbols: this.#symbols };
    }
    const what = `apply ${step.op}`;
    const reply = await this.#request(
      {
        type: "apply",
        step: {
          defines: step.defines as unknown as JsonValue,
          netns: step.netns,
          op: step.op,
          dump: step.dump,
          "cap-net-admin": step.capNetAdmin,
          request: step.request,
        },
      },
      what,
      ["outcome"],
    );
    const outcome = await this.#outcomeOf(reply, what);
    return { outcome, symbols: this.#symbols };
  }

  /** The valid `outcome` of an `outcome` reply, with its symbols taken in. */
  async #outcomeOf(reply: Reply, what: string): Promise<Outcome> {
    const outcome = reply.outcome as unknown as Outcome;
    if (
      !outcome || typeof outcome !== "object" ||
      !["reply", "error", "unsupported"].includes(outcome.kind)
    ) {
      throw await this.#stop(`answered ${what} without a valid "outcome": ${clip(reply)}`);
    }
    this.#symbols = await this.#symbolsOf(reply, what);
    return outcome;
  }

  /**
   * Stepped execution through the protocol's schedule mode (PROTOCOL.md), present only when the
   * implementation announced `"schedule": true`: the plan of `schedule.ts` carried out with
   * `start`, `advance` and `finish` messages.
   */
  get runSchedule(): ((scenario: Scenario) => Promise<ScheduleOutcome>) | undefined {
    return this.implementation.schedule ? (scenario) => this.#runSchedule(scenario) : undefined;
  }

  async #runSchedule(scenario: Scenario): Promise<ScheduleOutcome> {
    const requests = new Map<number, JsonObject>();
    const end = await runPlanAsync<Step, { outcome: Outcome }>(
      scenario.schedule ?? [],
      scenario.steps,
      async (m) => {
        if (m.kind === "start" && !this.implementation.ops.includes(m.step.op)) {
          const reason = `${this.implementation.name} does not implement ${m.step.op}`;
          return { kind: "done", result: { outcome: { kind: "unsupported", reason } } };
        }
        const what = `${m.kind} on thread ${m.thread}`;
        let message: Reply = { type: m.kind, thread: m.thread };
        if (m.kind === "start") {
          const request = resolveSymbols(m.step.request, this.#symbols) as JsonObject;
          requests.set(m.step.index, request);
          message = {
            ...message,
            step: {
              defines: m.step.defines as unknown as JsonValue,
              netns: m.step.netns,
              op: m.step.op,
              dump: m.step.dump,
              "cap-net-admin": m.step.capNetAdmin,
              request,
            },
          };
        }
        const reply = await this.#request(message, what, ["point", "blocked", "outcome"]);
        const problems = Array.isArray(reply.problems) ? reply.problems.map(String) : undefined;
        const extra = problems === undefined ? {} : { problems };
        if (reply.type === "point") {
          if (typeof reply.at !== "string") {
            throw await this.#stop(`answered ${what} with a "point" without "at"`);
          }
          return { kind: "point", at: reply.at, ...extra };
        }
        if (reply.type === "blocked") {
          return {
            kind: "blocked",
            ...(typeof reply.waits === "string" ? { waits: reply.waits } : {}),
            ...extra,
          };
        }
        const outcome = await this.#outcomeOf(reply, what);
        return { kind: "done", result: { outcome }, ...extra };
      },
    );
    return {
      completed: end.completed.map((c) => ({
        index: c.index,
        request: requests.get(c.index) ?? scenario.steps[c.index].request,
        outcome: c.result.outcome,
      })),
      symbols: this.#symbols,
      ...(end.problem === undefined ? {} : { problem: end.problem }),
    };
  }

  /**
   * A race run by the implementation itself (PROTOCOL.md, races), present only when it announced
   * `"race": true`: one `race` message with every thread's steps; it answers each thread's
   * outcomes, having run the threads at once.
   */
  get race():
    | ((threads: readonly RaceThreadSteps[], o: RaceOptions) => Promise<RaceRun>)
    | undefined {
    return this.implementation.race ? (threads, o) => this.#race(threads, o) : undefined;
  }

  async #race(threads: readonly RaceThreadSteps[], options: RaceOptions): Promise<RaceRun> {
    const undeclared = threads.flatMap((t) => t.steps).find((s) =>
      !this.implementation.ops.includes(s.op)
    );
    if (undeclared !== undefined) {
      const reason = `${this.implementation.name} does not implement ${undeclared.op}`;
      const outcomes = Object.fromEntries(
        threads.map((t) => [t.thread, t.steps.map(() => ({ kind: "unsupported", reason }))]),
      ) as Record<string, Outcome[]>;
      return { outcomes, symbols: this.#symbols };
    }
    const reply = await this.#request(
      {
        type: "race",
        threads: threads.map((t) => ({
          thread: t.thread,
          steps: t.steps.map((step) => ({
            netns: step.netns,
            op: step.op,
            dump: step.dump,
            "cap-net-admin": step.capNetAdmin,
            request: step.request,
          })),
        })),
        "jitter-us": options.jitterUs,
        seed: options.seed,
      },
      "race",
      ["race"],
    );
    const raw = reply.outcomes as Record<string, JsonValue> | undefined;
    const outcomes: Record<string, Outcome[]> = {};
    for (const t of threads) {
      const list = raw?.[t.thread];
      // Fewer outcomes than steps: those steps never completed (a deadlock, with problems).
      const valid = Array.isArray(list) && list.length <= t.steps.length &&
        list.every((o) =>
          typeof o === "object" && o !== null && !Array.isArray(o) &&
          ["reply", "error", "unsupported"].includes(String((o as JsonObject).kind))
        );
      if (!valid) {
        throw await this.#stop(
          `answered race without valid outcomes (at most one per step) of thread ${t.thread}: ${
            clip(reply)
          }`,
        );
      }
      outcomes[t.thread] = list as unknown as Outcome[];
    }
    this.#symbols = await this.#symbolsOf(reply, "race");
    const problems = Array.isArray(reply.problems) ? reply.problems.map(String) : [];
    return { outcomes, symbols: this.#symbols, ...(problems.length ? { problems } : {}) };
  }

  /** Releases the scenario's namespaces and devices in the implementation. */
  async teardown(): Promise<void> {
    if (this.#dead) return;
    await this.#request({ type: "teardown" }, "teardown", ["teardown"]);
  }

  /** Ends the implementation (closes stdin, then kills it if it lingers). Never throws. */
  async close(): Promise<void> {
    if (!this.#dead) this.#dead = "closed";
    await this.#writer.close().catch(() => {}); // already closed, or the process is gone
    if (!(await within(this.#exit.then(() => true), 2000, false))) this.#kill();
    await this.#exit;
    await this.#drain();
  }

  /** Waits a little for the output to end, then stops reading it. */
  async #drain(): Promise<void> {
    await within(Promise.all([this.#lines.done, this.#stderr.done]), GRACE_MS, undefined);
    await this.#lines.cancel();
    await this.#stderr.cancel();
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: it has already exited
    }
  }

  /**
   * Marks the process dead, stops it, and returns the error to throw: what happened, how it
   * ended, and the end of its stderr.
   */
  async #stop(
    what: string,
    options: { readonly cause?: unknown; readonly settleMs?: number } = {},
  ): Promise<ProtocolError> {
    this.#dead = what;
    // After its output ended or its input broke, give it a moment to exit on its own.
    let status = await within(this.#exit, options.settleMs ?? 10, null);
    const killed = status === null;
    if (killed) {
      this.#kill();
      status = await within(this.#exit, GRACE_MS, null);
    }
    await within(this.#stderr.done, GRACE_MS, undefined);
    const ended = !killed
      ? `; it exited with code ${status!.code}${status!.signal ? ` (${status!.signal})` : ""}`
      : status
      ? "; it was killed"
      : "; it was killed (and has not exited yet)";
    const tail = this.#stderr.lines();
    return new ProtocolError(
      `The implementation ${what}${ended}${tail ? `; its stderr ends with: ${tail}` : ""}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
  }

  async #symbolsOf(reply: Reply, what: string): Promise<SymbolTable> {
    try {
      return symbolsOf(reply.symbols);
    } catch (error) {
      throw await this.#stop(`answered ${what} with bad symbols: ${(error as Error).message}`);
    }
  }

  async #request(message: Reply, what: string, expected: readonly string[]): Promise<Reply> {
    if (this.#dead) {
      throw new ProtocolError(`The implementation is no longer running (${this.#dead})`);
    }
    const stray = this.#lines.unexpected;
    if (stray !== undefined) {
      throw await this.#stop(`printed a line nobody asked for before ${what}: ${clip(stray)}`);
    }
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
    } catch (error) {
      throw await this.#stop(`stopped reading its input before ${what}`, {
        cause: error,
        settleMs: GRACE_MS,
      });
    }
    const deadline = this.#timeoutMs;
    const next = await within<string | null | "timeout">(this.#lines.next(), deadline, "timeout");
    if (next === "timeout") {
      throw await this.#stop(`did not answer ${what} within ${deadline} ms`);
    }
    if (next === null) {
      throw await this.#stop(`did not answer ${what}: its output ended`, { settleMs: GRACE_MS });
    }
    let reply: unknown;
    try {
      reply = JSON.parse(next);
    } catch (error) {
      throw await this.#stop(`answered ${what} with a line that is not JSON: ${clip(next)}`, {
        cause: error,
      });
    }
    if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
      throw await this.#stop(`answered ${what} with ${clip(next)}, not a JSON object`);
    }
    const r = reply as Reply;
    if (r.type === "error") {
      // A well-formed refusal: the process is still in step with us.
      throw new ProtocolError(`The implementation failed ${what}: ${String(r.message)}`);
    }
    if (typeof r.type !== "string" || !expected.includes(r.type)) {
      throw await this.#stop(
        `answered ${what} with ${
          typeof r.type === "string" ? `a "${r.type}" reply` : "a reply without a type"
        }, not ${expected.map((t) => `"${t}"`).join(" or ")}: ${clip(next)}`,
      );
    }
    return r;
  }
}

/** At most 120 characters of a line or value, for messages. */
function clip(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function symbolsOf(value: JsonValue | undefined): SymbolTable {
  const table = new Map<string, SymbolValue>();
  if (value === undefined || value === null) return table;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ProtocolError(`"symbols" must be an object, not ${JSON.stringify(value)}`);
  }
  for (const [name, v] of Object.entries(value)) {
    const s = v as Record<string, JsonValue>;
    if (s?.kind === "device" && typeof s.ifindex === "number" && typeof s.netns === "string") {
      table.set(name, { kind: "device", ifindex: s.ifindex, netns: s.netns });
    } else if (s?.kind === "binding" && typeof s.id === "number") {
      table.set(name, { kind: "binding", id: s.id });
    } else {
      throw new ProtocolError(`Symbol "${name}" is not a device or binding: ${JSON.stringify(v)}`);
    }
  }
  return table;
}
