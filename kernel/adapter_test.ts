import assert from "node:assert/strict";
import { diffOutcome } from "../scenarios/match.ts";
import type { ResolvedStep } from "../scenarios/replay.ts";
import {
  AgentProtocolError,
  KernelVmAdapter,
  stepPayload,
  toOutcome,
  toSymbols,
} from "./adapter.ts";

Deno.test("toOutcome keeps replies, including acknowledgements and lists", () => {
  assert.deepEqual(toOutcome({ kind: "reply", reply: { id: 1 } }), {
    kind: "reply",
    reply: { id: 1 },
  });
  assert.deepEqual(toOutcome({ kind: "reply", reply: null }), { kind: "reply", reply: null });
  assert.deepEqual(toOutcome({ kind: "reply", reply: [] }), { kind: "reply", reply: [] });
});

Deno.test("toOutcome names errors by their code (Python says ENOTSUP, scenarios EOPNOTSUPP)", () => {
  assert.deepEqual(toOutcome({ kind: "error", errno: "ENOTSUP", code: -95 }), {
    kind: "error",
    errno: "EOPNOTSUPP",
    code: -95,
  });
  assert.equal(
    (toOutcome({ kind: "error", errno: "EDEADLOCK", code: -35 }) as {
      errno: string;
    }).errno,
    "EDEADLK",
  );
  assert.equal(
    (toOutcome({ kind: "error", errno: "EWHATEVER", code: -4095 }) as {
      errno: string;
    }).errno,
    "EWHATEVER",
  );
});

Deno.test("toOutcome keeps the extack fields ynl reports and drops empty ones", () => {
  const o = toOutcome({
    kind: "error",
    errno: "EINVAL",
    code: -22,
    extack: "integer out of range",
    badAttr: ".lease.queue.id",
    missType: null,
    missNest: 3,
  });
  assert.deepEqual(o, {
    kind: "error",
    errno: "EINVAL",
    code: -22,
    extack: "integer out of range",
    badAttr: ".lease.queue.id",
  });
  // An expectation of "no extack" (null) matches an outcome without the field.
  assert.deepEqual(
    diffOutcome(
      { kind: "error", errno: "EINVAL", code: -22, extack: null, missType: "lease" },
      toOutcome({ kind: "error", errno: "EINVAL", code: -22, missType: "lease" }),
    ),
    [],
  );
});

Deno.test("toOutcome passes unsupported through and rejects malformed outcomes", () => {
  assert.deepEqual(toOutcome({ kind: "unsupported", reason: "no io_uring" }), {
    kind: "unsupported",
    reason: "no io_uring",
  });
  assert.throws(() => toOutcome(null), AgentProtocolError);
  assert.throws(() => toOutcome({ kind: "reply" }), AgentProtocolError);
  assert.throws(() => toOutcome({ kind: "error", errno: "EINVAL", code: 22 }), AgentProtocolError);
  assert.throws(() => toOutcome({ kind: "maybe" }), AgentProtocolError);
});

Deno.test("toSymbols converts devices and bindings and rejects anything else", () => {
  const t = toSymbols({
    nsim: { kind: "device", ifindex: 2, netns: "init" },
    xsk: { kind: "binding", id: 1 },
  });
  assert.deepEqual(t.get("nsim"), { kind: "device", ifindex: 2, netns: "init" });
  assert.deepEqual(t.get("xsk"), { kind: "binding", id: 1 });
  assert.throws(() => toSymbols({ x: { kind: "device", ifindex: "2" } }), AgentProtocolError);
  assert.throws(() => toSymbols([]), AgentProtocolError);
});

Deno.test("stepPayload sends what the agent needs and nothing else", () => {
  const step: ResolvedStep = {
    index: 3,
    pos: { line: 10, column: 5 },
    netns: "ns",
    capNetAdmin: false,
    op: "queue-create",
    dump: false,
    request: { ifindex: 4, type: "rx" },
    expect: { kind: "ok" },
    defines: {},
    note: "n",
  };
  assert.deepEqual(stepPayload(step), {
    index: 3,
    op: "queue-create",
    netns: "ns",
    capNetAdmin: false,
    dump: false,
    request: { ifindex: 4, type: "rx" },
    defines: {},
  });
});

Deno.test("KernelVmAdapter refuses steps before setup and closes without a VM", async () => {
  const a = new KernelVmAdapter();
  assert.equal(a.name, "kernel");
  await assert.rejects(
    a.apply({
      index: 0,
      pos: { line: 1, column: 1 },
      netns: "init",
      capNetAdmin: true,
      op: "queue-get",
      dump: true,
      request: {},
      expect: { kind: "ok" },
      defines: {},
    }),
    TypeError,
  );
  await a.teardown();
  await a.close();
});
