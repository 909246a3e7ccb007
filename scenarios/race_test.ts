import assert from "node:assert/strict";
import { type MutantId, MUTANTS } from "../model/mutants.ts";
import { allowedOutcomes, RaceModelError } from "./emit/race_outcomes.ts";
import { loadScenarios } from "./load.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { parseScenario, ScenarioValidationError } from "./parse.ts";
import { ProcessAdapter } from "./process_adapter.ts";
import { runRace, sequentialOrders } from "./race.ts";
import type { ReplayAdapter } from "./replay.ts";

const HEAD = "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '>=7.2'\n" +
  "topology:\n  namespaces: [{ name: init }, { name: ns, nsids: { init: 0 } }]\n" +
  "  physical: [{ name: nsim, kind: netdevsim, queues: 2 }]\n" +
  "  links:\n    - name: host\n      request:\n" +
  "        linkinfo: { kind: netkit, data: { mode: l2, policy: forward, peer-policy: forward } }\n" +
  "        num-rx-queues: 2\n      peer: { name: guest, netns: ns }\n";
const LEASE = "  - netns: ns\n    op: queue-create\n    thread: lease\n" +
  "    request: { ifindex: $guest, type: rx, lease: { ifindex: $nsim, queue: { id: 1, type: rx }, " +
  "netns-id: 0 } }\n";
const REMOVE = "  - { op: phys-remove, request: { ifindex: $nsim }, thread: remove }\n";

function race(text: string) {
  return parseScenario(HEAD + text, "t.yaml");
}

/** The model adapter without its `race`: what an implementation that cannot race offers. */
function sequentialOnly(): ReplayAdapter {
  const a = new ModelAdapter();
  return {
    name: "sequential",
    setup: (t) => a.setup(t),
    apply: (s) => a.apply(s),
    teardown: () => a.teardown(),
  };
}

Deno.test("a race's shape is checked where it is written", () => {
  const fails = (text: string, re: RegExp) =>
    assert.throws(
      () => race(text),
      (e: unknown) => e instanceof ScenarioValidationError && re.test(e.message),
    );
  fails(
    "race: {}\nsteps:\n" + LEASE + "    expect: { ok: true }\n" + REMOVE,
    /steps\[0\]\.expect: a race's threads expect nothing/,
  );
  fails("race: {}\nsteps:\n" + LEASE, /race: needs steps of at least two threads, got 1/);
  fails(
    "race: {}\nsteps:\n" + LEASE + "  - { op: queue-get, dump: true }\n" + REMOVE,
    /steps\[1\]: a race's steps without a thread \(its setup\) come first/,
  );
  fails("race: {}\nschedule: [lease, remove]\nsteps:\n" + LEASE + REMOVE, /a race has no schedule/);
  fails("race: { repetitions: 0 }\nsteps:\n" + LEASE + REMOVE, /repetitions/);
  fails("race: { jiter-us: 5 }\nsteps:\n" + LEASE + REMOVE, /jiter-us/);
  const ok = race("race: { repetitions: 7, jitter-us: 20 }\nsteps:\n" + LEASE + REMOVE);
  assert.equal(ok.race?.repetitions, 7);
  assert.equal(ok.race?.jitterUs, 20);
});

Deno.test("the model's allowed outcomes of a lease racing the NIC's removal: both orders, and the observation", () => {
  const m = allowedOutcomes(race("race: {}\nsteps:\n" + LEASE + REMOVE), { mutant: null });
  assert.deepEqual(m.outcomes.map((o) => o.summary).sort(), [
    "lease: ENODEV, remove: ok",
    "lease: ok, remove: ok",
  ]);
  assert.ok(m.outcomes.every((o) => o.interleavings > 0));
  assert.equal(
    m.outcomes.reduce((n, o) => n + o.interleavings, 0),
    m.explored.interleavings,
    "every interleaving ends in one outcome",
  );
  // A dump from every namespace, then GETLINK of every named device.
  assert.deepEqual(m.observation.map((s) => `${s.op} ${s.netns}`), [
    "queue-get init",
    "queue-get ns",
    "getlink init",
    "getlink init",
    "getlink ns",
  ]);
});

Deno.test("a race whose setup the model does not meet is an error naming the step", () => {
  const s = race(
    "race: {}\nsteps:\n  - { op: queue-get, request: { ifindex: $nsim, id: 9, type: rx }, " +
      "expect: { ok: true } }\n" + LEASE + REMOVE,
  );
  assert.throws(
    () => allowedOutcomes(s, { mutant: null }),
    (e: unknown) =>
      e instanceof RaceModelError && /steps\[0\] \(queue-get\) of the setup/.test(e.message),
  );
});

Deno.test("sequential orders keep each thread's steps in order", () => {
  assert.deepEqual(sequentialOrders([2, 1], 10), [[0, 0, 1], [0, 1, 0], [1, 0, 0]]);
  assert.equal(sequentialOrders([3, 3], 5).length, 5, "at most the limit");
});

Deno.test("a race runs concurrently on the model (random interleavings) and sequentially without race()", async () => {
  const s = race("race: { repetitions: 40 }\nsteps:\n" + LEASE + REMOVE);
  const m = allowedOutcomes(s, { mutant: null });
  const concurrent = await runRace(s, new ModelAdapter(), m);
  assert.equal(concurrent.verdict, "pass", concurrent.reason);
  assert.equal(concurrent.race?.mode, "concurrent");
  assert.equal(concurrent.race?.repetitions, 40);
  assert.equal(concurrent.race?.outcomes.reduce((n, o) => n + o.observed, 0), 40);
  const sequential = await runRace(s, sequentialOnly(), m);
  assert.equal(sequential.verdict, "pass", sequential.reason);
  assert.equal(sequential.race?.mode, "sequential");
  assert.equal(sequential.race?.repetitions, 2, "each order of the two operations once");
  assert.deepEqual(sequential.race?.outcomes.map((o) => o.observed), [1, 1]);
});

Deno.test("an outcome outside the allowed set fails the race, with the repetition and the nearest allowed outcome", async () => {
  const s = race("race: { repetitions: 5 }\nsteps:\n" + LEASE + REMOVE);
  const m = allowedOutcomes(s, { mutant: null });
  // A lying implementation: every lease answers EBUSY.
  const a = new ModelAdapter();
  const liar: ReplayAdapter = {
    name: "liar",
    setup: (t) => a.setup(t),
    apply: async (step) => {
      const r = await a.apply(step);
      return step.op === "queue-create"
        ? { ...r, outcome: { kind: "error", errno: "EBUSY", code: -16 } }
        : r;
    },
    teardown: () => a.teardown(),
  };
  const r = await runRace(s, liar, m);
  assert.equal(r.verdict, "fail");
  assert.equal(r.race?.outsideCount, 2);
  assert.equal(r.race?.outside[0].repetition, 1);
  assert.match(r.race?.outside[0].diff.join("\n") ?? "", /lease steps\[0\] \(queue-create\)/);
  assert.match(r.reason ?? "", /2 of 2 repetitions had an outcome the model does not allow/);
});

const corpus = (await loadScenarios(["scenarios/cases"])).filter((s) => s.race);

Deno.test("the race corpus: at least 8 races, each explorable, each passing on the model", async () => {
  assert.ok(corpus.length >= 8, `${corpus.length} races`);
  for (const s of corpus) {
    const m = allowedOutcomes(s, { mutant: null });
    const r = await runRace(s, new ModelAdapter(), m, { repetitions: 20 });
    assert.equal(r.verdict, "pass", `${s.name}: ${r.reason}`);
  }
});

// The mutants whose bug only shows when two operations are in flight (schedule_test.ts): the
// race corpus, run on each with random interleavings, tells each from the correct model.
const INTERLEAVING_ONLY: readonly MutantId[] = ["C-07", "C-09", "C-13", "C-28", "C-32"];

Deno.test("the race corpus tells every interleaving-only mutant from the correct model", async () => {
  const implemented = new Set(MUTANTS.filter((m) => m.implemented).map((m) => m.id));
  const models = corpus.map((s) => ({ s, m: allowedOutcomes(s, { mutant: null }) }));
  for (const id of INTERLEAVING_ONLY) {
    assert.ok(implemented.has(id), id);
    let killed: string | undefined;
    for (const { s, m } of models) {
      const r = await runRace(s, new ModelAdapter({ mutant: id }), m, { repetitions: 60 });
      if (r.verdict === "fail") {
        killed = s.name;
        break;
      }
    }
    assert.ok(killed !== undefined, `${id} passes every race`);
  }
});

// Through the protocol: a process that runs races itself ("race": true), and one that cannot.
async function overProtocol(flags: string[], mutant?: MutantId) {
  const command = [
    Deno.execPath(),
    "run",
    "--allow-read=.",
    new URL("./serve_model.ts", import.meta.url).pathname,
    ...flags,
    ...(mutant === undefined ? [] : [`--mutant=${mutant}`]),
  ];
  const adapter = await ProcessAdapter.start(command, { timeoutMs: 10_000 });
  try {
    const s = race("race: { repetitions: 30 }\nsteps:\n" + LEASE + REMOVE);
    return await runRace(s, adapter, allowedOutcomes(s, { mutant: null }));
  } finally {
    await adapter.close();
  }
}

Deno.test("a race through the protocol: concurrent when the process says race: true, else sequential orders", async () => {
  const concurrent = await overProtocol([]);
  assert.equal(concurrent.verdict, "pass", concurrent.reason);
  assert.equal(concurrent.race?.mode, "concurrent");
  assert.equal(concurrent.race?.repetitions, 30);
  const sequential = await overProtocol(["--no-race"]);
  assert.equal(sequential.verdict, "pass", sequential.reason);
  assert.equal(sequential.race?.mode, "sequential");
  assert.equal(sequential.race?.repetitions, 2);
  // A mutant whose bug needs two operations in flight, racing through the protocol.
  const caught = await overProtocol([], "C-13");
  assert.equal(caught.verdict, "fail", "C-13 racing through the protocol");
});
