import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import type { Trace } from "./result.ts";
import type { Spec } from "./spec.ts";
import { type ItfValue, MBT_ACTION_TAKEN, MBT_NONDET_PICKS, toItf, toItfValue } from "./itf.ts";

const NONE = { tag: "None", value: { "#tup": [] } };

/** A small spec with records, lists, maps, sets and null: two leases of one queue break it. */
interface LeaseState {
  readonly devices: readonly { readonly name: string; readonly leased: number }[];
  readonly bindings: ReadonlyMap<string, number>;
  readonly tags: ReadonlySet<string>;
  readonly oops: string | null;
}
const LEASES: Spec<LeaseState> = {
  name: "leases",
  init: [{
    devices: [{ name: "eth0", leased: 0 }],
    bindings: new Map(),
    tags: new Set(),
    oops: null,
  }],
  actions: [{
    name: "lease",
    params: [{ op: "queue-create", queue: 1 }],
    next: (s: LeaseState, p: unknown) => {
      const { op, queue } = p as { op: string; queue: number };
      return {
        ...s,
        devices: [{ name: "eth0", leased: s.devices[0].leased + 1 }],
        bindings: new Map([...s.bindings, [op, queue]]),
        tags: new Set([...s.tags, op]),
      };
    },
  }],
  invariants: [{ name: "INV-L3", holds: (s) => s.devices[0].leased <= 1 }],
};

function c02Trace(): Trace<LeaseState> {
  const r = explore(LEASES);
  const v = r.violations[0];
  assert.ok(v !== undefined && v.kind === "invariant");
  return v.trace;
}

/** Every JSON number below `value`, with its path (ITF wants #bigint everywhere but #meta). */
function plainNumbers(value: unknown, path = ""): string[] {
  if (typeof value === "number") return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => plainNumbers(v, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => plainNumbers(v, `${path}.${k}`));
  }
  return [];
}

Deno.test("toItfValue() encodes integers as #bigint, Maps as #map and Sets as sorted #set", () => {
  assert.deepEqual(toItfValue(7), { "#bigint": "7" });
  assert.deepEqual(toItfValue(-3n), { "#bigint": "-3" });
  assert.deepEqual(toItfValue(2 ** 60), { "#bigint": "1152921504606846976" });
  assert.deepEqual(toItfValue(new Set([10, 2, 1])), {
    "#set": [{ "#bigint": "1" }, { "#bigint": "2" }, { "#bigint": "10" }],
  });
  assert.deepEqual(toItfValue(new Map([[2, "b"], [1, "a"]])), {
    "#map": [[{ "#bigint": "1" }, "a"], [{ "#bigint": "2" }, "b"]],
  });
  assert.deepEqual(toItfValue(["x", true]), ["x", true]);
});

Deno.test("toItfValue() maps null to None, drops undefined fields, flags what ITF cannot hold", () => {
  assert.deepEqual(toItfValue(null), NONE);
  assert.deepEqual(toItfValue({ a: undefined, b: null }), { b: NONE });
  assert.deepEqual(toItfValue(1.5), { "#unserializable": "1.5" });
  assert.deepEqual(toItfValue({ "#x": 1 }), { "#map": [["#x", { "#bigint": "1" }]] });
});

Deno.test("toItf() writes #meta on the trace and on each state, and the mbt variables", () => {
  const trace = c02Trace();
  const itf = toItf(trace, {
    spec: "leases",
    violation: "invariant INV-L3",
    reproduce: `deno task check --spec leasing --param mutant=C-02 --replay ${trace.token}`,
    timestamp: 1234,
    extra: { kernel: "7.1" },
  });
  const meta = itf["#meta"];
  assert.equal(meta.format, "ITF");
  assert.equal(meta.source, "leasecheck");
  assert.equal(meta.timestamp, 1234);
  assert.equal(meta.token, trace.token);
  assert.equal(meta.kernel, "7.1");
  assert.equal(meta.description, "leases: invariant INV-L3");
  for (const [k, v] of Object.entries(meta)) {
    if (k !== "timestamp") assert.equal(typeof v, "string", `#meta.${k} is a string`);
  }
  assert.deepEqual(itf.vars, [
    ...Object.keys(trace.steps[0].state),
    MBT_ACTION_TAKEN,
    MBT_NONDET_PICKS,
  ]);
  assert.ok(itf.vars.includes("devices") && itf.vars.includes("bindings"));
  assert.ok(JSON.stringify(itf.states.at(-1)).includes('"#map"'));
  assert.ok(JSON.stringify(itf.states.at(-1)).includes('"#set"'));
  assert.equal(itf.states.length, trace.steps.length);
  itf.states.forEach((s, i) => {
    assert.deepEqual(s["#meta"], { index: i, label: trace.steps[i].label });
    for (const v of itf.vars) assert.ok(v in s, `state ${i} defines ${v}`);
    assert.equal(s[MBT_ACTION_TAKEN], trace.steps[i].action);
  });
  assert.deepEqual(itf.states[0][MBT_NONDET_PICKS], { param: NONE });
  const picks = itf.states[1][MBT_NONDET_PICKS] as { param: { tag: string; value: ItfValue } };
  assert.equal(picks.param.tag, "Some");
  assert.equal((picks.param.value as { op: string }).op, "queue-create");
  assert.deepEqual(itf.states[0].oops, NONE);
});

Deno.test("toItf() output round-trips through JSON and every integer outside #meta is a #bigint", () => {
  const itf = toItf(c02Trace(), { timestamp: 0 });
  const text = JSON.stringify(itf);
  assert.deepEqual(JSON.parse(text), itf);
  const { "#meta": _meta, ...body } = itf;
  const states = body.states.map(({ "#meta": _m, ...vars }) => vars);
  assert.deepEqual(plainNumbers(states), []);
  assert.ok(text.includes('"#bigint"'));
});

Deno.test("toItf() rejects a non-string extra #meta value", () => {
  const trace: Trace<{ x: number }> = {
    token: "1A",
    steps: [{ action: "Init", param: 0, label: "Init", state: { x: 0 } }],
  };
  assert.throws(
    () => toItf(trace, { extra: { n: 1 as unknown as string } }),
    (e: unknown) => e instanceof TypeError && /extra values must be strings/.test(e.message),
  );
});

Deno.test("toItf() wraps a non-record state in one variable named value", () => {
  const trace: Trace<number> = {
    token: "1A",
    steps: [
      { action: "Init", param: 0, label: "Init", state: 0 },
      { action: "Inc", param: undefined, label: "Inc", state: 1 },
    ],
  };
  const itf = toItf(trace, { timestamp: 0 });
  assert.deepEqual(itf.vars, ["value", MBT_ACTION_TAKEN, MBT_NONDET_PICKS]);
  assert.deepEqual(itf.states[1].value, { "#bigint": "1" });
  assert.deepEqual(itf.states[1][MBT_NONDET_PICKS], { param: NONE });
});
