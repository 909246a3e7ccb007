import assert from "node:assert/strict";
import { deviceRefs, rawDeviceWarnings, type ScenarioWarning } from "./device_refs.ts";
import type { JsonObject, JsonValue } from "./format.ts";
import { loadScenarios } from "./load.ts";
import { type AttrSet, OP_NAMES, OPERATIONS } from "./ops.ts";
import { parseScenario, ScenarioValidationError } from "./parse.ts";

const HEAD = "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\n";

/** Every `ref: "device"` attribute of a set, as dotted paths (lists: element 0). */
function devicePaths(set: AttrSet, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(set.attrs)) {
    if (spec.type === "int" && spec.ref === "device") out.push(prefix + key);
    if (spec.type === "nest") out.push(...devicePaths(spec.set, `${prefix}${key}.`));
    if (spec.type === "nest-list") out.push(...devicePaths(spec.set, `${prefix}${key}[0].`));
  }
  return out;
}

/** A request with `value` at every path. */
function requestWith(paths: readonly string[], value: JsonValue): JsonObject {
  const root: Record<string, JsonValue> = {};
  for (const path of paths) {
    let node: Record<string, JsonValue> = root;
    const parts = path.split(".");
    for (const part of parts.slice(0, -1)) {
      const list = /^(.*)\[0\]$/.exec(part);
      if (list) {
        node[list[1]] ??= [{}];
        node = (node[list[1]] as Record<string, JsonValue>[])[0];
      } else {
        node[part] ??= {};
        node = node[part] as Record<string, JsonValue>;
      }
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

Deno.test("deviceRefs() finds every device attribute of every operation, at any depth", () => {
  let total = 0;
  for (const op of OP_NAMES) {
    const paths = devicePaths(OPERATIONS[op].request);
    const refs = deviceRefs({ op, request: requestWith(paths, 7) });
    assert.deepEqual(refs.map((r) => r.path).sort(), [...paths].sort(), op);
    assert.ok(refs.every((r) => r.kind === "ifindex" && r.value === 7), op);
    total += paths.length;
  }
  // queue.ifindex, lease.ifindex (queue-create, queue-get), dmabuf ifindex, ifi-index (3 ops),
  // header.dev-index, link-set, netns-move, phys-remove, zcrx-register, xsk-bind, bind-tx.
  assert.equal(total, 15);
});

Deno.test("deviceRefs() finds names, raw netdev ifindexes and the lease's netns id", () => {
  for (const op of ["getlink", "dellink"] as const) {
    assert.deepEqual(deviceRefs({ op, request: { ifname: "eth0" } }), [
      { path: "ifname", kind: "name", value: "eth0" },
    ]);
  }
  assert.deepEqual(
    deviceRefs({ op: "channels-set", request: { header: { "dev-name": "eth0" } } }),
    [{ path: "header.dev-name", kind: "name", value: "eth0" }],
  );
  // newlink's ifname is the new device's name, not a reference.
  assert.deepEqual(deviceRefs({ op: "newlink", request: { ifname: "eth0" } }), []);
  assert.deepEqual(
    deviceRefs({
      op: "queue-create",
      request: { "attr-2": 5, lease: { "attr-1": 2, "attr-3": 0, queue: { id: 1 } } },
    }),
    [
      { path: "attr-2", kind: "ifindex", value: 5 },
      { path: "lease.attr-1", kind: "ifindex", value: 2, netnsId: 0 },
    ],
  );
  assert.deepEqual(deviceRefs({ op: "bind-rx", request: { "attr-1": 3 } }), [
    { path: "attr-1", kind: "ifindex", value: 3 },
  ]);
  // A negative netns id means the caller's namespace.
  assert.deepEqual(
    deviceRefs({ op: "queue-create", request: { lease: { ifindex: 2, "netns-id": -1 } } }),
    [{ path: "lease.ifindex", kind: "ifindex", value: 2 }],
  );
});

Deno.test("rawDeviceWarnings() flags raw ifindexes and names nothing in the scenario explains", () => {
  const warnings: ScenarioWarning[] = [];
  const s = parseScenario(
    `${HEAD}topology:\n  physical: [{name: nsim, kind: netdevsim, queues: 2}]\nsteps:\n` +
      "  - {op: link-set, request: {ifindex: 1, up: false}}\n" +
      "  - {op: dellink, request: {ifname: eth0}}\n" +
      "  - {op: dellink, request: {ifname: nsim}}\n" +
      "  - {op: channels-set, request: {header: {dev-index: 2}, combined-count: 1}}\n" +
      "  - op: queue-get\n    request: {ifindex: 4242, id: 0, type: rx}\n" +
      "    expect: {error: {errno: ENODEV}}\n" +
      "  - {op: link-set, request: {ifindex: $nsim, up: true}}\n",
    "hostile.yaml",
    { onWarning: (w) => warnings.push(w) },
  );
  assert.deepEqual(rawDeviceWarnings(s), warnings);
  assert.deepEqual(warnings.map((w) => w.path), [
    "steps[0].request.ifindex",
    "steps[1].request.ifname",
    "steps[3].request.header.dev-index",
  ]);
  assert.equal(warnings[0].pos.line, 8); // the step's line
  assert.match(warnings[1].message, /device name "eth0" is not created by the scenario/);
});

Deno.test("parseScenario() rejects unexplained raw devices with rawDevices: error", () => {
  const text =
    `${HEAD}topology: {}\nsteps:\n  - {op: link-set, request: {ifindex: 2, up: false}}\n`;
  assert.throws(
    () => parseScenario(text, "h.yaml", { rawDevices: "error" }),
    (e) =>
      e instanceof ScenarioValidationError && e.path === "steps[0].request.ifindex" &&
      /raw ifindex 2.*rawDevices: "allow" permits it/.test(e.message),
  );
  let called = 0;
  parseScenario(text, "h.yaml", { rawDevices: "allow", onWarning: () => called++ });
  assert.equal(called, 0);
});

Deno.test("the corpus names every device it acts on by symbol (no warnings)", async () => {
  const warnings: ScenarioWarning[] = [];
  const corpus = await loadScenarios([new URL("./cases", import.meta.url).pathname], {
    onWarning: (w) => warnings.push(w),
  });
  assert.equal(corpus.length, 119);
  assert.deepEqual(warnings.map((w) => `${w.file}: ${w.path}`), []);
});
