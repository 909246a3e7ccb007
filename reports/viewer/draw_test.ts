import assert from "node:assert/strict";
import { explore } from "../../checker/explore.ts";
import { leasingSpec } from "../../model/spec.ts";
import { toJsonValue } from "../text.ts";
import { type DrawState, drawState, isModelState } from "./draw.ts";
import { touched } from "./trace.ts";

const q = (lease: { dev: number; queue: number } | null = null) => ({
  lease,
  leaseTracker: lease !== null,
  mp: null,
  pool: null,
});

function twoNamespaces(physLease: { dev: number; queue: number } | null): DrawState {
  return {
    netns: [{ name: "init", alive: true, nsids: [-1, 0] }, {
      name: "ns1",
      alive: true,
      nsids: [0, -1],
    }],
    devices: [
      {
        kind: "physical",
        name: "eth0",
        netns: 0,
        ifindex: 2,
        up: true,
        realRx: 2,
        rxq: [q(physLease), q()],
      },
      {
        kind: "netkit",
        name: "nk1",
        netns: 1,
        ifindex: 2,
        up: true,
        realRx: 2,
        pairing: "pair",
        primary: false,
        peer: 2,
        rxq: [q(), q({ dev: 0, queue: 0 })],
      },
      {
        kind: "netkit",
        name: "nk0",
        netns: 0,
        ifindex: 3,
        up: true,
        realRx: 1,
        peer: 1,
        rxq: [q()],
      },
    ],
    bindings: [],
    oops: null,
  };
}

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;

Deno.test("drawState() draws a symmetric lease as one arrow and links the netkit pair", () => {
  const svg = drawState(twoNamespaces({ dev: 1, queue: 1 }));
  assert.equal(count(svg, /<path class="lease-arrow"/g), 1);
  assert.equal(count(svg, /lease-arrow broken/g), 0);
  assert.equal(count(svg, /<path class="peer-link"/g), 1);
  assert.match(svg, /nk1 rxq 1 → eth0 rxq 0/);
  assert.equal(count(svg, /class="netns"/g), 2);
  assert.equal(count(svg, /class="rxq /g), 5);
});

Deno.test("drawState() draws a one-way lease pointer as a broken arrow", () => {
  const svg = drawState(twoNamespaces(null));
  assert.equal(count(svg, /lease-arrow broken/g), 1);
  assert.match(svg, /one-way/);
});

Deno.test("drawState() marks changed parts, providers, pools, processes and escapes names", () => {
  const s = twoNamespaces({ dev: 1, queue: 1 });
  const state: DrawState = {
    ...s,
    devices: s.devices.map((d, i) =>
      i === 0 ? { ...d, name: "<eth&0>", rxq: [d.rxq![0], { ...d.rxq![1], mp: 0, pool: 1 }] } : d
    ),
    bindings: [{ kind: "io-uring", dev: 0, queues: [1], zeroCopy: false }, {
      kind: "xsk",
      dev: 0,
      queues: [1],
      zeroCopy: true,
    }],
    procs: [
      { op: "queue-create", pc: "phys-locked", held: ["rtnl", 1], want: 0, acquire: true },
      null,
    ],
    oops: "NULL pointer dereference",
  };
  const svg = drawState(state, { touched: touched(["devices[0].rxq[1].mp", "procs[0].pc"]) });
  assert.ok(!svg.includes("<eth&0>"));
  assert.match(svg, /&#60;eth&#38;0&#62;/);
  assert.match(svg, /class="rxq live changed"/);
  assert.match(svg, /class="device physical changed"/);
  assert.match(svg, /class="mp-mark"/);
  assert.match(svg, /class="pool-mark"/);
  assert.match(svg, /rtnl held by proc0/);
  assert.match(svg, /locked: proc0/);
  assert.match(
    svg,
    /proc0: queue-create at phys-locked, holds rtnl, nk1, acquires &#60;eth&#38;0&#62;/,
  );
  assert.match(svg, /proc1: idle/);
  assert.match(svg, /kernel oops: NULL pointer dereference/);
  assert.match(svg, /b1 xsk → &#60;eth&#38;0&#62; rxq 1 \(zero-copy\)/);
});

Deno.test("drawState() draws every state of a real counterexample", () => {
  const result = toJsonValue(explore(leasingSpec({ mutant: "C-02" }))) as {
    violations: { trace: { steps: { state: unknown }[] } }[];
  };
  const steps = result.violations[0].trace.steps;
  for (const step of steps) {
    assert.ok(isModelState(step.state));
    const svg = drawState(step.state);
    assert.match(svg, /^<svg[^>]*viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"/);
  }
  assert.ok(drawState(steps.at(-1)!.state as DrawState).includes("lease-arrow"));
});

Deno.test("isModelState() tells device-model states from others", () => {
  assert.equal(isModelState(null), false);
  assert.equal(isModelState({ lock: [0, 1], pc: ["head"] }), false);
  assert.equal(isModelState({ netns: [], devices: [{ name: "x" }] }), false);
  assert.equal(isModelState(twoNamespaces(null)), true);
});
