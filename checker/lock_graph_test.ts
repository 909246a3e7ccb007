import assert from "node:assert/strict";
import { LockGraph } from "./lock_graph.ts";

Deno.test("LockGraph records held-while-acquiring edges only", () => {
  const g = new LockGraph<number>();
  // Acquiring the first lock makes no edge; releasing makes none.
  assert.equal(g.observe([{ held: [] }], [{ held: ["A"] }], 1), undefined);
  assert.equal(g.observe([{ held: ["A", "B"] }], [{ held: ["A"] }], 2), undefined);
  assert.equal(g.size, 0);
  g.observe([{ held: ["R", "A"] }], [{ held: ["R", "A", "B"] }], 3);
  assert.deepEqual(g.edges().map((e) => `${e.from}->${e.to}#${e.witness}`), ["R->B#3", "A->B#3"]);
  // A lock dropped in the same step is not "held while acquiring".
  g.observe([{ held: ["C"] }], [{ held: ["D"] }], 4);
  assert.equal(g.size, 2);
});

Deno.test("LockGraph reports a three-lock cycle once, with the edge that closed it first", () => {
  const g = new LockGraph<string>();
  assert.equal(g.observe([{ held: ["A"] }], [{ held: ["A", "B"] }], "ab"), undefined);
  assert.equal(g.observe([{ held: ["B"] }], [{ held: ["B", "C"] }], "bc"), undefined);
  const cycle = g.observe(
    [{ held: [] }, { held: ["C"] }],
    [{ held: [] }, { held: ["C", "A"] }],
    "ca",
  );
  assert.deepEqual(cycle?.map((e) => `${e.from}->${e.to}@${e.process}`), [
    "C->A@1",
    "A->B@0",
    "B->C@0",
  ]);
  assert.equal(g.observe([{ held: ["C"] }], [{ held: ["C", "A"] }], "again"), undefined);
});
