/**
 * Which attributes of a step's request name a device, read from the operation catalogue
 * (`ops.ts`): every attribute with `ref: "device"` (an ifindex, at any depth: `lease.ifindex`,
 * `header.dev-index`, ...), the attributes that name a device by name (`ifname` of GETLINK and
 * DELLINK, the ethtool header's `dev-name`), and the raw netdev attributes whose type number is
 * an ifindex (`attr-2` of a queue, `attr-1` of a lease or dmabuf). The parser warns about raw
 * references that nothing in the scenario explains, and the `--dry-run` script refuses names it
 * did not create; the kernel agent applies its own check (`kernel/agent.py`).
 *
 * @module
 */

import type { JsonObject, JsonValue, Scenario, SourcePos, Step } from "./format.ts";
import { ATTR_SETS, type AttrSet, OPERATIONS } from "./ops.ts";

/** One attribute of a request that names a device. */
export interface DeviceRef {
  /** Dotted path inside the request, e.g. `lease.ifindex`. */
  readonly path: string;
  /** `ifindex` (a number, or a `$symbol`) or `name` (an interface name). */
  readonly kind: "ifindex" | "name";
  /** The value as written. */
  readonly value: JsonValue;
  /**
   * The netns id the reference is relative to (a lease's `netns-id`), when the request gives
   * one; otherwise the device is looked up in the step's namespace.
   */
  readonly netnsId?: number;
}

function set(name: string): AttrSet {
  const found = ATTR_SETS.get(name);
  if (found === undefined) throw new TypeError(`The operation catalogue has no set "${name}"`);
  return found;
}

/** Attributes that name a device by name, per attribute set (GETLINK/DELLINK, ethtool). */
const NAME_ATTRS: ReadonlyMap<AttrSet, readonly string[]> = new Map([
  [set("link-id"), ["ifname"]],
  [set("header"), ["dev-name"]],
]);

/** Raw netdev attribute types (`attr-N`) that are an ifindex, and that are a netns id. */
const RAW_IFINDEX: ReadonlyMap<AttrSet, number> = new Map([
  [set("queue"), 2],
  [set("lease"), 1],
  [set("dmabuf"), 1],
]);
const RAW_NETNS_ID: ReadonlyMap<AttrSet, number> = new Map([[set("lease"), 3]]);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function walk(attrSet: AttrSet, value: JsonObject, prefix: string, out: DeviceRef[]): void {
  const rawNetnsId = RAW_NETNS_ID.get(attrSet);
  const nsid = value["netns-id"] ?? (rawNetnsId ? value[`attr-${rawNetnsId}`] : undefined);
  const scope = typeof nsid === "number" && nsid >= 0 ? { netnsId: nsid } : {};
  for (const [key, v] of Object.entries(value)) {
    const path = prefix + key;
    const spec = attrSet.attrs[key];
    if (spec === undefined) {
      if (key === `attr-${RAW_IFINDEX.get(attrSet)}`) {
        out.push({ path, kind: "ifindex", value: v, ...scope });
      }
      continue;
    }
    if (spec.type === "int" && spec.ref === "device") {
      out.push({ path, kind: "ifindex", value: v, ...scope });
    } else if (spec.type === "string" && NAME_ATTRS.get(attrSet)?.includes(key)) {
      out.push({ path, kind: "name", value: v, ...scope });
    } else if (spec.type === "nest" && isObject(v)) {
      walk(spec.set, v, `${path}.`, out);
    } else if (spec.type === "nest-list" && Array.isArray(v)) {
      v.forEach((item, i) => {
        if (isObject(item)) walk(spec.set, item, `${path}[${i}].`, out);
      });
    }
  }
}

/**
 * Every attribute of a step's request that names a device.
 *
 * @example Usage
 * ```ts
 * import { deviceRefs } from "./device_refs.ts";
 * import assert from "node:assert/strict";
 * const refs = deviceRefs({
 *   op: "queue-create",
 *   request: { ifindex: "$guest", type: "rx", lease: { ifindex: 2, "netns-id": 0 } } as never,
 * });
 * assert.deepEqual(refs.map((r) => r.path), ["ifindex", "lease.ifindex"]);
 * assert.equal(refs[1].netnsId, 0);
 * ```
 */
export function deviceRefs(step: Pick<Step, "op" | "request">): DeviceRef[] {
  const out: DeviceRef[] = [];
  const spec = OPERATIONS[step.op];
  if (spec !== undefined) walk(spec.request, step.request, "", out);
  return out;
}

/** A reference a reader should look at twice; the scenario still parses. */
export interface ScenarioWarning {
  /** Stable warning code. */
  readonly code: "LCS301";
  /** The scenario file. */
  readonly file: string;
  /** Where the step starts. */
  readonly pos: SourcePos;
  /** Path of the attribute, e.g. `steps[2].request.ifindex`. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly message: string;
}

/**
 * Interface names the scenario creates or gives (topology, `defines`, explicit `ifname`s), and
 * `lo`.
 *
 * @example Usage
 * ```ts
 * import { explainedNames } from "./device_refs.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\n" +
 *     "topology: {physical: [{name: nsim, kind: netdevsim, queues: 2}]}\n" +
 *     "steps:\n  - {op: queue-get, dump: true}\n",
 *   "t.yaml",
 * );
 * assert.deepEqual([...explainedNames(s)].sort(), ["lo", "nsim"]);
 * ```
 */
export function explainedNames(scenario: Scenario): Set<string> {
  const names = new Set<string>(["lo"]);
  const fromRequest = (req: JsonObject): void => {
    if (typeof req.ifname === "string") names.add(req.ifname);
    const info = req.linkinfo;
    const data = isObject(info) ? info.data : undefined;
    const peer = isObject(data) ? data["peer-info"] : undefined;
    if (isObject(peer) && typeof peer.ifname === "string") names.add(peer.ifname);
  };
  for (const p of scenario.topology.physical) names.add(p.name);
  for (const l of scenario.topology.links) {
    names.add(l.name);
    if (l.peer) names.add(l.peer.name);
    fromRequest(l.request);
  }
  for (const s of scenario.steps) {
    if (s.defines.device) names.add(s.defines.device);
    if (s.defines.peer) names.add(s.defines.peer);
    if (s.op === "newlink") fromRequest(s.request);
  }
  return names;
}

/**
 * Warnings for steps that name a device by a raw ifindex, or by an interface name that no
 * topology entry, `defines` or `ifname` of the scenario explains. A step that expects ENODEV
 * or ENONET tests a missing device and explains its raw numbers (`ifindex: 99999`); anywhere
 * else a raw number could name any device on a real kernel: the kernel adapter refuses it
 * unless it names one the scenario created, and `--dry-run` scripts guard it when they run.
 *
 * @example Usage
 * ```ts
 * import { rawDeviceWarnings } from "./device_refs.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: link-set\n    request: {ifindex: 2, up: false}\n",
 *   "t.yaml",
 * );
 * const [w] = rawDeviceWarnings(s);
 * assert.equal(w.path, "steps[0].request.ifindex");
 * assert.match(w.message, /raw ifindex 2/);
 * ```
 */
export function rawDeviceWarnings(scenario: Scenario): ScenarioWarning[] {
  const names = explainedNames(scenario);
  const out: ScenarioWarning[] = [];
  for (const step of scenario.steps) {
    // A step that expects the device or namespace to be missing explains its raw reference.
    const e = step.expect;
    if (e.kind === "error" && (e.errno === "ENODEV" || e.errno === "ENONET")) continue;
    for (const ref of deviceRefs(step)) {
      const at = { code: "LCS301", file: scenario.file, pos: step.pos } as const;
      const path = `steps[${step.index}].request.${ref.path}`;
      if (typeof ref.value === "string" && ref.value.startsWith("$")) continue;
      if (ref.kind === "ifindex" && typeof ref.value === "number" && ref.value !== 0) {
        out.push({
          ...at,
          path,
          message: `${path}: raw ifindex ${ref.value} names no device of the scenario; write a ` +
            "$symbol, or keep it only to test a missing device (a real kernel adapter refuses " +
            "it when it names a device the scenario did not create)",
        });
      } else if (ref.kind === "name" && typeof ref.value === "string" && !names.has(ref.value)) {
        out.push({
          ...at,
          path,
          message: `${path}: device name ${
            JSON.stringify(ref.value)
          } is not created by the scenario (no topology entry, defines or ifname gives it)`,
        });
      }
    }
  }
  return out;
}
