/**
 * The model (or a mutant) as a protocol server: speaks leasecheck's JSON-lines protocol on
 * stdin/stdout (`PROTOCOL.md`), so that the process adapter can be certified against a known
 * implementation and mutants can be certified out of process.
 *
 * Run: `deno run --allow-read=. scenarios/serve_model.ts [--mutant=C-02] [--ops=LIST]
 * [--kernel=V] [--no-schedule] [--no-race]`; `--kernel=7.2` answers for that kernel version (default: the
 * model's newest), and says so in its hello (`info.kernel`); it speaks the schedule mode
 * (`start`, `advance`, `finish`: stepped execution) unless `--no-schedule`, and runs races
 * (`race`: the threads interleaved at random) unless `--no-race`;
 * `--ops=queue-create,queue-get` declares only those operations (a partial implementation that
 * is right about everything it declares).
 *
 * @module
 */

import type { MutantId } from "../model/mutants.ts";
import { DEFAULT_KERNEL } from "../model/versions.ts";
import type { JsonValue, Topology } from "./format.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { PROTOCOL_VERSION } from "./process_adapter.ts";
import { AdapterUnsupportedError, type ResolvedStep, type SymbolTable } from "./replay.ts";
import { OP_NAMES } from "./ops.ts";

/**
 * A UTF-8 decoding stream, typed for byte streams (the DOM library of the report viewer, checked
 * in the same program by `deno test --doc`, types `TextDecoderStream`'s input as `BufferSource`).
 */
function utf8Decoder(): TransformStream<Uint8Array, string> {
  return new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
}

const mutantFlag = Deno.args.find((a) => a.startsWith("--mutant="))?.slice("--mutant=".length);
const opsFlag = Deno.args.find((a) => a.startsWith("--ops="))?.slice("--ops=".length);
const kernel = Deno.args.find((a) => a.startsWith("--kernel="))?.slice("--kernel=".length) ??
  DEFAULT_KERNEL;
const adapter = new ModelAdapter({ mutant: (mutantFlag ?? null) as MutantId | null, kernel });

function table(symbols: SymbolTable): Record<string, unknown> {
  return Object.fromEntries(symbols);
}

/** A protocol step (`apply`, `start`) as the adapter takes it. */
function stepOf(value: JsonValue | undefined): ResolvedStep {
  const s = (value ?? {}) as Record<string, JsonValue>;
  return {
    index: 0,
    pos: { line: 0, column: 0 },
    netns: s.netns,
    capNetAdmin: s["cap-net-admin"] !== false,
    op: s.op,
    dump: s.dump === true,
    request: s.request,
    expect: { kind: "ok" },
    defines: s.defines ?? {},
  } as unknown as ResolvedStep;
}

async function handle(message: Record<string, JsonValue>): Promise<unknown> {
  try {
    switch (message.type) {
      case "hello":
        return {
          type: "hello",
          name: adapter.name,
          protocol: PROTOCOL_VERSION,
          info: { implementation: "leasecheck model", mutant: mutantFlag ?? "none", kernel },
          ops: opsFlag === undefined ? OP_NAMES : opsFlag.split(",").filter(Boolean),
          schedule: !Deno.args.includes("--no-schedule"),
          race: !Deno.args.includes("--no-race"),
        };
      case "setup":
        return {
          type: "setup",
          symbols: table(await adapter.setup(message.topology as unknown as Topology)),
        };
      case "apply": {
        const result = await adapter.apply(stepOf(message.step));
        return { type: "outcome", outcome: result.outcome, symbols: table(result.symbols) };
      }
      case "start":
      case "advance":
      case "finish": {
        const thread = String(message.thread);
        const r = message.type === "start"
          ? adapter.move({ kind: "start", thread, step: stepOf(message.step) })
          : adapter.move({ kind: message.type, thread });
        const problems = r.problems === undefined ? {} : { problems: r.problems };
        if (r.kind === "point") return { type: "point", at: r.at, ...problems };
        if (r.kind === "blocked") {
          return { type: "blocked", ...(r.waits === undefined ? {} : { waits: r.waits }) };
        }
        return {
          type: "outcome",
          outcome: r.result.outcome,
          symbols: table(r.result.symbols),
          ...problems,
        };
      }
      case "race": {
        // The threads at once: the model's stepped operations, interleaved at random (seeded).
        const threads = ((message.threads ?? []) as JsonValue[]).map((t) => {
          const o = t as Record<string, JsonValue>;
          return { thread: String(o.thread), steps: (o.steps as JsonValue[]).map(stepOf) };
        });
        const r = await adapter.race(threads, {
          jitterUs: Number(message["jitter-us"] ?? 0),
          seed: Number(message.seed ?? 0),
        });
        return {
          type: "race",
          outcomes: r.outcomes,
          symbols: table(r.symbols),
          ...(r.problems === undefined ? {} : { problems: r.problems }),
        };
      }
      case "teardown":
        await adapter.teardown();
        return { type: "teardown" };
      default:
        return { type: "error", message: `unknown request type ${JSON.stringify(message.type)}` };
    }
  } catch (error) {
    if (error instanceof AdapterUnsupportedError) {
      return { type: "unsupported", reason: error.message };
    }
    return { type: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

const encoder = new TextEncoder();
let buffer = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(utf8Decoder())) {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!line.trim()) continue;
    let reply: unknown;
    try {
      reply = await handle(JSON.parse(line));
    } catch (error) {
      reply = {
        type: "error",
        message: `cannot parse request: ${error instanceof Error ? error.message : error}`,
      };
    }
    await Deno.stdout.write(encoder.encode(JSON.stringify(reply) + "\n"));
  }
}
