import assert from "node:assert/strict";
import { guestLease, NS1, selftestState } from "./_fixtures.ts";
import { invariants } from "./invariants.ts";
import { queueCreate } from "./ops/queue_create.ts";
import { type ModelState, updateDevice, updateRxq } from "./state.ts";

const byName = (name: string, mutant?: `C-${string}`) => {
  const inv = invariants({ mutant }).find((i) => i.name === name);
  if (!inv) throw new Error(`no invariant ${name}`);
  return inv;
};
const leased = (): ModelState => queueCreate(selftestState(), NS1, guestLease(1)).state;

Deno.test("every invariant holds on the initial and on a leased selftest state", () => {
  for (const s of [selftestState(), leased()]) {
    for (const inv of invariants()) assert.ok(inv.holds(s), inv.name);
  }
});

Deno.test("INV-L1 fails when only one lease pointer is set", () => {
  const s = updateRxq(leased(), 3, 1, (q) => ({ ...q, lease: null }));
  assert.equal(byName("INV-L1").holds(s), false);
});

Deno.test("INV-L2 / INV-M1 fail for a lease between lo and a netkit", () => {
  let s = updateRxq(selftestState(), 0, 0, (q) => ({ ...q, lease: { dev: 4, queue: 0 } }));
  s = updateRxq(s, 4, 0, (q) => ({ ...q, lease: { dev: 0, queue: 0 } }));
  assert.equal(byName("INV-L2").holds(s), false);
  assert.equal(byName("INV-M1").holds(s), false);
});

Deno.test("INV-L3 fails when two virtual queues point at one physical queue (C-02 shape)", () => {
  const s = queueCreate(leased(), NS1, guestLease(1), { mutant: "C-02" }).state;
  assert.equal(byName("INV-L3").holds(s), false);
});

Deno.test("INV-L6 / INV-L7 / INV-L8 / INV-L9 fail on broken netkit and physical shapes", () => {
  assert.equal(
    byName("INV-L6").holds(updateRxq(leased(), 3, 1, (q) => ({ ...q, lease: null }))),
    false,
  );
  assert.equal(
    byName("INV-L7").holds(updateDevice(selftestState(), 3, (d) => ({ ...d, realRx: 4 }))),
    false,
  );
  assert.equal(
    byName("INV-L8").holds(updateDevice(selftestState(), 4, (d) => ({ ...d, realRx: 2 }))),
    false,
  );
  assert.equal(
    byName("INV-L9").holds(updateDevice(leased(), 2, (d) => ({ ...d, realRx: 1 }))),
    false,
  );
});

Deno.test("INV-R1 / INV-R2 fail when a tracker or reference is missing", () => {
  assert.equal(
    byName("INV-R1").holds(updateRxq(leased(), 2, 1, (q) => ({ ...q, leaseTracker: false }))),
    false,
  );
  assert.equal(
    byName("INV-R2").holds(updateDevice(leased(), 2, (d) => ({ ...d, refs: 0 }))),
    false,
  );
});

Deno.test("INV-R3 / INV-T1 fail for a stuck unregistration and a lease into a gone device", () => {
  assert.equal(
    byName("INV-R3").holds(updateDevice(leased(), 2, (d) => ({ ...d, reg: "unregistering" }))),
    false,
  );
  assert.equal(
    byName("INV-T1").holds(updateDevice(leased(), 2, (d) => ({ ...d, reg: "gone" }))),
    false,
  );
});

Deno.test("INV-V1 / INV-V2 fail under the queue-get mutants C-15 and C-16", () => {
  assert.equal(byName("INV-V1", "C-15").holds(leased()), false);
  const sameNs = queueCreate(selftestState(), { netns: 0 }, {
    ifindex: 3,
    type: "rx",
    lease: { ifindex: 2, queue: { id: 1, type: "rx" } },
  }, { mutant: "C-19" }).state;
  assert.equal(byName("INV-V2", "C-16").holds(sameNs), false);
});

Deno.test("INV-N2 fails for single devices when GETLINK reports scrub (C-26, A-02)", () => {
  const s = queueCreate(
    selftestState({
      netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
    }),
    { netns: 0 },
    {
      ifindex: 3,
      type: "rx",
      lease: { ifindex: 2, queue: { id: 1, type: "rx" } },
    },
  ).state;
  assert.ok(byName("INV-N2").holds(s));
  assert.equal(byName("INV-N2", "C-26").holds(s), false);
});

Deno.test("INV-N1 / INV-N4 / NO-OOPS fail on broken shapes", () => {
  assert.equal(
    byName("INV-N4").holds(updateDevice(selftestState(), 3, (d) => ({ ...d, peer: null }))),
    false,
  );
  assert.equal(byName("NO-OOPS").holds({ ...selftestState(), oops: "BUG" }), false);
  const single = selftestState({
    netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 2 }],
  });
  assert.equal(
    byName("INV-N1").holds(updateDevice(single, 3, (d) => ({ ...d, policy: "blackhole" }))),
    false,
  );
});
