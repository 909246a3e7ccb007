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
import type { JsonValue, Topology } from "./format.ts";
import {
  AdapterUnsupportedError,
  type ApplyResult,
  type ReplayAdapter,
  type ResolvedStep,
  type SymbolTable,
  type SymbolValue,
} from "./replay.ts";

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
}

/** A protocol failure: timeout, crash, malformed reply. */
export class ProtocolError extends Error {
  /** The error's class name. */
  override readonly name: string = "ProtocolError";
  /** Stable error code. */
  readonly code: string = "LCS201";
}

/** Options of {@link ProcessAdapter}. */
export interface ProcessAdapterOptions {
  /** Deadline per request in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Name shown in reports (default `process:<command>`). */
  readonly name?: string;
}

type Reply = Record<string, JsonValue>;

/**
 * Runs an implementation as a subprocess and talks to it line by line.
 *
 * @example Usage
 * ```ts ignore
 * import { ProcessAdapter } from "./process_adapter.ts";
 * const adapter = await ProcessAdapter.start(["deno", "run", "examples/toy_impl.ts"]);
 * console.log(adapter.implementation.name);
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
  #lines: AsyncIterator<string>;
  #stderr: Promise<string>;
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
    this.#writer = this.#child.stdin.getWriter();
    this.#lines = lines(this.#child.stdout)[Symbol.asyncIterator]();
    this.#stderr = new Response(this.#child.stderr).text();
  }

  /**
   * Starts the implementation and exchanges `hello`.
   *
   * @throws {ProtocolError} when it does not answer, answers garbage, or speaks another version.
   */
  static async start(
    command: readonly string[],
    options: ProcessAdapterOptions = {},
  ): Promise<ProcessAdapter> {
    if (command.length === 0) throw new ProtocolError("The process adapter needs a command");
    let adapter: ProcessAdapter;
    try {
      adapter = new ProcessAdapter(command, options);
    } catch (error) {
      throw new ProtocolError(
        `Cannot start ${command.join(" ")}: ${error instanceof Error ? error.message : error}`,
        {
          cause: error,
        },
      );
    }
    try {
      const hello = await adapter.#request({ type: "hello", protocol: PROTOCOL_VERSION }, "hello");
      if (hello.protocol !== PROTOCOL_VERSION) {
        throw new ProtocolError(
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
      };
    } catch (error) {
      await adapter.close();
      throw error;
    }
    return adapter;
  }

  /** True once the process timed out, crashed or was closed: start a new one. */
  get dead(): boolean {
    return this.#dead !== undefined;
  }

  /** Builds the topology in the implementation. */
  async setup(topology: Topology): Promise<SymbolTable> {
    const reply = await this.#request(
      { type: "setup", topology: topology as unknown as JsonValue },
      "setup",
    );
    if (reply.type === "unsupported") {
      throw new AdapterUnsupportedError(String(reply.reason ?? "unsupported"));
    }
    this.#symbols = symbolsOf(reply.symbols);
    return this.#symbols;
  }

  /** Runs one step. */
  async apply(step: ResolvedStep): Promise<ApplyResult> {
    if (!this.implementation.ops.includes(step.op)) {
      // Declared in its hello: the scenario is skipped from here on, not failed.
      const reason = `${this.implementation.name} does not implement ${step.op}`;
      return { outcome: { kind: "unsupported", reason }, symbols: this.#symbols };
    }
    const reply = await this.#request({
      type: "apply",
      step: {
        defines: step.defines as unknown as JsonValue,
        netns: step.netns,
        op: step.op,
        dump: step.dump,
        "cap-net-admin": step.capNetAdmin,
        request: step.request,
      },
    }, `apply ${step.op}`);
    const outcome = reply.outcome as unknown as Outcome;
    if (
      !outcome || typeof outcome !== "object" ||
      !["reply", "error", "unsupported"].includes(outcome.kind)
    ) {
      throw new ProtocolError(
        `The reply to ${step.op} has no valid "outcome": ${JSON.stringify(reply)}`,
      );
    }
    this.#symbols = symbolsOf(reply.symbols);
    return { outcome, symbols: this.#symbols };
  }

  /** Releases the scenario's namespaces and devices in the implementation. */
  async teardown(): Promise<void> {
    if (this.#dead) return;
    await this.#request({ type: "teardown" }, "teardown");
  }

  /** Ends the implementation (closes stdin, then kills it if it lingers). */
  async close(): Promise<void> {
    if (!this.#dead) this.#dead = "closed";
    await this.#writer.close().catch(() => {}); // already closed or the process is gone
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      this.#child.status.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000))),
    ]);
    clearTimeout(timer);
    if (!exited) this.#kill();
    await this.#child.status;
    await this.#stderr;
    await this.#lines.return?.();
  }

  #kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // TypeError: it has already exited
    }
  }

  async #request(message: Reply, what: string): Promise<Reply> {
    if (this.#dead) {
      throw new ProtocolError(`The implementation is no longer running (${this.#dead})`);
    }
    const deadline = this.#timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), deadline);
    });
    try {
      await this.#writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
      const next = await Promise.race([this.#lines.next(), timeout]);
      if (next === "timeout") {
        this.#dead = `no answer to ${what} within ${deadline} ms`;
        this.#kill();
        throw new ProtocolError(
          `The implementation did not answer ${what} within ${deadline} ms; it was killed`,
        );
      }
      if (next.done) {
        const status = await this.#child.status;
        const stderr = (await this.#stderr).trim().split("\n").slice(-5).join(" | ");
        this.#dead = `exited with code ${status.code}`;
        throw new ProtocolError(
          `The implementation exited (code ${status.code}) instead of answering ${what}` +
            (stderr ? `; its stderr ends with: ${stderr}` : ""),
        );
      }
      let reply: unknown;
      try {
        reply = JSON.parse(next.value);
      } catch (error) {
        throw new ProtocolError(
          `The implementation answered ${what} with a line that is not JSON: ${
            next.value.slice(0, 120)
          }`,
          {
            cause: error,
          },
        );
      }
      if (typeof reply !== "object" || reply === null || Array.isArray(reply)) {
        throw new ProtocolError(
          `The implementation answered ${what} with ${next.value.slice(0, 120)}, not an object`,
        );
      }
      const r = reply as Reply;
      if (r.type === "error") {
        throw new ProtocolError(`The implementation failed ${what}: ${String(r.message)}`);
      }
      return r;
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof AdapterUnsupportedError) throw error;
      this.#dead = "broken pipe";
      throw new ProtocolError(
        `Cannot talk to the implementation (${what}): ${
          error instanceof Error ? error.message : error
        }`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
    }
  }
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

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield line;
    }
  }
  if (buffer.trim()) yield buffer.trim();
}
