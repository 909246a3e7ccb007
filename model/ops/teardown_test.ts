import assert from "node:assert/strict";
import { guestLease, INIT, localLease, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { initialState } from "../init.ts";
import { SELFTEST_CONFIG } from "../config.ts";
import { channelsSet } from "./channels_set.ts";
import { xskBind } from "./xsk_bind.ts";
import { zcrxRegister } from "./zcrx_register.ts";
import { dellink } from "./dellink.ts";
import { netnsDelete } from "./netns_delete.ts";
import { netnsMove } from "./netns_move.ts";
import { physRemove } from "./phys_remove.ts";
import { queueCreate } from "./queue_create.ts";
import { queueGet } from "./queue_get.ts";

const leased = () => queueCreate(selftestState(), NS1, guestLease(1)).state;

Deno.test("dellink() of the host deletes both pair ends and frees the physical queue (NK-DEL-1..6, remove_virt_first)", () => {
  const r = dellink(leased(), INIT, { "ifi-index": 3 });
  assert.ok(r.reply.ok);
  assert.deepEqual([r.state.devices[3].reg, r.state.devices[4].reg], ["gone", "gone"]);
  assert.equal(r.state.devices[2].rxq[1].lease, null);
  assert.equal(r.state.devices[2].rxq[1].leaseTracker, false);
  assert.equal(r.state.devices[2].refs, 0);
  assert.equal(
    ok(queueGet(r.state, INIT, { ifindex: 2, id: 1, type: "rx" }).reply).lease,
    undefined,
  );
});

Deno.test("dellink() then a new lease of the same queue gets id 1 again (release_and_reuse, resize_after_unlease)", () => {
  const s = dellink(leased(), INIT, { "ifi-index": 3 }).state;
  assert.ok(channelsSet(s, INIT, { header: { "dev-index": 2 }, "combined-count": 1 }).reply.ok);
});

Deno.test("dellink() fails with ENODEV for an unknown ifindex and EOPNOTSUPP for a physical device or lo", () => {
  const s = selftestState();
  assert.deepEqual(dellink(s, INIT, { "ifi-index": 9 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.deepEqual(dellink(s, INIT, { "ifi-index": 2 }).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
  assert.deepEqual(dellink(s, INIT, { "ifi-index": 1 }).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
});

Deno.test("dellink() under C-33 leaves the last lease dangling, under C-32 hits a NULL dereference (INV-T1, INV-L6)", () => {
  const c33 = dellink(leased(), INIT, { "ifi-index": 3 }, { mutant: "C-33" }).state;
  assert.deepEqual(c33.devices[2].rxq[1].lease, { dev: 3, queue: 1 });
  const c32 = dellink(leased(), INIT, { "ifi-index": 3 }, { mutant: "C-32" }).state;
  assert.match(c32.oops ?? "", /NULL dereference/);
});

Deno.test("physUnregister() removes every netkit leasing from the device, pairs included (UNREG-3..5, remove_phys)", () => {
  const r = physRemove(leased(), INIT, { ifindex: 2 });
  assert.deepEqual(r.state.devices.map((d) => d.reg), [
    "registered",
    "registered",
    "gone",
    "gone",
    "gone",
  ]);
});

Deno.test("physUnregister() removes a single netkit and two netkits leasing one device each once (single_remove_phys, multi_netkit_remove_phys)", () => {
  const single = queueCreate(singleState(), INIT, localLease(3, 2, 1)).state;
  assert.equal(physRemove(single, INIT, { ifindex: 2 }).state.devices[3].reg, "gone");
  const s0 = initialState({
    ...SELFTEST_CONFIG,
    physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 3 }],
    netkits: [
      { name: "nka", netns: "init", pairing: "single", numRxQueues: 3 },
      { name: "nkb", netns: "init", pairing: "single", numRxQueues: 2 },
    ],
  });
  let s = queueCreate(s0, INIT, localLease(3, 2, 1)).state;
  s = queueCreate(s, INIT, localLease(3, 2, 2)).state;
  s = queueCreate(s, INIT, localLease(4, 2, 0)).state;
  const r = physRemove(s, INIT, { ifindex: 2 });
  assert.deepEqual(r.state.devices.slice(2).map((d) => d.reg), ["gone", "gone", "gone"]);
});

Deno.test("physUnregister() leaves a netkit without leases alone", () => {
  assert.equal(physRemove(singleState(), INIT, { ifindex: 2 }).state.devices[3].reg, "registered");
});

Deno.test("physUnregister() without the notifier (C-14) leaves the device UNREGISTERING forever (UNREG-6, INV-R3)", () => {
  const r = physRemove(leased(), INIT, { ifindex: 2 }, { mutant: "C-14" });
  assert.equal(r.state.devices[2].reg, "unregistering");
  assert.equal(r.state.devices[3].reg, "registered");
});

Deno.test("physUnregister() drops an io_uring ifq bound through the lease (UNREG-2)", () => {
  let s = queueCreate(singleState("mlx5"), INIT, localLease(3, 2, 1)).state;
  s = zcrxRegister(s, INIT, { ifindex: 3, "queue-id": 1 }).state;
  assert.equal(s.devices[3].refs, 1);
  const r = physRemove(s, INIT, { ifindex: 2 });
  assert.equal(r.state.devices[3].reg, "gone");
  assert.equal(r.state.bindings[0]?.dev, null);
});

Deno.test("netnsMove() keeps the lease; the guest arrives down and keeps its ifindex (NS-1, NS-2, move_guest_netns)", () => {
  const s0 = initialState({ ...SELFTEST_CONFIG, namespaces: ["init", "ns1", "ns2"] });
  const s = queueCreate(s0, NS1, guestLease(1)).state;
  const r = netnsMove(s, NS1, { ifindex: 2, netns: "ns2" });
  // Indexes with three namespaces: 0..2 lo, 3 eth0, 4 guest, 5 host.
  const guest = r.state.devices[4];
  assert.deepEqual([guest.netns, guest.ifindex, guest.up], [2, 2, false]);
  assert.deepEqual(r.state.devices[3].rxq[1].lease, { dev: 4, queue: 1 });
  // ns1 names ns2 now (IFLA_NEW_NETNSID; id 0 is taken by init, so 1); ns2 names init, where the
  // host is (RTM_NEWLINK fill of a pair end, rtnl_fill_link_netnsid).
  assert.equal(r.state.netns[1].nsids[2], 1);
  assert.equal(r.state.netns[2].nsids[0], 0);
});

Deno.test("netnsMove() gives a new ifindex when the old one is taken in the target (NS-1)", () => {
  const r = netnsMove(selftestState(), INIT, { ifindex: 2, netns: "ns1" });
  assert.equal(r.state.devices[2].ifindex, 3);
});

Deno.test("netnsMove() of the physical device keeps the lease; C-11 deletes the netkits instead (NS-3, move_phys_netns)", () => {
  const r = netnsMove(leased(), INIT, { ifindex: 2, netns: "ns1" });
  assert.deepEqual(r.state.devices[2].rxq[1].lease, { dev: 3, queue: 1 });
  const m = netnsMove(leased(), INIT, { ifindex: 2, netns: "ns1" }, { mutant: "C-11" });
  assert.equal(m.state.devices[3].reg, "gone");
});

Deno.test("netnsMove() fails with ENODEV for an unknown ifindex and EINVAL for lo", () => {
  const s = selftestState();
  assert.deepEqual(netnsMove(s, INIT, { ifindex: 9, netns: "ns1" }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.deepEqual(netnsMove(s, INIT, { ifindex: 1, netns: "ns1" }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
  });
});

Deno.test("netnsMove() unbinds an AF_XDP socket bound to the moved netkit (XSK-9)", () => {
  let s = queueCreate(singleState(), INIT, localLease(3, 2, 1)).state;
  s = xskBind(s, INIT, { ifindex: 3, "queue-id": 1 }).state;
  assert.equal(s.devices[2].rxq[1].pool, 0, "the pool sits on the physical queue (XSK-3)");
  const r = netnsMove(s, INIT, { ifindex: 3, netns: "ns1" });
  assert.equal(r.state.devices[2].rxq[1].pool, null);
  assert.equal(r.state.bindings[0]?.dev, null);
  assert.equal(r.state.devices[3].refs, 0);
});

Deno.test("netnsDelete() of the guest namespace deletes the pair and releases the lease (NS-5, delete_guest_netns)", () => {
  const r = netnsDelete(leased(), { netns: "ns1" });
  assert.deepEqual(r.state.devices.map((d) => d.reg), [
    "registered",
    "gone",
    "registered",
    "gone",
    "gone",
  ]);
  assert.equal(r.state.devices[2].rxq[1].lease, null);
  assert.equal(r.state.netns[0].nsids[1], -1);
});

Deno.test("netnsDelete() moves a physical device home to init with its lease (NS-5)", () => {
  const s = netnsMove(leased(), INIT, { ifindex: 2, netns: "ns1" }).state;
  const r = netnsDelete(s, { netns: "ns1" });
  assert.equal(r.state.devices[2].netns, 0);
  assert.equal(r.state.devices[2].reg, "registered");
});

Deno.test("netnsDelete() refuses init_net", () => {
  assert.deepEqual(netnsDelete(selftestState(), { netns: "init" }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
  });
});
