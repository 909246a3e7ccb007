/**
 * What the counterexample viewer shows about a trace, computed without the DOM: the traces of a
 * report, the swim lane of each step, the request a step made, and the fields it changed (the
 * same lines as `diffLines` in `reports/text.ts`, kept as structured entries so the drawing can
 * highlight what changed).
 *
 * Works on JSON data (the report after `toJsonValue`): no Map, Set or bigint.
 *
 * @module
 */

import type { ProcessLocks } from "../../checker/spec.ts";
import type { Trace, TraceStep } from "../../checker/result.ts";
import type { RunReport } from "./data.ts";
import { compactJson, describeViolation } from "../text.ts";

export { compactJson, describeViolation, diffEntries, type DiffEntry, diffText } from "../text.ts";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A trace the viewer can show, with where it comes from. */
export interface TraceEntry {
  /** Stable id for links (`r0v1`, `r0v0e1`, `t0`). */
  readonly id: string;
  /** Short title (`invariant INV-L1`). */
  readonly title: string;
  /** One line on what was broken. */
  readonly description: string;
  /** The result's spec name, when it comes from a check result. */
  readonly spec?: string;
  /** The violation kind (`invariant`, `lock-order`...) or `trace`. */
  readonly kind: string;
  /** The trace. */
  readonly trace: Trace<unknown>;
  /** Lock information of a deadlock: who holds and waits for what in the last state. */
  readonly locks?: readonly ProcessLocks[];
  /** For a lock-order edge: the edge. */
  readonly edge?: { readonly from: string; readonly to: string; readonly process: string };
}

/**
 * Every trace of a report, in order: each violation's trace (one per edge for a lock-order
 * cycle), then the standalone traces.
 */
export function listTraces(doc: RunReport): TraceEntry[] {
  const out: TraceEntry[] = [];
  (doc.results ?? []).forEach((r, ri) => {
    r.violations.forEach((v, vi) => {
      if (v.kind === "lock-order") {
        v.cycle.forEach((edge, ei) =>
          out.push({
            id: `r${ri}v${vi}e${ei}`,
            title: `lock order ${edge.from} → ${edge.to}`,
            description: `${
              describeViolation(v)
            }; this trace: ${edge.process} holds ${edge.from} and takes ${edge.to}`,
            spec: r.spec,
            kind: v.kind,
            trace: edge.trace,
            edge: { from: edge.from, to: edge.to, process: edge.process },
          })
        );
        return;
      }
      out.push({
        id: `r${ri}v${vi}`,
        title: v.kind === "deadlock" ? "deadlock" : `${v.kind} ${v.name}`,
        description: describeViolation(v),
        spec: r.spec,
        kind: v.kind,
        trace: v.trace,
        ...(v.kind === "deadlock" && v.locks ? { locks: v.locks } : {}),
      });
    });
  });
  (doc.traces ?? []).forEach((t, i) =>
    out.push({
      id: `t${i}`,
      title: t.name,
      description: t.description ?? "",
      kind: "trace",
      trace: t.trace,
    })
  );
  return out;
}

function isNone(v: unknown): boolean {
  return v === null || v === undefined;
}

function procsOf(state: unknown): unknown[] | undefined {
  if (!isRecord(state)) return undefined;
  const procs = state.procs ?? state.processes;
  return Array.isArray(procs) ? procs : undefined;
}

/** The name a namespace index has in a model state (`ns1`), or `netns N`. */
export function netnsName(state: unknown, index: unknown): string {
  if (typeof index === "string") return index;
  if (isRecord(state) && Array.isArray(state.netns) && typeof index === "number") {
    const ns = state.netns[index];
    if (isRecord(ns) && typeof ns.name === "string") return ns.name;
  }
  return `netns ${String(index)}`;
}

/**
 * The swim lane of a step, or null for the initial state. In order: a `process` field of the
 * parameter; the process slot an in-flight operation runs in (`state.procs`); a process named in
 * the label (`Acq1(p1)`); the caller's namespace (`@ns1`); else the single lane `main`.
 */
export function laneOf(
  step: TraceStep<unknown>,
  prev: TraceStep<unknown> | undefined,
): string | null {
  if (prev === undefined) return null;
  const param = step.param;
  if (isRecord(param) && (typeof param.process === "string" || typeof param.process === "number")) {
    return typeof param.process === "number" ? `p${param.process}` : param.process;
  }
  const before = procsOf(prev.state);
  const after = procsOf(step.state);
  if (before && after) {
    if (typeof param === "number" && !isNone(before[param])) return `proc${param}`;
    const started = after.findIndex((p, i) => !isNone(p) && isNone(before[i]));
    if (started >= 0) return `proc${started}`;
    const changed = after.map((_, i) => i).filter((i) =>
      JSON.stringify(before[i]) !== JSON.stringify(after[i])
    );
    if (changed.length === 1) return `proc${changed[0]}`;
    return "atomic";
  }
  const named = /\(([A-Za-z_]+\d+)\)$/.exec(step.label);
  if (named) return named[1];
  if (isRecord(param) && param.caller !== undefined) {
    const caller = param.caller;
    const ns = isRecord(caller) ? caller.netns : caller;
    return `@${netnsName(prev.state, ns)}`;
  }
  return "main";
}

function laneKey(name: string): [number, string, number] {
  const m = /^(.*?)(\d+)$/.exec(name);
  const group = name.startsWith("@") ? 1 : name === "atomic" || name === "main" ? 2 : 0;
  return m ? [group, m[1], Number(m[2])] : [group, name, -1];
}

/** Orders lanes: processes by number, then caller namespaces, then `atomic`/`main`. */
export function compareLanes(a: string, b: string): number {
  const [ga, pa, na] = laneKey(a);
  const [gb, pb, nb] = laneKey(b);
  if (ga !== gb) return ga - gb;
  if (pa !== pb) return pa < pb ? -1 : 1;
  return na - nb;
}

/** The swim lanes of a trace. */
export interface Lanes {
  /** Lane names, in column order. */
  readonly names: readonly string[];
  /** The lane of each step (null for the initial state). */
  readonly ofStep: readonly (string | null)[];
  /** Lock information per lane (deadlocks): what the lane's process holds and waits for. */
  readonly locks: Readonly<Record<string, ProcessLocks>>;
}

/**
 * The swim lanes of a trace: one per process that acts in it, plus the processes a deadlock's
 * lock information names (`p0`, `p1`... or the prefix the trace's lanes use).
 */
export function lanesOf(trace: Trace<unknown>, locks?: readonly ProcessLocks[]): Lanes {
  const ofStep = trace.steps.map((s, i) => laneOf(s, trace.steps[i - 1]));
  const names = new Set<string>();
  for (const l of ofStep) if (l !== null) names.add(l);
  const byLane: Record<string, ProcessLocks> = {};
  if (locks?.length) {
    const indexed = [...names].map((n) => /^([A-Za-z_]+)\d+$/.exec(n)?.[1]).find((p) => p);
    const prefix = indexed ?? (procsOf(trace.steps[0]?.state) ? "proc" : "p");
    locks.forEach((l, i) => {
      names.add(`${prefix}${i}`);
      byLane[`${prefix}${i}`] = l;
    });
  }
  if (names.size === 0) names.add("main");
  return { names: [...names].sort(compareLanes), ofStep, locks: byLane };
}

/** The request a step made, for display. */
export interface StepRequest {
  /** One line: the operation, who asked, and for a resumed process where it stands. */
  readonly title: string;
  /** The request body (the ynl-shaped JSON request), or undefined when the step has none. */
  readonly body?: unknown;
  /** Extra facts (`caller: ns1`, `pc: start → phys-locked`). */
  readonly notes: readonly string[];
}

function lockName(state: unknown, lock: unknown): string {
  if (typeof lock === "number" && isRecord(state) && Array.isArray(state.devices)) {
    const d = state.devices[lock];
    if (isRecord(d) && typeof d.name === "string") return `${d.name} (dev ${lock})`;
  }
  return String(lock);
}

/** Locks as names (device instance locks by device name). */
export function lockNames(state: unknown, locks: readonly unknown[]): string[] {
  return locks.map((l) => lockName(state, l));
}

/**
 * What a step asked for: the operation and its ynl-shaped request (a model step's `request`), or
 * for a resumed in-flight process, the operation it continues and where it stands.
 */
export function requestOf(
  step: TraceStep<unknown>,
  prev: TraceStep<unknown> | undefined,
): StepRequest {
  if (prev === undefined) return { title: "initial state", notes: [] };
  const param = step.param;
  const before = procsOf(prev.state);
  if (typeof param === "number" && before && isRecord(before[param])) {
    const p = before[param] as Record<string, unknown>;
    const after = procsOf(step.state)?.[param];
    const notes = [
      `process: proc${param}`,
      `pc: ${String(p.pc)} → ${isRecord(after) ? String(after.pc) : "done"}`,
    ];
    if (Array.isArray(p.held) && p.held.length) {
      notes.push(`held before: ${lockNames(prev.state, p.held).join(", ")}`);
    }
    if (p.want !== null && p.want !== undefined) {
      notes.push(`${p.acquire ? "acquires" : "waits for"}: ${lockName(prev.state, p.want)}`);
    }
    const req = isRecord(p.step) ? p.step : {};
    if (isRecord(req.caller)) notes.unshift(`caller: ${netnsName(prev.state, req.caller.netns)}`);
    return {
      title: `${String(p.op ?? step.action)} continues (${step.label})`,
      body: "request" in req ? req.request : p.step,
      notes,
    };
  }
  if (isRecord(param) && "request" in param) {
    const notes: string[] = [];
    const caller = param.caller;
    if (caller !== undefined) {
      notes.push(`caller: ${netnsName(prev.state, isRecord(caller) ? caller.netns : caller)}`);
      if (isRecord(caller) && caller.capNetAdmin === false) notes.push("without CAP_NET_ADMIN");
    }
    for (const [k, v] of Object.entries(param)) {
      if (k !== "op" && k !== "caller" && k !== "request" && v !== undefined) {
        notes.push(`${k}: ${compactJson(v, 80)}`);
      }
    }
    return { title: String(param.op ?? step.action), body: param.request, notes };
  }
  return {
    title: step.label,
    ...(param === undefined || typeof param === "number" ? {} : { body: param }),
    notes: typeof param === "number" ? [`parameter: ${param}`] : [],
  };
}

/**
 * A short label for a step in its swim lane: `queue-create @ns1` for a model request,
 * `queue-create: start → phys-locked` for a resumed process, else the step's label.
 *
 * @example Usage
 * ```ts
 * import { shortLabel } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const prev = { action: "Init", param: 0, label: "Init", state: { netns: [{ name: "init" }] } };
 * const step = { action: "queue-get", label: "queue-get(...)", state: prev.state,
 *   param: { op: "queue-get", caller: { netns: 0 }, request: { ifindex: 2 } } };
 * assert.equal(shortLabel(step, prev), "queue-get @init");
 * ```
 */
export function shortLabel(step: TraceStep<unknown>, prev: TraceStep<unknown> | undefined): string {
  if (prev === undefined) return "Init";
  const param = step.param;
  const before = procsOf(prev.state);
  if (typeof param === "number" && before && isRecord(before[param])) {
    const p = before[param] as Record<string, unknown>;
    const after = procsOf(step.state)?.[param];
    const next = isRecord(after) && after.op === p.op ? String(after.pc) : "done";
    return `${String(p.op ?? step.action)}: ${String(p.pc)} → ${next}`;
  }
  if (isRecord(param) && "request" in param) {
    const caller = param.caller;
    return `${String(param.op ?? step.action)}${
      caller === undefined
        ? ""
        : ` @${netnsName(prev.state, isRecord(caller) ? caller.netns : caller)}`
    }`;
  }
  return step.label;
}

/**
 * What a set of changed paths touched, for highlighting: device indexes, `dev:queue` keys of rx
 * queues, namespace indexes and process slots.
 */
export interface Touched {
  /** Devices with any changed field. */
  readonly devices: ReadonlySet<number>;
  /** Rx queues (`"dev:queue"`) with any changed field. */
  readonly queues: ReadonlySet<string>;
  /** Namespaces with any changed field. */
  readonly netns: ReadonlySet<number>;
  /** Process slots with any changed field. */
  readonly procs: ReadonlySet<number>;
}

/**
 * Parses changed paths into the parts of a model state they touch.
 *
 * @example Usage
 * ```ts
 * import { touched } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const t = touched(["devices[3].rxq[1].lease", "procs[0]"]);
 * assert.ok(t.devices.has(3) && t.queues.has("3:1") && t.procs.has(0));
 * ```
 */
export function touched(paths: readonly string[]): Touched {
  const devices = new Set<number>();
  const queues = new Set<string>();
  const netns = new Set<number>();
  const procs = new Set<number>();
  for (const p of paths) {
    const d = /^devices\[(\d+)\](?:\.rxq\[(\d+)\])?/.exec(p);
    if (d) {
      devices.add(Number(d[1]));
      if (d[2] !== undefined) queues.add(`${d[1]}:${d[2]}`);
    }
    const n = /^netns\[(\d+)\]/.exec(p);
    if (n) netns.add(Number(n[1]));
    const q = /^(?:procs|processes)\[(\d+)\]/.exec(p);
    if (q) procs.add(Number(q[1]));
  }
  return { devices, queues, netns, procs };
}
