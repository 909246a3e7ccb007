/**
 * Plain-text rendering of run results for a terminal or a CI log: the verdict line, statistics,
 * and each counterexample as numbered steps showing only what changed.
 *
 * @module
 */

import type { CheckResult, Trace, Violation } from "../checker/result.ts";
import type { Scope, SpecScope } from "../checker/scope.ts";

/** Options of {@link renderResult}. */
export interface RenderOptions {
  /** The command that reproduces a trace, given its replay token. */
  readonly reproduce?: (token: string) => string;
  /** Wrap verdict words in ANSI colours. */
  readonly color?: boolean;
}

/**
 * Flattens plain data into `path → rendered value` pairs, so two states can be compared field by
 * field (`pc[1]`, `owner.A`, `devices[2].queues[0].lease`).
 *
 * @example Usage
 * ```ts
 * import { flatten } from "./text.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([...flatten({ a: [1, { b: true }] })], [["a[0]", "1"], ["a[1].b", "true"]]);
 * ```
 */
export function flatten(
  value: unknown,
  path: string = "",
  out: Map<string, string> = new Map(),
): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, "[]");
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (value instanceof Map) {
    if (value.size === 0) out.set(path, "Map{}");
    for (const [k, v] of value) flatten(v, `${path}{${renderScalar(k)}}`, out);
  } else if (value instanceof Set) {
    out.set(path, `{${[...value].map(renderScalar).sort().join(", ")}}`);
  } else if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0) out.set(path, "{}");
    for (const k of keys) {
      flatten((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
    }
  } else {
    out.set(path, renderScalar(value));
  }
  return out;
}

function renderScalar(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "object" && v !== null) return JSON.stringify(toJsonValue(v));
  return String(v);
}

/**
 * Converts plain data to JSON-safe data: `Map` → array of `[key, value]`, `Set` → array, bigint
 * → decimal string, `undefined` fields dropped.
 */
export function toJsonValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map) return [...value].map(([k, v]) => [toJsonValue(k), toJsonValue(v)]);
  if (value instanceof Set) return [...value].map(toJsonValue);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

/** Compact one-line JSON of a value, cut at `max` characters (`(none)` for absent). */
export function compactJson(value: unknown, max: number = 160): string {
  const text = value === undefined ? "(none)" : JSON.stringify(toJsonValue(value)) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) &&
    !(v instanceof Set);
}

/** One changed field between two states. */
export interface DiffEntry {
  /** Path of the field (`devices[2].rxq[0].lease`), `state` for the whole value. */
  readonly path: string;
  /** The value before (undefined: absent). */
  readonly before: unknown;
  /** The value after (undefined: absent). */
  readonly after: unknown;
}

/**
 * The fields that differ between two values, descending into objects and arrays present on both
 * sides and reporting anything else (a scalar change, `null` becoming an object, an element
 * appearing) as one entry.
 *
 * @example Usage
 * ```ts
 * import { diffEntries } from "./text.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(diffEntries({ a: [1, 2] }, { a: [1, 3] }), [{ path: "a[1]", before: 2, after: 3 }]);
 * ```
 */
export function diffEntries(before: unknown, after: unknown, path: string = ""): DiffEntry[] {
  if (before === after) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DiffEntry[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      out.push(...diffEntries(before[i], after[i], `${path}[${i}]`));
    }
    return out;
  }
  if (isRecord(before) && isRecord(after)) {
    const out: DiffEntry[] = [];
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...diffEntries(before[k], after[k], path ? `${path}.${k}` : k));
    }
    return out;
  }
  if (JSON.stringify(toJsonValue(before)) === JSON.stringify(toJsonValue(after))) return [];
  return [{ path: path || "state", before, after }];
}

/** A diff entry as one line: `path: before → after`. */
export function diffText(entry: DiffEntry, max: number = 160): string {
  return `${entry.path}: ${compactJson(entry.before, max)} → ${compactJson(entry.after, max)}`;
}

/**
 * The differences between two values as `path: before → after` lines ({@link diffEntries}).
 *
 * @example Usage
 * ```ts
 * import { diffLines } from "./text.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(diffLines({ a: [1, 2], b: null }, { a: [1, 3], b: { x: 1 } }), [
 *   "a[1]: 2 → 3",
 *   'b: null → {"x":1}',
 * ]);
 * ```
 */
export function diffLines(before: unknown, after: unknown): string[] {
  return diffEntries(before, after).map((e) => diffText(e));
}

/** The lines of a state shown in full: one per top-level field, one per element of a list of records. */
function stateLines(state: unknown): string[] {
  if (!isRecord(state)) return [`state = ${compactJson(state, 400)}`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(state)) {
    if (Array.isArray(v) && v.some(isRecord)) {
      v.forEach((x, i) => out.push(`${k}[${i}] = ${compactJson(x, 400)}`));
    } else {
      out.push(`${k} = ${compactJson(v, 400)}`);
    }
  }
  return out;
}

/** Renders a trace: the first state in full, then each step's label and the fields it changed. */
export function renderTrace<S>(trace: Trace<S>, indent: string = "  "): string {
  const lines: string[] = [];
  trace.steps.forEach((step, i) => {
    lines.push(`${indent}${String(i).padStart(3)}  ${step.label}`);
    const changes = i === 0
      ? stateLines(step.state)
      : diffLines(trace.steps[i - 1].state, step.state);
    if (i > 0 && changes.length === 0) changes.push("(no change)");
    for (const line of changes) lines.push(`${indent}       ${line}`);
  });
  return lines.join("\n");
}

/** One line per violation kind: what was broken. */
export function describeViolation<S>(v: Violation<S>): string {
  switch (v.kind) {
    case "invariant":
      return `invariant ${v.name} is violated${v.description ? ` (${v.description})` : ""}`;
    case "property":
      return `action property ${v.name} is violated${v.description ? ` (${v.description})` : ""}`;
    case "deadlock":
      return v.rule === "no-progress"
        ? "deadlock: processes are in flight in a reachable state and none can take a step (only idle requests are enabled)"
        : "deadlock: a reachable state has no enabled action and is not a valid end state";
    case "lock-order":
      return `lock-order cycle ${v.name}: a potential deadlock (locks taken in opposite orders)`;
    case "error":
      return `the spec threw in ${v.name}: ${v.message}`;
  }
}

function paint(text: string, code: number, color: boolean | undefined): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

/**
 * The qualifications an `ok` verdict holds under, as short phrases for the verdict line: the
 * spec's bounds (or that it declares none), checks that were off, reductions in force. Empty
 * when the run claims the spec's whole state space with every check on.
 *
 * @example Usage
 * ```ts
 * import { scopeCaveats } from "./text.ts";
 * import { buildScope } from "../checker/scope.ts";
 * import assert from "node:assert/strict";
 * const spec = { name: "s", init: [0], actions: [], scope: { bounds: "N=2", sections: [] } };
 * const scope = buildScope(spec, {
 *   search: "exhaustive",
 *   bounds: {},
 *   fingerprints: { mode: "exact" },
 *   checkDeadlock: false,
 *   checkLockOrder: true,
 *   coverage: false,
 *   workers: 1,
 * });
 * assert.deepEqual(scopeCaveats(scope), ["within bounds N=2", "deadlock not checked"]);
 * ```
 */
export function scopeCaveats(scope: Scope): string[] {
  const out: string[] = [];
  if (!scope.declared) out.push("bounds not declared by the spec");
  else if (scope.spec.bounds) out.push(`within bounds ${scope.spec.bounds}`);
  const e = scope.engine;
  if (e.checks.deadlock === null) out.push("deadlock not checked");
  if (e.checks.lockOrder === "off") out.push("lock order not checked");
  if (e.symmetry) out.push("symmetry-reduced");
  for (const r of e.reductions) if (!r.startsWith("symmetry")) out.push(r);
  return out;
}

/** The scope suffix of a verdict line: ` — scope: within bounds ...; symmetry-reduced`, or "". */
function scopeSuffix(scope: Scope | undefined): string {
  if (scope === undefined) return "";
  const caveats = scopeCaveats(scope);
  return caveats.length === 0 ? "" : ` — scope: ${caveats.join("; ")}`;
}

/**
 * The final verdict line of a run. An `ok` or `incomplete` verdict ends with the qualifications
 * it holds under (the spec's declared bounds, checks that were off, reductions), so an `ok` never
 * reads as more than was checked.
 */
export function renderVerdict<S>(result: CheckResult<S>, color?: boolean): string {
  const s = result.stats;
  const what = result.mode === "simulation"
    ? `${fmt(s.generated)} steps, ${fmt(s.distinct)} distinct states seen, depth ${s.depth}`
    : `${fmt(s.distinct)} distinct states, ${fmt(s.generated)} transitions, depth ${s.depth}`;
  const time = `${(s.elapsedMs / 1000).toFixed(2)} s`;
  switch (result.verdict) {
    case "ok": {
      const p = result.fingerprints.collisionProbability;
      const odds = result.fingerprints.mode === "exact"
        ? "exact state keys"
        : `fingerprint collision probability ${p === undefined ? "n/a" : p.toExponential(1)}`;
      return `${paint("ok", 32, color)} ${result.spec}: no violation in ${what} (${time}; ${odds})${
        scopeSuffix(result.scope)
      }`;
    }
    case "incomplete":
      return `${
        paint("incomplete", 33, color)
      } ${result.spec}: no violation so far in ${what} (${time}); stopped: ${result.stoppedBecause}${
        scopeSuffix(result.scope)
      }`;
    case "violation":
    case "error":
      return `${
        paint(result.verdict === "error" ? "error" : "violation", 31, color)
      } ${result.spec}: ${describeViolation(result.violations[0])} (${what}, ${time})`;
  }
}

const STOPPED_BY: Readonly<Record<string, string>> = {
  "max-states": "--max-states",
  "max-depth": "--max-depth",
  "time-budget": "the time budget",
  "memory-budget": "the memory budget",
  violation: "the first violation",
  error: "an exception in the spec",
};

/**
 * The labels `scope` declares (`SpecScope.labels`) that `coverage` never counted, in
 * declaration order; undefined when the spec declares none or the run counted no coverage.
 *
 * @example Usage
 * ```ts
 * import { unreachedLabels } from "./text.ts";
 * import assert from "node:assert/strict";
 * const spec = { sections: [], labels: ["QC-10", "QC-20"] };
 * assert.deepEqual(unreachedLabels(spec, { "QC-10": 4 }), ["QC-20"]);
 * assert.equal(unreachedLabels(spec, undefined), undefined);
 * ```
 */
export function unreachedLabels(
  scope: SpecScope,
  coverage: Readonly<Record<string, number>> | undefined,
): string[] | undefined {
  if (scope.labels === undefined || coverage === undefined) return undefined;
  return [...new Set(scope.labels)].filter((l) => !((coverage[l] ?? 0) > 0));
}

/**
 * The scope block of a result: what the engine did (search mode, fingerprints, reductions,
 * checks, workers) and every section the spec declares.
 *
 * @example Usage
 * ```ts
 * import { renderScope } from "./text.ts";
 * import { buildScope } from "../checker/scope.ts";
 * import assert from "node:assert/strict";
 * const scope = buildScope({ name: "s", init: [0], actions: [] }, {
 *   search: "exhaustive",
 *   bounds: {},
 *   fingerprints: { mode: "exact" },
 *   checkDeadlock: true,
 *   checkLockOrder: true,
 *   coverage: false,
 *   workers: 1,
 * });
 * assert.match(renderScope(scope).join("\n"), /search: exhaustive/);
 * ```
 */
export function renderScope(
  scope: Scope,
  indent: string = "  ",
  coverage?: Readonly<Record<string, number>>,
): string[] {
  const e = scope.engine;
  const bounds = [
    e.bounds.maxStates !== undefined ? `--max-states ${e.bounds.maxStates}` : "",
    e.bounds.maxDepth !== undefined ? `--max-depth ${e.bounds.maxDepth}` : "",
    e.bounds.timeBudgetMs !== undefined ? `--time-budget ${e.bounds.timeBudgetMs / 1000} s` : "",
    e.bounds.memoryBudgetBytes !== undefined
      ? `--memory-budget ${(e.bounds.memoryBudgetBytes / 2 ** 20).toFixed(0)} MiB`
      : "",
  ].filter((b) => b !== "");
  const search = e.search === "exhaustive"
    ? "exhaustive: every reachable state expanded (breadth-first)"
    : e.search === "partial"
    ? `partial: stopped by ${STOPPED_BY[e.stoppedBy ?? ""] ?? e.stoppedBy ?? "a bound"}`
    : `simulation: ${e.walks?.run ?? 0} of ${e.walks?.requested ?? 0} random walks of up to ${
      e.walks?.depth ?? 0
    } steps, seed ${e.walks?.seed}`;
  const fp = e.fingerprints.mode === "exact"
    ? "exact canonical keys (no collision possible)"
    : `64-bit${
      e.fingerprints.collisionProbability === undefined
        ? ""
        : `, collision probability ${e.fingerprints.collisionProbability.toExponential(1)}`
    }`;
  const c = e.checks;
  const checks = [
    `${c.invariants} invariant${c.invariants === 1 ? "" : "s"}`,
    `${c.properties} action propert${c.properties === 1 ? "y" : "ies"}`,
    c.deadlock === null ? "deadlock off" : `deadlock (${c.deadlock})`,
    c.lockOrder === "checked"
      ? "lock order"
      : c.lockOrder === "off"
      ? "lock order off"
      : "lock order n/a (no lock information)",
    c.coverage ? "coverage" : "coverage off",
  ];
  const out = [
    `${indent}scope:`,
    `${indent}  search: ${search}; ${e.workers} worker${e.workers === 1 ? "" : "s"}${
      bounds.length ? `; bounds given: ${bounds.join(", ")}` : ""
    }`,
    `${indent}  fingerprints: ${fp}`,
    `${indent}  reductions: ${e.reductions.length ? e.reductions.join("; ") : "none"}`,
    `${indent}  checks: ${checks.join(", ")}`,
  ];
  if (e.frontier !== undefined) out.push(`${indent}  frontier: ${e.frontier}`);
  if (!scope.declared) out.push(`${indent}  spec: declares no scope (its bounds are not stated)`);
  else out.push(`${indent}  spec bounds: ${scope.spec.bounds ?? "none (the whole state space)"}`);
  const labels = scope.spec.labels;
  if (labels !== undefined) {
    const unreached = unreachedLabels(scope.spec, coverage);
    out.push(
      unreached === undefined
        ? `${indent}  coverage: not counted (${labels.length} labels declared)`
        : `${indent}  coverage: ${labels.length - unreached.length} of ${labels.length} labels ` +
          `reached${unreached.length ? `; never reached: ${unreached.join(", ")}` : ""}`,
    );
  }
  for (const section of scope.spec.sections) {
    out.push(`${indent}  spec ${section.title}:`);
    for (const entry of section.entries) {
      out.push(
        `${indent}    ${entry.name}: ${entry.value}${entry.note ? ` (${entry.note})` : ""}`,
      );
    }
  }
  return out;
}

const mib = (n: number): string => `${fmt(n / 2 ** 20)} MB`;

/**
 * The memory, frontier and parallel figures of a run, when it has them, one line each.
 *
 * @example Usage
 * ```ts
 * import { renderResources } from "./text.ts";
 * import { explore } from "../checker/explore.ts";
 * import assert from "node:assert/strict";
 * const r = explore({ name: "one", init: [0], actions: [], isEnd: () => true });
 * assert.match(renderResources(r.stats).join("\n"), /frontier \(auto\): peak 1 queued/);
 * ```
 */
export function renderResources(s: CheckResult<unknown>["stats"]): string[] {
  const out: string[] = [];
  if (s.memory !== undefined) {
    out.push(
      `  memory: peak ${mib(s.memory.peakRss)} resident${
        s.memory.budget === undefined ? "" : ` (budget ${mib(s.memory.budget)})`
      }, seen set ${mib(s.seenSetBytes)}`,
    );
  }
  if (s.frontier !== undefined) {
    const f = s.frontier;
    out.push(
      `  frontier (${f.mode}): peak ${fmt(f.peakQueued)} queued${
        f.bytesPerEncodedState > 0
          ? `, ${f.bytesPerEncodedState.toFixed(1)} bytes per encoded state`
          : ""
      }${f.spilledBytes > 0 ? `, ${mib(f.spilledBytes)} spilled to disk` : ""}`,
    );
  }
  if (s.parallel !== undefined) {
    const p = s.parallel;
    const sec = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    out.push(
      `  workers: ${p.workers}, busy ${p.busyMs.map(sec).join(" / ")}; ${p.levels} level rounds, ${
        sec(p.barrierWaitMs)
      } waiting at level ends, ${sec(p.rebalanceMs)} rebalancing (${
        fmt(p.movedStates)
      } states moved), ${fmt(p.stolenStates ?? 0)} states handed over within levels`,
    );
  }
  return out;
}

/** Renders a whole result: each violation with its trace, statistics and the verdict line. */
export function renderResult<S>(result: CheckResult<S>, options: RenderOptions = {}): string {
  const out: string[] = [];
  const reproduce = (token: string): string | undefined =>
    token && options.reproduce ? `  reproduce: ${options.reproduce(token)}` : undefined;
  for (const v of result.violations) {
    out.push(`${paint("✘", 31, options.color)} ${describeViolation(v)}`);
    if (v.kind === "lock-order") {
      for (const edge of v.cycle) {
        out.push(
          `  edge ${edge.from} -> ${edge.to}: ${edge.process} holds ${edge.from} and takes ${edge.to}`,
        );
        out.push(renderTrace(edge.trace, "    "));
        const line = reproduce(edge.trace.token);
        if (line) out.push(`  ${line}`);
      }
      continue;
    }
    out.push(`  trace (${v.trace.steps.length - 1} steps):`);
    out.push(renderTrace(v.trace));
    if (v.kind === "deadlock" && v.locks) {
      const who = v.locks.map((l, i) =>
        `p${i} holds ${l.held.length ? l.held.join(", ") : "nothing"}${
          l.waiting ? `, waits for ${l.waiting}` : ""
        }`
      );
      out.push(`  locks: ${who.join("; ")}`);
    }
    const line = reproduce(v.trace.token);
    if (line) out.push(line);
  }
  const s = result.stats;
  const actions = Object.entries(s.perAction)
    .map(([name, a]) =>
      `${name} ${fmt(a.generated)}${result.mode === "exhaustive" ? `/${fmt(a.distinct)}` : ""}`
    )
    .join(", ");
  out.push(
    `  states: ${fmt(s.distinct)} distinct, ${fmt(s.generated)} ${
      result.mode === "simulation" ? "steps" : "transitions"
    }, depth ${s.depth}, ${fmt(s.queued)} left in queue, ${fmt(s.statesPerSecond)}/s` +
      (result.seed !== undefined ? `, seed ${result.seed}` : ""),
  );
  if (actions) {
    out.push(
      `  per action (${
        result.mode === "exhaustive" ? "transitions/new states" : "steps"
      }): ${actions}`,
    );
  }
  if (result.coverage) {
    const ids = Object.keys(result.coverage);
    out.push(`  coverage: ${ids.length} spec facts exercised (${ids.join(", ")})`);
  }
  if (result.lockOrder?.length) {
    out.push(`  lock order: ${result.lockOrder.map((e) => `${e.from}->${e.to}`).join(", ")}`);
  }
  out.push(...renderResources(s));
  if (result.scope) out.push(...renderScope(result.scope, "  ", result.coverage));
  out.push(renderVerdict(result, options.color));
  return out.join("\n");
}

/** A progress line in TLC's spirit. */
export function renderProgress(p: {
  elapsedMs: number;
  distinct: number;
  generated: number;
  queued: number;
  depth: number;
  statesPerSecond: number;
}): string {
  return `progress ${(p.elapsedMs / 1000).toFixed(0)} s: ${fmt(p.distinct)} distinct, ${
    fmt(p.generated)
  } generated, ${fmt(p.queued)} queued, depth ${p.depth}, ${fmt(p.statesPerSecond)} states/s`;
}
