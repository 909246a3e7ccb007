import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { loadFacts } from "../spec/facts.ts";
import { DEFAULT_CONFIG } from "./config.ts";
import { factsOf, LABELLED_FACTS } from "./facts_of.ts";
import { initialState } from "./init.ts";
import { MUTANT_CONFIGS } from "./kill_table.ts";
import { PROGRAMS, stepSlot } from "./programs.ts";
import { transitionAcquisitions } from "./process.ts";
import { stepsOf } from "./requests.ts";
import { leasingSpec, requestStep } from "./spec.ts";
import { applyStep } from "./step.ts";
import type { ModelState } from "./state.ts";

Deno.test("C-42: the deadlock check fires on the device model, and the trace shows the leaked lock", () => {
  const config = MUTANT_CONFIGS["stepped-create"];
  assert.equal(explore(leasingSpec(config)).violations.length, 0);
  const spec = leasingSpec({ ...config, mutant: "C-42" });
  const r = explore(spec);
  const v = r.violations[0];
  assert.equal(v?.kind, "deadlock");
  if (v?.kind !== "deadlock") return;
  const last = v.trace.steps[v.trace.steps.length - 1].state as ModelState;
  const nks = last.devices.findIndex((d) => d.name === "nks");
  // The ENONET create returned with nks's lock taken: the lock view's last entry is "(leaked)".
  assert.deepEqual(last.leaked, [nks]);
  const views = spec.locks!(last);
  assert.deepEqual(views[views.length - 1], { held: ["netdev:virtual"] });
  // The next create on nks is in flight and waits for that lock forever.
  assert.ok(last.procs!.some((p) => p !== null && p.want === nks));
});

/** States of the default configuration, breadth-first, up to `n`. */
function sampleStates(n: number): ModelState[] {
  const spec = leasingSpec(DEFAULT_CONFIG);
  const seen = new Set<ModelState>();
  const out: ModelState[] = [];
  const queue: ModelState[] = [initialState(DEFAULT_CONFIG)];
  while (queue.length > 0 && out.length < n) {
    const s = queue.shift()!;
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(s);
    // Every fifth successor, for a spread of depths without a fingerprint set.
    let i = 0;
    for (const a of spec.actions) {
      const params = typeof a.params === "function" ? a.params(s) : a.params ?? [undefined];
      for (const p of params) {
        const t = a.next(s, p);
        if (t !== undefined && t !== s && i++ % 5 === 0) queue.push(t);
      }
    }
  }
  return out;
}

Deno.test("with two operations in flight, a failing request runs as a process up to the check that fails it", () => {
  const options = { mutant: null };
  const perOp = new Map<string, { failing: number; visible: number }>();
  for (const s of sampleStates(300)) {
    if ((s.procs ?? []).every((p) => p !== null)) continue; // no free slot
    for (const op of DEFAULT_CONFIG.operations) {
      for (const step of stepsOf(s, op, DEFAULT_CONFIG)) {
        const atomic = applyStep(s, step, options);
        if (atomic.reply.ok) continue;
        // A failure in the first segment happens before the operation's first lock.
        const first = PROGRAMS[step.op].start(s, step, { options, slot: 0 });
        if (first.kind === "done") continue;
        const row = perOp.get(op) ?? { failing: 0, visible: 0 };
        row.failing++;
        const t = requestStep(s, step, options);
        if (t === undefined) { // its first lock is busy: the request waits for it
          perOp.set(op, row);
          continue;
        }
        const inFlight = (t.procs ?? []).filter((p) => p !== null).length >
          (s.procs ?? []).filter((p) => p !== null).length;
        const locked = (transitionAcquisitions(t)?.length ?? 0) > 0;
        assert.ok(
          inFlight || locked,
          `${op} ${
            JSON.stringify(step.request)
          } fails under a lock but ran as a lock-free self-loop`,
        );
        if (inFlight) row.visible++;
        perOp.set(op, row);
      }
    }
  }
  // queue-create takes a reference before its first lock: every failure under a lock is a
  // process in flight, never a self-loop.
  const qc = perOp.get("queue-create")!;
  assert.ok(qc.failing > 100, `only ${qc.failing} failing queue-creates sampled`);
  assert.ok(qc.visible > 0);
  const sampled = ["bind-rx", "zcrx-register", "newlink"];
  for (const op of sampled) {
    assert.ok((perOp.get(op)?.failing ?? 0) > 0, `no failing ${op} under a lock was sampled`);
  }
});

Deno.test("LABELLED_FACTS lists every fact factsOf attributes, each one in the fact base", () => {
  const known = new Set(loadFacts().facts.map((f) => f.id));
  for (const [op, ids] of Object.entries(LABELLED_FACTS)) {
    for (const id of ids) assert.ok(known.has(id), `${op}: ${id} is not in the fact base`);
  }
  const options = { mutant: null };
  for (const s of sampleStates(200)) {
    for (const op of DEFAULT_CONFIG.operations) {
      for (const step of stepsOf(s, op, DEFAULT_CONFIG)) {
        const { reply } = applyStep(s, step, options);
        for (const id of factsOf(step, reply, s)) {
          assert.ok(LABELLED_FACTS[op].includes(id), `${op} attributes ${id}, not listed`);
        }
      }
    }
  }
});

Deno.test("a stepped netns move of a netkit is labelled NS-1 and NS-2 when it completes", () => {
  const spec = leasingSpec(DEFAULT_CONFIG);
  const s = initialState(DEFAULT_CONFIG);
  const move = stepsOf(s, "netns-move", DEFAULT_CONFIG)[0];
  const t = requestStep(s, move, { mutant: null })!;
  assert.deepEqual([...spec.labels!(s, t, { action: "netns-move", param: move })], []);
  const slot = t.procs!.findIndex((p) => p !== null);
  const u = stepSlot(t, slot, { mutant: null })!;
  assert.deepEqual(u.procs, [null, null]);
  assert.deepEqual([...spec.labels!(t, u, { action: "step", param: slot })], ["NS-1", "NS-2"]);
});
