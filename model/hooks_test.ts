import assert from "node:assert/strict";
import { hook } from "./hooks.ts";
import { mutantById, MUTANTS } from "./mutants.ts";
import { netdevQueueBusy } from "./ops/_queues.ts";

Deno.test("hook() returns the correct function without a mutant or when the mutant patches another hook point", () => {
  assert.equal(hook(undefined, "netdevQueueBusy", netdevQueueBusy), netdevQueueBusy);
  assert.equal(hook({}, "netdevQueueBusy", netdevQueueBusy), netdevQueueBusy);
  assert.equal(hook({ mutant: null }, "netdevQueueBusy", netdevQueueBusy), netdevQueueBusy);
  assert.equal(hook({ mutant: "C-18" }, "netdevQueueBusy", netdevQueueBusy), netdevQueueBusy);
});

Deno.test("hook() builds a mutant's replacement once and changes only what the mutant changes", () => {
  const c02 = hook({ mutant: "C-02" }, "netdevQueueBusy", netdevQueueBusy);
  assert.notEqual(c02, netdevQueueBusy);
  assert.equal(hook({ mutant: "C-02" }, "netdevQueueBusy", netdevQueueBusy), c02);
  const rxq = { lease: { dev: 3, queue: 1 }, leaseTracker: true, mp: null, pool: null };
  const dev = { rxq: [rxq] } as unknown as Parameters<typeof netdevQueueBusy>[0];
  assert.equal(netdevQueueBusy(dev, 0)?.extack, "Device queue in use due to queue leasing");
  assert.equal(c02(dev, 0), null); // QC-22 skipped
  assert.equal(c02({ ...dev, rxq: [{ ...rxq, lease: null, pool: 0 }] }, 0)?.errno, "EBUSY");
});

Deno.test("every implemented mutant patches a hook point or adds an environment action, and only those", () => {
  for (const info of MUTANTS) {
    const m = mutantById(info.id)!;
    const changes = Object.keys(m.patch ?? {}).length + (m.actions?.length ?? 0);
    assert.equal(changes > 0, m.implemented, `${m.id}: implemented is ${m.implemented}`);
    if (m.implemented) assert.ok(m.kill, `${m.id} needs a kill-table check`);
  }
  assert.deepEqual(
    MUTANTS.map((m) => m.id),
    Array.from({ length: 46 }, (_, i) => `C-${String(i + 1).padStart(2, "0")}`),
  );
});

Deno.test("the correct model's operations and spec name no mutant and never ask which one is active", async () => {
  const dir = new URL("./ops/", import.meta.url);
  const files = [new URL("./spec.ts", import.meta.url)];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      files.push(new URL(e.name, dir));
    }
  }
  assert.ok(files.length > 10);
  for (const file of files) {
    const text = await Deno.readTextFile(file);
    assert.doesNotMatch(text, /\bC-\d\d\b/, `${file.pathname} names a mutant`);
    assert.doesNotMatch(text, /isMutant|mutant\s*===\s*"/, `${file.pathname} tests for a mutant`);
  }
});
