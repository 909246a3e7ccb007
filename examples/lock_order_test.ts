import assert from "node:assert/strict";
import { explore } from "../checker/explore.ts";
import { simulate } from "../checker/simulate.ts";
import { decodeToken, replayPath } from "../checker/trace.ts";
import { lockOrderSpec, type LockOrderState } from "./lock_order.ts";
import { ByteSink, ByteSource } from "../checker/codec.ts";

// Distinct-state counts that TLC, Spin and Rumur agree on (issue #2).
const ORDERED: Record<number, readonly number[]> = {
  3: [162, 544, 1250],
  4: [621, 2816, 8125],
  5: [2268, 13824, 50000],
};

for (const [n, counts] of Object.entries(ORDERED)) {
  counts.forEach((expected, i) => {
    const k = i + 1;
    Deno.test(`explore() finds ${expected} distinct states in ordered LockOrder N=${n} K=${k}`, () => {
      const result = explore(lockOrderSpec({ n: Number(n), k }));
      assert.equal(result.verdict, "ok");
      assert.equal(result.complete, true);
      assert.equal(result.stats.distinct, expected);
      assert.deepEqual(result.violations, []);
      assert.deepEqual(result.lockOrder, [{ from: "A", to: "B" }]);
    });
  });
}

for (const [n, k, transitions] of [[3, 1, 279], [4, 2, 5248], [5, 3, 96875]] as const) {
  Deno.test(`explore() counts ${transitions} transitions in ordered LockOrder N=${n} K=${k}`, () => {
    assert.equal(explore(lockOrderSpec({ n, k })).stats.generated, transitions);
  });
}

for (const [n, distinct, deadlocked] of [[3, 640, 24], [4, 3584, 144], [5, 18432, 648]] as const) {
  Deno.test(`explore() finds ${distinct} states, ${deadlocked} deadlocked, in MIXED LockOrder N=${n} K=2`, () => {
    const result = explore(lockOrderSpec({ n, k: 2, mixed: true }), {
      continueAfterViolation: true,
    });
    assert.equal(result.stats.distinct, distinct);
    assert.equal(result.stats.deadlocked, deadlocked);
    assert.equal(result.complete, true);
    assert.deepEqual(result.violations.map((v) => v.kind).sort(), ["deadlock", "lock-order"]);
  });
}

Deno.test("explore() reports the MIXED deadlock with a shortest trace of two steps", () => {
  const result = explore(lockOrderSpec({ n: 3, k: 2, mixed: true }), { checkDeadlock: true });
  // Stop-at-first: the lock-order cycle closes first (at depth 2), so ask for the deadlock alone.
  const deadlockOnly = explore(
    { ...lockOrderSpec({ n: 3, k: 2, mixed: true }), locks: undefined },
  );
  assert.equal(result.verdict, "violation");
  const v = deadlockOnly.violations[0];
  assert.equal(v.kind, "deadlock");
  assert.equal(v.trace.steps.length - 1, 2);
  assert.deepEqual(v.trace.steps.map((s) => s.action), ["Init", "Acq1", "Acq1"]);
  const last = v.trace.steps[2].state;
  assert.deepEqual(last.lock, [1, 2]); // p0 holds A, p1 holds B: each waits for the other
});

Deno.test("explore() reports the MIXED lock-order cycle A -> B -> A with a trace per edge", () => {
  const result = explore(lockOrderSpec({ n: 3, k: 2, mixed: true }), {
    continueAfterViolation: true,
  });
  const v = result.violations.find((x) => x.kind === "lock-order");
  assert.ok(v && v.kind === "lock-order");
  assert.deepEqual(v.cycle.map((e) => `${e.from}->${e.to}`).sort(), ["A->B", "B->A"]);
  for (const edge of v.cycle) {
    const steps = replayPath(
      lockOrderSpec({ n: 3, k: 2, mixed: true }),
      decodeToken(edge.trace.token),
    );
    assert.deepEqual(steps.map((s) => s.label), edge.trace.steps.map((s) => s.label));
    assert.equal(steps.length - 1, 2); // take the first lock, then the second
  }
});

Deno.test("explore() agrees in exact mode and fingerprint mode on LockOrder N=4 K=2", () => {
  const exact = explore(lockOrderSpec({ n: 4, k: 2 }), { exact: true });
  assert.equal(exact.stats.distinct, 2816);
  assert.equal(exact.stats.generated, 5248);
  assert.equal(exact.fingerprints.mode, "exact");
  assert.equal(exact.fingerprints.collisionProbability, undefined);
});

Deno.test("simulate() finds the MIXED deadlock and shrinks it to two steps", () => {
  const spec = { ...lockOrderSpec({ n: 3, k: 2, mixed: true }), locks: undefined };
  const result = simulate(spec, { seed: 42, walks: 200, depth: 60 });
  const v = result.violations[0];
  assert.equal(v?.kind, "deadlock");
  assert.equal(v.trace.steps.length - 1, 2);
  assert.equal(result.seed, 42);
});

Deno.test({
  name: "explore() finds 5,432,832 states and 8,052,480 transitions in LockOrder N=5 K=10",
  fn() {
    const result = explore(lockOrderSpec({ n: 5, k: 10 }));
    assert.equal(result.verdict, "ok");
    assert.equal(result.stats.distinct, 5_432_832);
    assert.equal(result.stats.generated, 8_052_480);
  },
});

Deno.test("lockOrderCodec() decodes every reachable LockOrder N=3 K=2 state to an equal state", () => {
  const spec = lockOrderSpec({ n: 3, k: 2 });
  const codec = spec.codec!;
  // Every reachable state: a breadth-first walk with exact keys.
  const seen = new Set<string>();
  const queue = [...(spec.init as LockOrderState[])];
  for (let i = 0; i < queue.length; i++) {
    for (const a of spec.actions) {
      for (const p of [0, 1, 2]) {
        const next = a.next(queue[i], p) as LockOrderState | undefined;
        if (next === undefined || seen.has(JSON.stringify(next))) continue;
        seen.add(JSON.stringify(next));
        queue.push(next);
      }
    }
  }
  assert.equal(queue.length, 544);
  const sink = new ByteSink();
  for (const s of queue) codec.encode(s, sink);
  const source = new ByteSource(sink.bytes());
  for (const s of queue) assert.deepStrictEqual(codec.decode(source), s);
  assert.equal(source.done, true);
});

Deno.test("explore() with every queued state encoded by the LockOrder codec counts the same", () => {
  const encoded = explore(lockOrderSpec({ n: 5, k: 3 }), { frontier: "encoded" });
  assert.equal(encoded.stats.distinct, 50000);
  assert.equal(encoded.stats.generated, 96875);
  assert.ok(encoded.stats.frontier!.bytesPerEncodedState <= 19); // framing byte + 18
});

Deno.test("explore() counts the same whether LockOrder states are identified by codec bytes or by structure", () => {
  for (const [n, k, mixed] of [[4, 2, false], [5, 3, false], [4, 2, true]] as const) {
    const spec = lockOrderSpec({ n, k, mixed });
    const structural = { ...spec, codec: undefined };
    for (const exact of [false, true]) {
      const bytes = explore(spec, { exact, continueAfterViolation: true });
      const plain = explore(structural, { exact, continueAfterViolation: true });
      assert.equal(bytes.stats.distinct, plain.stats.distinct);
      assert.equal(bytes.stats.generated, plain.stats.generated);
      assert.equal(bytes.stats.depth, plain.stats.depth);
      assert.equal(bytes.stats.deadlocked, plain.stats.deadlocked);
      assert.deepEqual(bytes.violations.map((v) => v.kind), plain.violations.map((v) => v.kind));
      assert.match(bytes.scope!.engine.frontier ?? "", /^bytes:/);
    }
  }
});
