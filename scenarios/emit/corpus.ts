/**
 * The generated corpus: scenarios written from the explored graph of the correct model, so that
 * certification tests every kind of transition the model can take, not only the ones a person
 * thought of.
 *
 * For each corpus topology ({@linkcode CORPUS_TOPOLOGIES}) the atomic model is explored
 * breadth-first, every transition included (failing requests too). A transition's *class* is
 * (the abstract class of its source state, the operation, the outcome): the abstract class is
 * what an implementation can observe ({@linkcode observableClass}: which devices exist in which
 * namespace, which queues are leased to which, which providers and sockets are bound), the
 * outcome is the reply, or the errno with its extack and attribute pointers. The corpus is a set
 * of walks through the graph that together take a transition of every class: each walk starts
 * with a shortest path to the nearest transition of a class no earlier walk took, then goes on
 * greedily to the nearest such transition (requests that change nothing first) until it would
 * pass `maxSteps` steps or nothing new is reachable. The walks come in passes: first the core
 * operations alone, then each memory-provider operation with the core
 * ({@linkcode PROVIDER_OPERATIONS}), then whatever is left, so that an implementation without
 * one provider operation loses only that operation's walks. Every step expects the correct model's
 * reply, and every scenario ends with a full observation (a queue-get dump from every live
 * namespace and GETLINK of every netkit and physical device), so a wrong state fails the
 * scenario that caused it.
 *
 * @module
 */

import { fingerprint, fingerprintHex } from "../../checker/fingerprint.ts";
import { encodeToken, type PathStep, replayPath } from "../../checker/trace.ts";
import { DEFAULT_CONFIG, type ModelConfig, validateConfig } from "../../model/config.ts";
import { leasingSpec } from "../../model/spec.ts";
import { applyStep, type ModelStep } from "../../model/step.ts";
import { deviceByIfindex, type ModelState } from "../../model/state.ts";
import type { OpReply } from "../../model/errors.ts";
import { isChange } from "../../model/ops/newlink.ts";
import { scenarioOfTrace } from "./scenario_of_trace.ts";

/** A topology the corpus is generated from: an atomic model configuration with a purpose. */
export interface CorpusTopology {
  /** Name: the sub-folder of the corpus and the prefix of its scenario names. */
  readonly name: string;
  /** What the topology stresses (written into each scenario's description). */
  readonly description: string;
  /** The configuration (explored atomic and unmutated). */
  readonly config: ModelConfig;
}

const ATOMIC = { concurrency: 1, mutant: null } as const;

/**
 * The corpus topologies. Each is small enough to explore completely in seconds; together they
 * stress identity (equal ifindexes in two namespaces, netns ids that are not 0, a NIC moved while
 * leased), memory providers through leases, and several lessees on one NIC.
 */
export const CORPUS_TOPOLOGIES: readonly CorpusTopology[] = [
  {
    name: "default",
    description: "the default topology (a netdevsim NIC, a netkit pair across two namespaces " +
      "and a single netkit), atomic",
    config: validateConfig({ ...DEFAULT_CONFIG, ...ATOMIC }),
  },
  {
    name: "same-ifindex",
    description: "two NICs with the same ifindex 2 in different namespaces (init names ns1 " +
      "as netns id 3, ns1 names init as 5) and a single netkit in init that leases from both",
    config: validateConfig({
      ...DEFAULT_CONFIG,
      ...ATOMIC,
      nsids: [{ netns: "init", peer: "ns1", id: 3 }, { netns: "ns1", peer: "init", id: 5 }],
      physical: [
        { name: "eth0", netns: "init", driver: "netdevsim", queues: 1 },
        { name: "eth1", netns: "ns1", driver: "netdevsim", queues: 1 },
      ],
      netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
      moves: "netkits",
      netnsMoves: 1,
    }),
  },
  {
    name: "phys-move",
    description: "a NIC with one queue moved between three namespaces while leased (at most " +
      "two moves), with netns ids that differ between them (none is 0): a netkit pair in " +
      "init and ns1 and a single netkit in ns2 compete for its queue",
    config: validateConfig({
      ...DEFAULT_CONFIG,
      ...ATOMIC,
      namespaces: ["init", "ns1", "ns2"],
      nsids: [
        { netns: "init", peer: "ns1", id: 4 },
        { netns: "init", peer: "ns2", id: 9 },
        { netns: "ns1", peer: "init", id: 6 },
        { netns: "ns1", peer: "ns2", id: 2 },
        { netns: "ns2", peer: "init", id: 7 },
        { netns: "ns2", peer: "ns1", id: 1 },
      ],
      physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 1 }],
      netkits: [
        {
          name: "nk0",
          netns: "init",
          pairing: "pair",
          numRxQueues: 2,
          peerName: "nk1",
          peerNetns: "ns1",
        },
        { name: "nks", netns: "ns2", pairing: "single", numRxQueues: 2 },
      ],
      moves: "physical",
      netnsMoves: 2,
    }),
  },
  {
    name: "mlx5",
    description: "a DMA-capable NIC with AF_XDP zero-copy behind a single netkit: io_uring " +
      "zero-copy rx, devmem and AF_XDP bound through leases, closed, and bound again",
    config: validateConfig({
      ...DEFAULT_CONFIG,
      ...ATOMIC,
      physical: [{ name: "eth0", netns: "init", driver: "mlx5", queues: 2 }],
      netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
      bindQueues: "all",
      moves: "netkits",
    }),
  },
  {
    name: "many-lessees",
    description: "one NIC with 2 queues leased by two single netkits, one in each namespace",
    config: validateConfig({
      ...DEFAULT_CONFIG,
      ...ATOMIC,
      physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 2 }],
      netkits: [
        { name: "nks", netns: "init", pairing: "single", numRxQueues: 2 },
        { name: "nkt", netns: "ns1", pairing: "single", numRxQueues: 2 },
      ],
      netnsMoves: 0,
    }),
  },
];

/**
 * The abstract class of a state: what an implementation can observe of it. Which namespaces are
 * alive; for each registered device its name, namespace and live rx queues, each with the queue
 * it is leased to and the kind of provider bound to it; and each binding's kind, device, queues
 * and zero-copy mode. Reference counts, trackers, locks, budgets, ifindex numbers and link state
 * are left out.
 *
 * @example Usage
 * ```ts
 * import { observableClass } from "./corpus.ts";
 * import { initialState } from "../../model/init.ts";
 * import { DEFAULT_CONFIG } from "../../model/config.ts";
 * import assert from "node:assert/strict";
 * assert.match(observableClass(initialState(DEFAULT_CONFIG)), /"nks","init"/);
 * ```
 */
export function observableClass(state: ModelState): string {
  const namespaces = state.netns.map((n) => (n.alive ? n.name : null));
  const devices = state.devices.map((d) => {
    if (d.reg !== "registered") return null;
    const queues = d.rxq.slice(0, d.realRx).map((q) =>
      (q.lease === null ? "" : `${state.devices[q.lease.dev].name}:${q.lease.queue}`) +
      (q.mp === null ? "" : `+${state.bindings[q.mp]?.kind ?? "?"}`)
    );
    return [d.name, state.netns[d.netns].name, queues];
  });
  const bindings = state.bindings.map((b) =>
    b === null
      ? null
      : [b.kind, b.dev === null ? null : state.devices[b.dev].name, b.queues, b.zeroCopy]
  );
  return JSON.stringify([namespaces, devices, bindings]);
}

/**
 * The operation and outcome of a transition: `queue-create ok`, `queue-get dump ok`,
 * `newlink (change) EACCES "..."`, or the errno with its extack and attribute pointers. Given
 * the state before, the kind of device the request names (`ifindex`, `ifi-index` or
 * `header.dev-index`, in the caller's namespace) is part of it: `bind-tx ok [netkit]` and
 * `bind-tx ok [physical]` are different transitions to an implementation even when they end in
 * the same observable state.
 *
 * @example Usage
 * ```ts
 * import { outcomeClass } from "./corpus.ts";
 * import assert from "node:assert/strict";
 * const step = { op: "close" as const, caller: { netns: 0 }, request: { binding: 0 } };
 * assert.equal(outcomeClass(step, { ok: true, reply: null }), "close ok");
 * ```
 */
export function outcomeClass(
  step: ModelStep,
  reply: OpReply<unknown>,
  before?: ModelState,
): string {
  const subject = before === undefined ? "" : subjectKind(before, step);
  const op = step.op + (step.op === "queue-get" && step.dump ? " dump" : "") +
    (step.op === "newlink" && isChange(step.request) ? " (change)" : "") + subject;
  if (reply.ok) return `${op} ok`;
  const parts = [op, reply.errno];
  if (reply.extack !== undefined) parts.push(JSON.stringify(reply.extack));
  if (reply.badAttr !== undefined) parts.push(`bad-attr ${reply.badAttr}`);
  if (reply.missNest !== undefined) parts.push(`miss-nest ${reply.missNest}`);
  if (reply.missType !== undefined) parts.push(`miss-type ${reply.missType}`);
  return parts.join(" ");
}

/** ` [kind]` of the device a request names in the caller's namespace (` [none]`), or "". */
function subjectKind(state: ModelState, step: ModelStep): string {
  const r = step.request as {
    ifindex?: unknown;
    "ifi-index"?: unknown;
    header?: { "dev-index"?: unknown };
  };
  const ifindex = r.ifindex ?? r["ifi-index"] ?? r.header?.["dev-index"];
  if (typeof ifindex !== "number") return "";
  const dev = deviceByIfindex(state, step.caller.netns, ifindex);
  return ` [${dev === undefined ? "none" : state.devices[dev].kind}]`;
}

/** Options of {@linkcode coverTopology} and {@linkcode generateCorpus}. */
export interface CorpusOptions {
  /** A walk stops before it would pass this many steps (default 40). */
  readonly maxSteps?: number;
  /** Stop exploring after this many distinct states (default 100 000). */
  readonly maxStates?: number;
}

/** One walk of the cover: the path and the transition classes it was the first to take. */
export interface CorpusWalk {
  /** The path from the initial state (engine replay steps). */
  readonly steps: readonly PathStep[];
  /** The replay token of the path (`deno task check --replay`). */
  readonly token: string;
  /** The transition classes it takes first, in order: `[step index, outcome class]`. */
  readonly covers: readonly (readonly [number, string])[];
}

/** The cover of one topology. */
export interface TopologyCover {
  /** The topology. */
  readonly topology: CorpusTopology;
  /** Distinct states explored. */
  readonly states: number;
  /** Transitions explored (every request in every state). */
  readonly transitions: number;
  /** Distinct transition classes. */
  readonly classes: number;
  /** How many of them the walks take (all, unless one is unreachable within `maxSteps`). */
  readonly covered: number;
  /** The walks, in generation order. */
  readonly walks: readonly CorpusWalk[];
  /** True when exploration reached every state (no `maxStates` cut). */
  readonly complete: boolean;
}

interface Edge {
  readonly action: number;
  readonly ordinal: number;
  readonly to: number;
  readonly cls: number;
  /** The operation's group: {@linkcode PROVIDER_OPERATIONS} index + 1, or 0 (the core). */
  readonly group: number;
}

/**
 * The memory-provider operations, each its own group of walks. An implementation may leave any
 * of them undeclared (the kernel VM has no io_uring zero-copy driver), and a scenario skips from
 * its first undeclared step on; so the walks of the core operations use none of them, and the
 * walks of one of them use only it besides the core. Classes that need two of them come last.
 */
export const PROVIDER_OPERATIONS: readonly string[] = ["bind-rx", "xsk-bind", "zcrx-register"];

/**
 * Explores `topology` and computes its covering walks (see the module documentation).
 *
 * @example Usage
 * ```ts
 * import { CORPUS_TOPOLOGIES, coverTopology } from "./corpus.ts";
 * import assert from "node:assert/strict";
 * const cover = coverTopology(CORPUS_TOPOLOGIES[0]);
 * assert.equal(cover.covered, cover.classes);
 * ```
 */
export function coverTopology(
  topology: CorpusTopology,
  options: CorpusOptions = {},
): TopologyCover {
  const maxSteps = options.maxSteps ?? 40;
  const maxStates = options.maxStates ?? 100_000;
  const spec = leasingSpec(topology.config);
  const init = (spec.init as readonly ModelState[])[0];
  const states: ModelState[] = [init];
  const ids = new Map<string, number>([[fingerprintHex(fingerprint(init)), 0]]);
  const classIds = new Map<string, number>();
  const classNames: string[] = [];
  const outcomeNames: string[] = [];
  const edges: Edge[][] = [];
  let transitions = 0;
  let complete = true;
  for (let id = 0; id < states.length; id++) {
    const s = states[id];
    const abstract = observableClass(s);
    const out: Edge[] = [];
    spec.actions.forEach((action, a) => {
      const params = typeof action.params === "function" ? action.params(s) : action.params ?? [];
      let ordinal = 0;
      for (const p of params) {
        const step = p as ModelStep;
        // The successor is the spec's (it also counts budgets such as netns moves); the reply,
        // which the spec does not keep, is the same step applied to the operation directly.
        const next = action.next(s, p) as ModelState | undefined;
        if (next === undefined) {
          ordinal++;
          continue;
        }
        const reply = applyStep(s, step, { mutant: null, kernel: topology.config.kernel }).reply;
        transitions++;
        const outcome = outcomeClass(step, reply, s);
        const key = `${abstract}\n${outcome}`;
        let cls = classIds.get(key);
        if (cls === undefined) {
          cls = classNames.length;
          classIds.set(key, cls);
          classNames.push(key);
          outcomeNames.push(outcome);
        }
        let to = id;
        if (next !== s) {
          const fp = fingerprintHex(fingerprint(next));
          const known = ids.get(fp);
          if (known !== undefined) to = known;
          else if (states.length < maxStates) {
            to = states.length;
            ids.set(fp, to);
            states.push(next);
          } else {
            complete = false;
            ordinal++;
            continue;
          }
        }
        out.push({ action: a, ordinal: ordinal++, to, cls, group: groupOf(step.op) });
      }
    });
    edges.push(out);
  }
  const taken = new Uint8Array(classNames.length);
  // The pass: which groups a walk may use (and take classes of); null for every group.
  let groups: ReadonlySet<number> | null = null;
  const allowed = (e: Edge) => groups === null || groups.has(e.group);
  // The nearest state (breadth-first from `from`, over allowed edges) with an allowed edge of a
  // class not taken yet: the path to it and that edge, preferring an edge that changes nothing.
  const nearest = (from: number): { path: [number, Edge][]; edge: [number, Edge] } | null => {
    const prev = new Map<number, [number, Edge] | null>([[from, null]]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const s = queue[i];
      const fresh = edges[s].filter((e) => taken[e.cls] === 0 && allowed(e));
      if (fresh.length > 0) {
        const edge = fresh.find((e) => e.to === s) ?? fresh[0];
        const path: [number, Edge][] = [];
        for (let at = prev.get(s); at !== null && at !== undefined; at = prev.get(at[0])) {
          path.push(at);
        }
        return { path: path.reverse(), edge: [s, edge] };
      }
      for (const e of edges[s]) {
        if (allowed(e) && !prev.has(e.to)) {
          prev.set(e.to, [s, e]);
          queue.push(e.to);
        }
      }
    }
    return null;
  };
  const walks: CorpusWalk[] = [];
  let covered = 0;
  const passes: (ReadonlySet<number> | null)[] = [
    new Set([0]),
    ...PROVIDER_OPERATIONS.map((_, i) => new Set([0, i + 1])),
    null,
  ];
  // Walks of the core first, then of each provider operation, then of whatever is left.
  for (const pass of passes) {
    groups = pass;
    for (;;) {
      const steps: PathStep[] = [];
      const covers: [number, string][] = [];
      let at = 0;
      for (;;) {
        const next = nearest(at);
        if (next === null) break;
        if (steps.length > 0 && steps.length + next.path.length + 1 > maxSteps) break;
        for (const [, e] of [...next.path, next.edge]) {
          if (taken[e.cls] === 0) {
            taken[e.cls] = 1;
            covered++;
            covers.push([steps.length, outcomeNames[e.cls]]);
          }
          steps.push({ action: e.action, ordinal: e.ordinal });
          at = e.to;
        }
      }
      if (steps.length === 0) break;
      walks.push({ steps, token: encodeToken({ init: 0, steps }), covers });
    }
  }
  return {
    topology,
    states: states.length,
    transitions,
    classes: classNames.length,
    covered,
    walks,
    complete,
  };
}

/** The walk group of operation `op` (see {@linkcode PROVIDER_OPERATIONS}). */
function groupOf(op: string): number {
  return PROVIDER_OPERATIONS.indexOf(op) + 1;
}

/** One generated scenario. */
export interface GeneratedScenario {
  /** Path inside the corpus folder: `<name>.yaml` (the name starts with the topology). */
  readonly file: string;
  /** Scenario name. */
  readonly name: string;
  /** The topology's name. */
  readonly topology: string;
  /** The file's text. */
  readonly yaml: string;
  /** How many transition classes it takes first. */
  readonly covers: number;
  /** Scenario steps (the walk's plus the observation). */
  readonly steps: number;
}

/** The generated corpus and its figures. */
export interface GeneratedCorpus {
  /** The scenarios, by topology then generation order. */
  readonly scenarios: readonly GeneratedScenario[];
  /** Per topology: states, transitions, classes, covered classes, scenarios and steps. */
  readonly topologies: readonly {
    readonly name: string;
    readonly states: number;
    readonly transitions: number;
    readonly classes: number;
    readonly covered: number;
    readonly scenarios: number;
    readonly steps: number;
    readonly complete: boolean;
  }[];
}

const slug = (s: string) =>
  s.replace(/"[^"]*"/g, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();

/**
 * Generates the corpus of `names` (default every {@linkcode CORPUS_TOPOLOGIES} entry), in
 * memory. Deterministic: the same model gives the same text.
 *
 * @throws {TypeError} When a name is not a corpus topology.
 *
 * @example Usage
 * ```ts
 * import { generateCorpus } from "./corpus.ts";
 * import assert from "node:assert/strict";
 * const corpus = generateCorpus(["same-ifindex"], { maxSteps: 20 });
 * assert.ok(corpus.scenarios.every((s) => s.file.startsWith("same-ifindex_")));
 * ```
 */
export function generateCorpus(
  names?: readonly string[],
  options: CorpusOptions = {},
): GeneratedCorpus {
  const chosen = (names ?? CORPUS_TOPOLOGIES.map((t) => t.name)).map((n) => {
    const t = CORPUS_TOPOLOGIES.find((x) => x.name === n);
    if (t === undefined) {
      throw new TypeError(
        `Unknown corpus topology "${n}" (one of: ${
          CORPUS_TOPOLOGIES.map((x) => x.name).join(", ")
        })`,
      );
    }
    return t;
  });
  const scenarios: GeneratedScenario[] = [];
  const topologies: GeneratedCorpus["topologies"][number][] = [];
  const seen = new Set<string>();
  for (const t of chosen) {
    const cover = coverTopology(t, options);
    const spec = leasingSpec(t.config);
    let steps = 0;
    let count = 0;
    cover.walks.forEach((walk, i) => {
      const first = walk.covers[0]?.[1] ?? "walk";
      const name = `${t.name}_${String(i + 1).padStart(4, "0")}_${slug(first)}`.slice(0, 72);
      const listed = walk.covers.slice(0, 6).map(([at, c]) => `${c} (step ${at + 1})`);
      const more = walk.covers.length > listed.length
        ? `, and ${walk.covers.length - listed.length} more`
        : "";
      const description = `Generated from the correct model on ${t.description}. ` +
        `First to take ${walk.covers.length} transition class(es): ${listed.join("; ")}${more}. ` +
        `Ends with a full observation; expectations are the model's replies.`;
      const trace = { steps: replayPath(spec, { init: 0, steps: walk.steps }), token: walk.token };
      const scenario = scenarioOfTrace(t.config, trace, {
        name,
        description,
        observe: true,
        source: `deno task corpus: topology ${t.name}, walk ${i + 1}, trace ${walk.token}`,
      });
      if (seen.has(scenario.yaml)) return;
      seen.add(scenario.yaml);
      const n = (scenario.data.steps as readonly unknown[]).length;
      steps += n;
      count++;
      scenarios.push({
        file: `${name}.yaml`,
        name,
        topology: t.name,
        yaml: scenario.yaml,
        covers: walk.covers.length,
        steps: n,
      });
    });
    topologies.push({
      name: t.name,
      states: cover.states,
      transitions: cover.transitions,
      classes: cover.classes,
      covered: cover.covered,
      scenarios: count,
      steps,
      complete: cover.complete,
    });
  }
  return { scenarios, topologies };
}
