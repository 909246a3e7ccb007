/**
 * A JSON-lines request/response client: each request is one line `{"id": N, "cmd": ..., ...}`,
 * each reply one line `{"id": N, "ok": true, "result": ...}` or `{"id": N, "ok": false,
 * "error": "...", "unsupported": bool}`. Replies are matched by id; every request has a
 * watchdog. The guest agent (`agent.py`) speaks this protocol.
 *
 * @module
 */

/** A request failed on the agent's side. */
export class AgentRequestError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK201";
  /** True when the agent reports a missing feature rather than a failure. */
  readonly unsupported: boolean;
  /** The agent's Python traceback, when it sent one. */
  readonly trace?: string;
  /** True when the agent refused the request: it names something the scenario did not create. */
  readonly refused: boolean;

  /** Creates the error from the agent's message. */
  constructor(message: string, unsupported: boolean, trace?: string, refused = false) {
    super(message);
    this.name = "AgentRequestError";
    this.unsupported = unsupported;
    this.refused = refused;
    if (trace !== undefined) this.trace = trace;
  }
}

/** A request got no reply in time, or the channel closed before it did. */
export class AgentTimeoutError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK202";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AgentTimeoutError";
  }
}

/** The channel to the agent closed (the VM stopped or the connection broke). */
export class AgentClosedError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK203";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "AgentClosedError";
  }
}

/** A successful reply. */
export interface AgentReply {
  /** The `result` member. */
  readonly result: unknown;
  /** Seconds the agent spent on the request, when it reported them. */
  readonly seconds?: number;
}

interface Pending {
  readonly resolve: (r: AgentReply) => void;
  readonly reject: (e: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Options of {@linkcode JsonLinesClient}. */
export interface JsonLinesClientOptions {
  /** Called once when a request times out (before it is rejected), e.g. to kill the VM. */
  readonly onTimeout?: (cmd: string, ms: number) => void;
}

/**
 * Splits a byte stream into lines; keeps the incomplete tail between chunks.
 *
 * @example Usage
 * ```ts
 * import { LineSplitter } from "./jsonl.ts";
 * import assert from "node:assert/strict";
 * const s = new LineSplitter();
 * const enc = new TextEncoder();
 * assert.equal(s.push(enc.encode('{"a":1}\n{"b"')).length, 1);
 * assert.equal(s.push(enc.encode(':2}\n'))[0], '{"b":2}');
 * ```
 */
export class LineSplitter {
  #decoder = new TextDecoder();
  #tail = "";

  /** Adds a chunk; returns the complete lines it finished (without newlines). */
  push(chunk: Uint8Array): string[] {
    const text = this.#tail + this.#decoder.decode(chunk, { stream: true });
    const parts = text.split("\n");
    this.#tail = parts.pop() ?? "";
    return parts.filter((l) => l.trim() !== "");
  }

  /** The incomplete line received so far. */
  get pending(): string {
    return this.#tail;
  }
}

/**
 * Request/response client over a readable and a writable byte stream (a unix socket
 * connection in practice, in-memory streams in tests).
 *
 * @example Usage
 * ```ts
 * import { JsonLinesClient } from "./jsonl.ts";
 * import assert from "node:assert/strict";
 * const toAgent = new TransformStream<Uint8Array, Uint8Array>();
 * const fromAgent = new TransformStream<Uint8Array, Uint8Array>();
 * const client = new JsonLinesClient(fromAgent.readable, toAgent.writable);
 * const reply = client.request("hello", {}, 1000);
 * const w = fromAgent.writable.getWriter();
 * await w.write(new TextEncoder().encode('{"id":1,"ok":true,"result":{"release":"7.2"}}\n'));
 * assert.equal(((await reply).result as { release: string }).release, "7.2");
 * await w.close();
 * await client.close();
 * await toAgent.readable.cancel();
 * ```
 */
export class JsonLinesClient {
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #pending = new Map<number, Pending & { cmd: string }>();
  readonly #options: JsonLinesClientOptions;
  readonly #pump: Promise<void>;
  #nextId = 1;
  #closed: string | null = null;
  #encoder = new TextEncoder();

  /** Starts reading replies from `readable`; requests are written to `writable`. */
  constructor(
    readable: ReadableStream<Uint8Array>,
    writable: WritableStream<Uint8Array>,
    options: JsonLinesClientOptions = {},
  ) {
    this.#reader = readable.getReader();
    this.#writer = writable.getWriter();
    this.#options = options;
    this.#pump = this.#readLoop();
  }

  /** True once the channel closed or failed. */
  get closed(): boolean {
    return this.#closed !== null;
  }

  async #readLoop(): Promise<void> {
    const lines = new LineSplitter();
    try {
      while (true) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        for (const line of lines.push(value)) this.#dispatch(line);
      }
      this.#fail("the agent closed the channel");
    } catch (e) {
      this.#fail(`the channel broke: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  #dispatch(line: string): void {
    let msg: { id?: unknown; ok?: unknown; result?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      this.#fail(`the agent sent a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    const id = typeof msg.id === "number" ? msg.id : -1;
    const p = this.#pending.get(id);
    if (p === undefined) return; // a late reply to a request that timed out
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (msg.ok === true) {
      const m = msg as { result: unknown; seconds?: unknown };
      p.resolve({
        result: m.result,
        ...(typeof m.seconds === "number" ? { seconds: m.seconds } : {}),
      });
    } else {
      const m = msg as {
        error?: unknown;
        unsupported?: unknown;
        trace?: unknown;
        refused?: unknown;
      };
      p.reject(
        new AgentRequestError(
          typeof m.error === "string" ? m.error : `malformed reply ${line.slice(0, 200)}`,
          m.unsupported === true,
          typeof m.trace === "string" ? m.trace : undefined,
          m.refused === true,
        ),
      );
    }
  }

  #fail(reason: string): void {
    if (this.#closed === null) this.#closed = reason;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(new AgentClosedError(`${p.cmd}: ${reason}`));
    }
  }

  /**
   * Sends `{"id", "cmd", ...payload}` and resolves with the reply's result; rejects with
   * {@linkcode AgentRequestError} (agent-side failure), {@linkcode AgentTimeoutError} (no reply
   * within `timeoutMs`) or {@linkcode AgentClosedError}.
   */
  request(cmd: string, payload: Record<string, unknown>, timeoutMs: number): Promise<AgentReply> {
    if (this.#closed !== null) {
      return Promise.reject(new AgentClosedError(`${cmd}: ${this.#closed}`));
    }
    const id = this.#nextId++;
    return new Promise<AgentReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return;
        this.#options.onTimeout?.(cmd, timeoutMs);
        reject(new AgentTimeoutError(`${cmd}: no reply within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, cmd });
      const line = JSON.stringify({ ...payload, id, cmd }) + "\n";
      this.#writer.write(this.#encoder.encode(line)).catch((e) => {
        const p = this.#pending.get(id);
        if (p === undefined) return;
        this.#pending.delete(id);
        clearTimeout(p.timer);
        reject(new AgentClosedError(`${cmd}: cannot write: ${e instanceof Error ? e.message : e}`));
      });
    });
  }

  /** Rejects what is pending, aborts the writer (dropping unsent lines) and stops reading. */
  async close(): Promise<void> {
    this.#fail("the client was closed");
    this.#writer.abort("closed").catch(() => {}); // not awaited: a stuck write would block
    await this.#reader.cancel().catch(() => {});
    await this.#pump;
  }
}
