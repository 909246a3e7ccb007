import assert from "node:assert/strict";
import { guestLease, INIT, localLease, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { linkSet } from "./link_set.ts";
import { netnsMove } from "./netns_move.ts";
import { queueCreate } from "./queue_create.ts";
import { queueGet, queueGetDump } from "./queue_get.ts";
import { initialState } from "../init.ts";
import { SELFTEST_CONFIG } from "../config.ts";

const leased = () => queueCreate(selftestState(), NS1, guestLease(1)).state;

Deno.test("queueGet() reports the lease with netns-id 0 on the physical queue across namespaces (QG-L1..L3, cross_ns_netns_id)", () => {
  const r = queueGet(leased(), INIT, { ifindex: 2, id: 1, type: "rx" });
  assert.deepEqual(ok(r.reply), {
    id: 1,
    type: "rx",
    ifindex: 2,
    "napi-id": 2002,
    lease: { queue: { id: 1, type: "rx" }, ifindex: 2, "netns-id": 0 },
  });
  assert.deepEqual(Object.keys(ok(r.reply)), ["id", "type", "ifindex", "napi-id", "lease"]);
});

Deno.test("queueGet() omits netns-id when both devices share a namespace (QG-L3, same_ns_lease)", () => {
  const s = queueCreate(singleState(), INIT, localLease(3, 2, 1)).state;
  const info = ok(queueGet(s, INIT, { ifindex: 2, id: 1, type: "rx" }).reply);
  assert.deepEqual(info.lease, { queue: { id: 1, type: "rx" }, ifindex: 3 });
});

Deno.test("queueGet() never shows a lease on the virtual side, leased queue or queue 0 (QG-L1, queue_get_virtual, INV-V1)", () => {
  const s = leased();
  assert.deepEqual(ok(queueGet(s, NS1, { ifindex: 2, id: 1, type: "rx" }).reply), {
    id: 1,
    type: "rx",
    ifindex: 2,
  });
  assert.deepEqual(ok(queueGet(s, NS1, { ifindex: 2, id: 0, type: "rx" }).reply), {
    id: 0,
    type: "rx",
    ifindex: 2,
  });
  assert.ok(
    ok(queueGet(s, NS1, { ifindex: 2, id: 1, type: "rx" }, { mutant: "C-15" }).reply).lease,
  );
});

Deno.test("queueGet() shows no lease on an unleased physical queue (phys_queue_no_lease)", () => {
  const info = ok(queueGet(leased(), INIT, { ifindex: 2, id: 0, type: "rx" }).reply);
  assert.equal(info.lease, undefined);
});

Deno.test("queueGet() fails with EINVAL naming the first missing of id, type, ifindex (QG-02)", () => {
  const s = selftestState();
  assert.deepEqual(queueGet(s, INIT, { type: "rx", ifindex: 2 }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    missType: "id",
  });
  assert.deepEqual(queueGet(s, INIT, { id: 0, ifindex: 2 }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    missType: "type",
  });
  assert.deepEqual(queueGet(s, INIT, { id: 0, type: "rx" }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    missType: "ifindex",
  });
});

Deno.test("queueGet() fails with ENODEV for an ifindex not in the caller's netns (QG-03, QG-L5)", () => {
  assert.deepEqual(queueGet(selftestState(), NS1, { ifindex: 3, id: 0, type: "rx" }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
});

Deno.test("queueGet() fails with ENOENT on a down device and the lease is back after up (QG-04, FLAP-1, link_flap_phys)", () => {
  const down = linkSet(leased(), INIT, { ifindex: 2, up: false }).state;
  assert.deepEqual(queueGet(down, INIT, { ifindex: 2, id: 1, type: "rx" }).reply, {
    ok: false,
    errno: "ENOENT",
    errnoValue: 2,
  });
  assert.equal(
    queueGet(down, INIT, { ifindex: 2, id: 1, type: "rx" }, { mutant: "C-38" }).reply.ok,
    true,
  );
  const up = linkSet(down, INIT, { ifindex: 2, up: true }).state;
  assert.equal(ok(queueGet(up, INIT, { ifindex: 2, id: 1, type: "rx" }).reply).lease?.ifindex, 2);
});

Deno.test("queueGet() fails with EINVAL for a queue index past the real count (QG-05)", () => {
  const s = selftestState();
  assert.deepEqual(queueGet(s, INIT, { ifindex: 2, id: 2, type: "rx" }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
  });
  assert.deepEqual(queueGet(s, NS1, { ifindex: 2, id: 1, type: "tx" }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
  });
});

Deno.test("queueGet() fails with EINVAL 'Unknown attribute type' for lease in a do request (maxattr type)", () => {
  const r = queueGet(selftestState(), INIT, { ifindex: 2, id: 0, type: "rx", lease: {} });
  assert.deepEqual(r.reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Unknown attribute type",
    badAttr: ".lease",
  });
});

Deno.test("queueGetDump() lists rx 0..real-1 then tx 0 of up devices in ifindex order; lo is down (QG-D1, QG-D2, QG-D4, NS-6)", () => {
  const s = queueCreate(singleState(), INIT, localLease(3, 2, 1)).state;
  const all = ok(queueGetDump(s, INIT, {}).reply).map((q) => `${q.ifindex}:${q.type}${q.id}`);
  assert.deepEqual(all, [
    "2:rx0",
    "2:rx1",
    "2:tx0",
    "2:tx1",
    "3:rx0",
    "3:rx1",
    "3:tx0",
  ]);
});

Deno.test("queueGetDump() of a down device by ifindex is empty, of an unknown one ENODEV (QG-D1, QG-D4)", () => {
  const s = linkSet(selftestState(), NS1, { ifindex: 2, up: false }).state;
  assert.deepEqual(queueGetDump(s, NS1, { ifindex: 2 }).reply, { ok: true, reply: [] });
  assert.deepEqual(queueGetDump(s, NS1, { ifindex: 9 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
});

Deno.test("queueGet() allocates the physical netns's id for the netkit's netns on demand (QG-L3)", () => {
  // eth0 moves to ns2, which has no ids; the guest stays in ns1.
  const s0 = initialState({ ...SELFTEST_CONFIG, namespaces: ["init", "ns1", "ns2"] });
  const leasedState = queueCreate(s0, NS1, guestLease(1)).state;
  const moved = netnsMove(leasedState, INIT, { ifindex: 2, netns: "ns2" }).state;
  assert.equal(moved.netns[2].nsids[1], -1);
  const up = linkSet(moved, { netns: 2 }, { ifindex: 2, up: true }).state;
  const r = queueGet(up, { netns: 2 }, { ifindex: 2, id: 1, type: "rx" });
  assert.equal(ok(r.reply).lease?.["netns-id"], 0);
  assert.equal(r.state.netns[2].nsids[1], 0, "the allocation is recorded");
});
