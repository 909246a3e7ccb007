import assert from "node:assert/strict";
import { explore } from "./explore.ts";
import { type MemoryState, MemoryWatch, oldLimitOf, parseMemorySize } from "./memory.ts";
import type { Spec } from "./spec.ts";
import { lockOrderSpec } from "../examples/lock_order.ts";

/** A counter without end: only a bound stops it. */
const endless: Spec<{ n: number; pad: readonly string[] }> = {
  name: "endless",
  init: [{ n: 0, pad: ["a", "b", "c"] }],
  actions: [{ name: "Inc", next: (s) => ({ ...s, n: s.n + 1 }) }],
};

/** A watch that says memory is short at every other reading: the run must spill and go on. */
class Alternating extends MemoryWatch {
  readings = 0;
  constructor() {
    super(undefined, 0);
  }
  override check(): MemoryState {
    super.check();
    return this.readings++ % 2 === 0 ? "pressure" : "ok";
  }
}

Deno.test("explore() stops as incomplete, with its figures, when memory stays over budget", () => {
  const r = explore(endless, { memoryBudgetBytes: 1, maxStates: 50_000_000 });
  assert.equal(r.verdict, "incomplete");
  assert.equal(r.scope!.engine.stoppedBy, "memory-budget");
  assert.match(r.stoppedBecause ?? "", /^reached the memory budget \(budget 0 MB; resident \d+ MB/);
  assert.ok(r.stats.distinct > 0);
  assert.equal(r.stats.memory?.budget, 1);
  assert.deepEqual(r.scope!.engine.bounds, { maxStates: 50_000_000, memoryBudgetBytes: 1 });
});

Deno.test("explore() spills its frontier under memory pressure and still counts every state", () => {
  const watch = new Alternating();
  const r = explore(lockOrderSpec({ n: 5, k: 5 }), { memoryWatch: watch, frontier: "live" });
  assert.equal(r.verdict, "ok");
  const unspilled = explore(lockOrderSpec({ n: 5, k: 5 }), { frontier: "live" });
  assert.equal(r.stats.distinct, unspilled.stats.distinct);
  assert.equal(r.stats.generated, unspilled.stats.generated);
  assert.equal(r.stats.depth, unspilled.stats.depth);
  assert.ok(watch.readings > 2);
  assert.ok((r.stats.frontier?.spilledBytes ?? 0) > 0);
  assert.match(r.scope!.engine.frontier ?? "", /disk \(spilled\)/);
});

Deno.test("parseMemorySize() reads bytes, binary units and shares of the machine", () => {
  assert.equal(parseMemorySize("1024"), 1024);
  assert.equal(parseMemorySize("8G"), 8 * 2 ** 30);
  assert.equal(parseMemorySize("1.5GiB"), 1.5 * 2 ** 30);
  assert.equal(parseMemorySize("800k"), 800 * 1024);
  assert.equal(parseMemorySize("25%", 4000), 1000);
  assert.throws(() => parseMemorySize("lots"), RangeError);
});

Deno.test("oldLimitOf() takes the young generation out of V8's heap limit", () => {
  const MB = 2 ** 20;
  assert.equal(oldLimitOf((4096 + 192) * MB), 4096 * MB);
  assert.equal(oldLimitOf((48 + 96) * MB), 48 * MB);
});
