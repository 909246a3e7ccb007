/**
 * Paths through a spec's state graph and the tokens that name them. A path is an initial-state
 * ordinal followed by (action index, parameter ordinal) pairs; replaying it re-runs the actions,
 * so traces are rebuilt instead of stored, and a short token reproduces any counterexample.
 *
 * @module
 */

import type { TraceStep } from "./result.ts";
import type { Action, Spec } from "./spec.ts";

/** One step of a path: which action, and which value of its parameter domain (by position). */
export interface PathStep {
  /** Index into `spec.actions`. */
  readonly action: number;
  /** Position of the parameter in the action's domain, as enumerated in that state. */
  readonly ordinal: number;
}

/** A path: the initial state's ordinal and the steps taken from it. */
export interface Path {
  /** Position of the initial state in `spec.init`. */
  readonly init: number;
  /** The steps. */
  readonly steps: readonly PathStep[];
}

/** Raised when a token or path does not fit the spec it is replayed against. */
export class ReplayError extends RangeError {
  /** The error's class name. */
  override readonly name: string = "ReplayError";
  /** Stable error code. */
  readonly code: string = "LC-REPLAY";
}

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TOKEN_VERSION = "1";

function pushNumber(out: string[], n: number): void {
  // Base-32 digits, least significant first; digit values 32..63 mean "more digits follow".
  while (n >= 32) {
    out.push(DIGITS[32 + (n & 31)]);
    n = Math.floor(n / 32);
  }
  out.push(DIGITS[n]);
}

/**
 * Encodes a path as a short URL-safe token.
 *
 * @example Usage
 * ```ts
 * import { decodeToken, encodeToken } from "./trace.ts";
 * import assert from "node:assert/strict";
 * const path = { init: 0, steps: [{ action: 2, ordinal: 1 }] };
 * assert.deepEqual(decodeToken(encodeToken(path)), path);
 * ```
 */
export function encodeToken(path: Path): string {
  const out: string[] = [TOKEN_VERSION];
  pushNumber(out, path.init);
  for (const step of path.steps) {
    pushNumber(out, step.action);
    pushNumber(out, step.ordinal);
  }
  return out.join("");
}

/**
 * Decodes a token made by {@link encodeToken}.
 *
 * @throws {ReplayError} when the token is malformed.
 */
export function decodeToken(token: string): Path {
  if (token[0] !== TOKEN_VERSION) {
    throw new ReplayError(
      `Cannot decode replay token "${token}": it does not start with version "${TOKEN_VERSION}"`,
    );
  }
  const numbers: number[] = [];
  let value = 0;
  let scale = 1;
  for (let i = 1; i < token.length; i++) {
    const digit = DIGITS.indexOf(token[i]);
    if (digit < 0) {
      throw new ReplayError(
        `Cannot decode replay token: character "${token[i]}" at position ${i} is not a token digit`,
      );
    }
    value += (digit & 31) * scale;
    if (digit >= 32) {
      scale *= 32;
    } else {
      numbers.push(value);
      value = 0;
      scale = 1;
    }
  }
  if (scale !== 1 || numbers.length === 0 || numbers.length % 2 !== 1) {
    throw new ReplayError(`Cannot decode replay token "${token}": it is truncated`);
  }
  const steps: PathStep[] = [];
  for (let i = 1; i < numbers.length; i += 2) {
    steps.push({ action: numbers[i], ordinal: numbers[i + 1] });
  }
  return { init: numbers[0], steps };
}

/** The initial states of a spec as an array. */
export function initialStates<S>(spec: Spec<S>): readonly S[] {
  return typeof spec.init === "function" ? [...spec.init()] : spec.init;
}

/** The parameter at position `ordinal` of `action`'s domain in `state`, or `NOT_FOUND`. */
export function nthParam<S>(action: Action<S, unknown>, state: S, ordinal: number): unknown {
  let i = 0;
  for (const p of domainOf(action, state)) {
    if (i++ === ordinal) return p;
  }
  return NOT_FOUND;
}

/** Marker returned by {@link nthParam} when the ordinal is out of the domain. */
export const NOT_FOUND: unique symbol = Symbol("not found");

/**
 * Renders a parameter compactly: numbers and strings as they are, objects as JSON-like text.
 *
 * @example Usage
 * ```ts
 * import { formatValue } from "./trace.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatValue({ p: 1, q: "a" }), "{p: 1, q: a}");
 * ```
 */
export function formatValue(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  return `{${
    Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) =>
      `${k}: ${formatValue(v)}`
    ).join(", ")
  }}`;
}

/** The label of a step: `Name` or `Name(param)`. */
export function stepLabel<S>(action: Action<S, unknown>, param: unknown): string {
  const text = action.formatParam ? action.formatParam(param) : formatValue(param);
  return text === "" ? action.name : `${action.name}(${text})`;
}

/**
 * Replays a path against a spec, returning the trace it produces.
 *
 * @throws {ReplayError} when the path does not fit the spec (a step is out of the domain or the
 * action is disabled there).
 */
export function replayPath<S>(spec: Spec<S>, path: Path): TraceStep<S>[] {
  const inits = initialStates(spec);
  if (path.init >= inits.length) {
    throw new ReplayError(
      `Cannot replay: initial state #${path.init} does not exist (the spec has ${inits.length})`,
    );
  }
  let state = inits[path.init];
  const steps: TraceStep<S>[] = [{
    action: "Init",
    param: path.init,
    label: "Init",
    state,
  }];
  for (const [i, step] of path.steps.entries()) {
    const action = spec.actions[step.action];
    if (!action) {
      throw new ReplayError(
        `Cannot replay step ${
          i + 1
        }: action #${step.action} does not exist (the spec has ${spec.actions.length})`,
      );
    }
    const param = nthParam(action, state, step.ordinal);
    if (param === NOT_FOUND) {
      throw new ReplayError(
        `Cannot replay step ${
          i + 1
        }: ${action.name} has no parameter #${step.ordinal} in this state`,
      );
    }
    const next = action.next(state, param);
    if (next === undefined) {
      throw new ReplayError(
        `Cannot replay step ${i + 1}: ${stepLabel(action, param)} is not enabled in this state`,
      );
    }
    state = next;
    steps.push({ action: action.name, param, label: stepLabel(action, param), state });
  }
  return steps;
}

const SINGLE_UNDEFINED: readonly undefined[] = [undefined];

/** The parameter domain of `action` in `state`: its list, its function's values, or `[undefined]`. */
export function domainOf<S>(action: Action<S, unknown>, state: S): Iterable<unknown> {
  const params = action.params;
  if (params === undefined) return SINGLE_UNDEFINED;
  return typeof params === "function" ? params(state) : params;
}

/** True when some action is enabled in `state` (the deadlock rule is `findDeadlock` in deadlock.ts). */
export function hasSuccessor<S>(spec: Spec<S>, state: S): boolean {
  for (const action of spec.actions) {
    for (const param of domainOf(action, state)) {
      if (action.next(state, param) !== undefined) return true;
    }
  }
  return false;
}
