import assert from "node:assert/strict";
import {
  AgentClosedError,
  AgentRequestError,
  AgentTimeoutError,
  JsonLinesClient,
  LineSplitter,
} from "./jsonl.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A client wired to in-memory streams, with the fake agent's ends. */
function pair(onTimeout?: (cmd: string, ms: number) => void): {
  client: JsonLinesClient;
  send: (text: string) => Promise<void>;
  requests: () => Promise<Record<string, unknown>[]>;
  finish: () => Promise<void>;
} {
  const toAgent = new TransformStream<Uint8Array, Uint8Array>();
  const fromAgent = new TransformStream<Uint8Array, Uint8Array>();
  const client = new JsonLinesClient(
    fromAgent.readable,
    toAgent.writable,
    onTimeout === undefined ? {} : { onTimeout },
  );
  const writer = fromAgent.writable.getWriter();
  const reader = toAgent.readable.getReader();
  const splitter = new LineSplitter();
  const seen: Record<string, unknown>[] = [];
  return {
    client,
    send: (text) => writer.write(enc.encode(text)),
    requests: async () => {
      const { value } = await reader.read();
      for (const line of splitter.push(value ?? new Uint8Array())) seen.push(JSON.parse(line));
      return seen;
    },
    finish: async () => {
      await writer.close().catch(() => {});
      await client.close();
      await reader.cancel().catch(() => {});
    },
  };
}

Deno.test("LineSplitter joins lines split across chunks and skips blank lines", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(enc.encode('{"a":')), []);
  assert.equal(s.pending, '{"a":');
  assert.deepEqual(s.push(enc.encode('1}\n\n{"b":2}\n{"c"')), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(s.push(enc.encode(":3}\n")), ['{"c":3}']);
  assert.equal(s.pending, "");
});

Deno.test("LineSplitter decodes multi-byte characters split across chunks", () => {
  const s = new LineSplitter();
  const bytes = enc.encode('{"m":"é"}\n');
  const cut = bytes.indexOf(0xc3) + 1;
  assert.deepEqual(s.push(bytes.slice(0, cut)), []);
  assert.deepEqual(s.push(bytes.slice(cut)), ['{"m":"é"}']);
});

Deno.test("JsonLinesClient frames requests as one JSON line with id and cmd", async () => {
  const p = pair();
  const reply = p.client.request("apply", { step: { op: "queue-get" } }, 5000);
  const [req] = await p.requests();
  assert.deepEqual(req, { step: { op: "queue-get" }, id: 1, cmd: "apply" });
  await p.send(`{"id":1,"ok":true,"result":{"x":1},"seconds":0.01}\n`);
  assert.deepEqual(await reply, { result: { x: 1 }, seconds: 0.01 });
  await p.finish();
});

Deno.test("JsonLinesClient matches replies by id, in any order and chunking", async () => {
  const p = pair();
  const a = p.client.request("a", {}, 5000);
  const b = p.client.request("b", {}, 5000);
  await p.send('{"id":2,"ok":true,"result":"B"}\n{"id":1,"ok":tr');
  await p.send('ue,"result":"A"}\n');
  assert.equal((await a).result, "A");
  assert.equal((await b).result, "B");
  await p.finish();
});

Deno.test("JsonLinesClient turns error replies into AgentRequestError", async () => {
  const p = pair();
  const a = p.client.request("setup", {}, 5000);
  const b = p.client.request("apply", {}, 5000);
  await p.send(
    '{"id":1,"ok":false,"error":"no mlx5","unsupported":true}\n' +
      '{"id":2,"ok":false,"error":"boom","unsupported":false,"trace":"Traceback"}\n',
  );
  await assert.rejects(a, (e) => e instanceof AgentRequestError && e.unsupported);
  await assert.rejects(
    b,
    (e) => e instanceof AgentRequestError && !e.unsupported && e.trace === "Traceback",
  );
  await p.finish();
});

Deno.test("JsonLinesClient watchdog rejects and calls onTimeout; late replies are dropped", async () => {
  const timeouts: string[] = [];
  const p = pair((cmd) => timeouts.push(cmd));
  const slow = p.client.request("apply", {}, 30);
  await assert.rejects(slow, AgentTimeoutError);
  assert.deepEqual(timeouts, ["apply"]);
  await p.send('{"id":1,"ok":true,"result":null}\n');
  const next = p.client.request("hello", {}, 5000);
  await p.send('{"id":2,"ok":true,"result":"hi"}\n');
  assert.equal((await next).result, "hi");
  await p.finish();
});

Deno.test("JsonLinesClient rejects pending and later requests when the channel closes", async () => {
  const p = pair();
  const pending = p.client.request("apply", {}, 5000);
  await p.finish();
  await assert.rejects(pending, AgentClosedError);
  assert.equal(p.client.closed, true);
  await assert.rejects(p.client.request("hello", {}, 5000), AgentClosedError);
});

Deno.test("JsonLinesClient treats a line that is not JSON as a broken channel", async () => {
  const p = pair();
  const pending = p.client.request("apply", {}, 5000);
  await p.send("Traceback (most recent call last):\n");
  await assert.rejects(pending, (e) => e instanceof AgentClosedError && /not JSON/.test(e.message));
  await p.finish();
});

Deno.test("JsonLinesClient writes nothing but whole lines", async () => {
  const toAgent = new TransformStream<Uint8Array, Uint8Array>();
  const fromAgent = new TransformStream<Uint8Array, Uint8Array>();
  const client = new JsonLinesClient(fromAgent.readable, toAgent.writable);
  const r = client.request("hello", { text: "a\nb" }, 5000);
  const reader = toAgent.readable.getReader();
  const { value } = await reader.read();
  const text = dec.decode(value);
  assert.equal(text.split("\n").length, 2);
  assert.equal(JSON.parse(text).text, "a\nb");
  await fromAgent.writable.close();
  await assert.rejects(r, AgentClosedError);
  await client.close();
  await reader.cancel().catch(() => {});
});
