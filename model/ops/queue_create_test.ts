import assert from "node:assert/strict";
import { guestLease, INIT, localLease, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { type ModelState, updateDevice } from "../state.ts";
import { xskBind } from "./xsk_bind.ts";
import { zcrxRegister } from "./zcrx_register.ts";
import { queueCreate } from "./queue_create.ts";
import { linkSet } from "./link_set.ts";
import { initialState } from "../init.ts";
import { SELFTEST_CONFIG } from "../config.ts";

function expectError(
  state: ModelState,
  caller: { netns: number; admin?: boolean },
  request: Record<string, unknown>,
  expected: Record<string, unknown>,
) {
  const r = queueCreate(state, caller, request);
  assert.deepEqual(r.reply, { ok: false, ...expected });
  assert.equal(r.state, state, "a failing queue-create must not change the state (INV-M3)");
}

Deno.test("queueCreate() leases eth0 rx 1 to the guest and returns id 1 (QC-S1, QC-S3, NK-QC-3)", () => {
  const s = selftestState();
  const r = queueCreate(s, NS1, guestLease(1));
  assert.deepEqual(r.reply, { ok: true, reply: { id: 1 } });
  const guest = r.state.devices[3];
  const eth0 = r.state.devices[2];
  assert.equal(guest.realRx, 2);
  assert.deepEqual(guest.rxq[1].lease, { dev: 2, queue: 1 });
  assert.deepEqual(eth0.rxq[1].lease, { dev: 3, queue: 1 });
  assert.equal(eth0.rxq[1].leaseTracker, true);
  assert.equal(eth0.refs, 1);
  assert.equal(guest.refs, 0);
});

Deno.test("queueCreate() gives ids 1 then 2 for two leases on one netkit (NK-QC-3, multiple_leases)", () => {
  const s0 = selftestState({
    physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 3 }],
  });
  const a = queueCreate(s0, NS1, guestLease(1));
  const b = queueCreate(a.state, NS1, guestLease(2));
  assert.deepEqual([ok(a.reply).id, ok(b.reply).id], [1, 2]);
});

Deno.test("queueCreate() fails with EPERM without CAP_NET_ADMIN in the initial user namespace (QC-00a)", () => {
  expectError(selftestState(), { netns: 1, admin: false }, guestLease(1), {
    errno: "EPERM",
    errnoValue: 1,
  });
});

Deno.test("queueCreate() fails with EINVAL 'Unsupported attribute' for a stray top-level id (QC-00c)", () => {
  expectError(selftestState(), NS1, { id: 1, ...guestLease(1) }, {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Unsupported attribute",
    badAttr: ".id",
  });
});

Deno.test("queueCreate() fails with EINVAL 'Unknown attribute type' for attribute type 9 (QC-00c)", () => {
  expectError(selftestState(), NS1, { ...guestLease(1), "attr-9": 1 }, {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Unknown attribute type",
    badAttr: ".attr-9",
  });
});

Deno.test("queueCreate() fails with EINVAL 'Unsupported attribute' for ifindex inside the queue nest (QC-00c)", () => {
  const req = {
    ifindex: 2,
    type: "rx",
    lease: { ifindex: 2, queue: { id: 1, type: "rx", ifindex: 2 }, "netns-id": 0 },
  };
  expectError(selftestState(), NS1, req, {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Unsupported attribute",
    badAttr: ".lease.queue.ifindex",
  });
});

Deno.test("queueCreate() fails with ERANGE 'integer out of range' for ifindex 0, type 2, lease ifindex 0, queue type 2 and netns-id -1 (QC-00c, as 7.2.13 answers)", () => {
  const s = selftestState();
  const cases: [Record<string, unknown>, string][] = [
    [{ ...guestLease(1), ifindex: 0 }, ".ifindex"],
    [{ ...guestLease(1), type: 2 }, ".type"],
    [{ ...guestLease(1), lease: { ifindex: 0, queue: { id: 1, type: "rx" } } }, ".lease.ifindex"],
    [{ ...guestLease(1), lease: { ifindex: 2, queue: { id: 1, type: 2 } } }, ".lease.queue.type"],
    [
      { ...guestLease(1), lease: { ifindex: 2, queue: { id: 1, type: "rx" }, "netns-id": -1 } },
      ".lease.netns-id",
    ],
  ];
  for (const [req, at] of cases) {
    expectError(s, NS1, req, {
      errno: "ERANGE",
      errnoValue: 34,
      extack: "integer out of range",
      badAttr: at,
    });
  }
});

Deno.test("queueCreate() reports the first missing of ifindex, type, lease (QC-01)", () => {
  const s = selftestState();
  expectError(s, NS1, { type: "rx" }, { errno: "EINVAL", errnoValue: 22, missType: "ifindex" });
  expectError(s, NS1, { ifindex: 2 }, { errno: "EINVAL", errnoValue: 22, missType: "type" });
  expectError(s, NS1, { ifindex: 2, type: "rx" }, {
    errno: "EINVAL",
    errnoValue: 22,
    missType: "lease",
  });
});

Deno.test("queueCreate() fails with EINVAL and bad-attr .type for a tx queue (QC-02, create_tx_type)", () => {
  expectError(selftestState(), NS1, { ...guestLease(1), type: "tx" }, {
    errno: "EINVAL",
    errnoValue: 22,
    badAttr: ".type",
  });
});

Deno.test("queueCreate() reports missing lease ifindex / queue inside the lease nest (QC-04)", () => {
  const s = selftestState();
  expectError(s, NS1, { ifindex: 2, type: "rx", lease: { queue: { id: 1, type: "rx" } } }, {
    errno: "EINVAL",
    errnoValue: 22,
    missNest: ".lease",
    missType: "ifindex",
  });
  expectError(s, NS1, { ifindex: 2, type: "rx", lease: { ifindex: 2 } }, {
    errno: "EINVAL",
    errnoValue: 22,
    missNest: ".lease",
    missType: "queue",
  });
});

Deno.test("queueCreate() reports missing queue id / type inside the queue nest (QC-07)", () => {
  const s = selftestState();
  expectError(s, NS1, { ifindex: 2, type: "rx", lease: { ifindex: 2, queue: { type: "rx" } } }, {
    errno: "EINVAL",
    errnoValue: 22,
    missNest: ".lease.queue",
    missType: "id",
  });
  expectError(s, NS1, { ifindex: 2, type: "rx", lease: { ifindex: 2, queue: { id: 1 } } }, {
    errno: "EINVAL",
    errnoValue: 22,
    missNest: ".lease.queue",
    missType: "type",
  });
});

Deno.test("queueCreate() fails with EINVAL and bad-attr .lease.queue.type for a tx lease queue (QC-08, lease_queue_tx_type)", () => {
  const req = {
    ifindex: 2,
    type: "rx",
    lease: { ifindex: 2, queue: { id: 1, type: "tx" }, "netns-id": 0 },
  };
  expectError(selftestState(), NS1, req, {
    errno: "EINVAL",
    errnoValue: 22,
    badAttr: ".lease.queue.type",
  });
});

Deno.test("queueCreate() fails with ENODEV when the virtual ifindex is unknown in the caller's netns (QC-10)", () => {
  expectError(selftestState(), NS1, guestLease(1, 42), { errno: "ENODEV", errnoValue: 19 });
});

Deno.test("queueCreate() fails with EINVAL 'Device is not a virtual device' on a physical target (QC-11, phys_lessee)", () => {
  expectError(selftestState(), INIT, localLease(2, 2, 0), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Device is not a virtual device",
  });
});

Deno.test("queueCreate() fails with EINVAL 'Device does not support queue creation' on lo (QC-12)", () => {
  expectError(selftestState(), INIT, localLease(1, 2, 0), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Device does not support queue creation",
  });
});

Deno.test("queueCreate() fails with EINVAL 'Device must have at least one real queue' when real counts are 0 (QC-13)", () => {
  const s = updateDevice(selftestState(), 3, (d) => ({ ...d, realRx: 0 }));
  expectError(s, NS1, guestLease(1), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Device must have at least one real queue",
  });
});

Deno.test("queueCreate() fails with ENONET for a netns-id the caller's table lacks (QC-14, invalid_netns)", () => {
  const req = {
    ifindex: 2,
    type: "rx",
    lease: { ifindex: 1, queue: { id: 0, type: "rx" }, "netns-id": 999 },
  };
  expectError(selftestState(), NS1, req, { errno: "ENONET", errnoValue: 64 });
});

Deno.test("queueCreate() resolves netns-id in the CALLER's table: init has no id 0 for init (QC-14, INV-V2)", () => {
  // init names ns1 as 0, so from init netns-id 0 is ns1, where ifindex 2 is the guest (virtual).
  const req = {
    ifindex: 3,
    type: "rx",
    lease: { ifindex: 2, queue: { id: 1, type: "rx" }, "netns-id": 0 },
  };
  expectError(selftestState(), INIT, req, {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Lease device is a virtual device",
  });
});

Deno.test("queueCreate() fails with ENODEV for an unknown lease ifindex (QC-15, invalid_phys_ifindex)", () => {
  const req = {
    ifindex: 2,
    type: "rx",
    lease: { ifindex: 99999, queue: { id: 0, type: "rx" }, "netns-id": 0 },
  };
  expectError(selftestState(), NS1, req, { errno: "ENODEV", errnoValue: 19 });
});

Deno.test("queueCreate() fails with EINVAL 'Lease device is a virtual device' for self-lease and lo (QC-16, self_lease)", () => {
  const s = selftestState();
  for (const lessor of [2, 1]) {
    expectError(s, NS1, localLease(2, lessor, 0), {
      errno: "EINVAL",
      errnoValue: 22,
      extack: "Lease device is a virtual device",
    });
  }
});

Deno.test("queueCreate() fails with EINVAL 'Lease device has been removed from the system' when not present (QC-17)", () => {
  const s = updateDevice(selftestState(), 2, (d) => ({ ...d, present: false }));
  expectError(s, NS1, guestLease(1), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Lease device has been removed from the system",
  });
});

Deno.test("queueCreate() fails with EINVAL 'Lease device does not support queue management operations' (QC-18)", () => {
  const s = updateDevice(selftestState(), 2, (d) => ({ ...d, queueMgmt: false }));
  expectError(s, NS1, guestLease(1), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Lease device does not support queue management operations",
  });
});

Deno.test("queueCreate() fails with ERANGE and bad-attr .lease.queue.id for queue 2 of 2 (QC-20, queue_out_of_range)", () => {
  expectError(selftestState(), NS1, guestLease(2), {
    errno: "ERANGE",
    errnoValue: 34,
    badAttr: ".lease.queue.id",
  });
});

Deno.test("queueCreate() fails with EBUSY 'Device queue in use by AF_XDP' when eth0 rx 1 has a pool (QC-21)", () => {
  const s = xskBind(selftestState(), INIT, { ifindex: 2, "queue-id": 1 }).state;
  expectError(s, NS1, guestLease(1), {
    errno: "EBUSY",
    errnoValue: 16,
    extack: "Device queue in use by AF_XDP",
  });
});

Deno.test("queueCreate() fails with EBUSY 'Device queue in use due to queue leasing' when the physical queue is leased (QC-22, double_lease)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  expectError(s, NS1, guestLease(1), {
    errno: "EBUSY",
    errnoValue: 16,
    extack: "Device queue in use due to queue leasing",
  });
});

Deno.test("queueCreate() fails with EBUSY 'Device queue in use by memory provider' when io_uring is bound (QC-23)", () => {
  const s0 = singleState("mlx5");
  const s = zcrxRegister(s0, INIT, { ifindex: 2, "queue-id": 1 }).state;
  assert.equal(s.devices[2].rxq[1].mp, 0);
  expectError(s, INIT, localLease(3, 2, 1), {
    errno: "EBUSY",
    errnoValue: 16,
    extack: "Device queue in use by memory provider",
  });
});

Deno.test("queueCreate() fails with EOPNOTSUPP 'Leasing queues from different devices not supported' (QC-24, different_lessors)", () => {
  const s0 = initialState({
    ...SELFTEST_CONFIG,
    physical: [
      { name: "eth0", netns: "init", driver: "netdevsim", queues: 2 },
      { name: "eth1", netns: "init", driver: "netdevsim", queues: 2 },
    ],
    netkits: [{ name: "nks", netns: "init", pairing: "single", numRxQueues: 3 }],
  });
  // ifindexes: eth0 2, eth1 3, nks 4.
  const a = queueCreate(s0, INIT, localLease(4, 2, 1));
  assert.ok(a.reply.ok);
  expectError(a.state, INIT, localLease(4, 3, 1), {
    errno: "EOPNOTSUPP",
    errnoValue: 95,
    extack: "Leasing queues from different devices not supported",
  });
});

Deno.test("queueCreate() fails with EOPNOTSUPP 'netkit can only lease against the peer device' on a pair primary (NK-QC-1, create_primary)", () => {
  expectError(selftestState(), INIT, localLease(3, 2, 1), {
    errno: "EOPNOTSUPP",
    errnoValue: 95,
    extack: "netkit can only lease against the peer device",
  });
});

Deno.test("queueCreate() fails with EINVAL 'netkit maximum queue limit reached' past num_rx_queues (NK-QC-2, create_limit)", () => {
  const s = selftestState({
    netkits: [{
      name: "nk0",
      netns: "init",
      pairing: "pair",
      numRxQueues: 1,
      peerName: "nk1",
      peerNetns: "ns1",
    }],
  });
  expectError(s, NS1, guestLease(1), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "netkit maximum queue limit reached",
  });
});

Deno.test("queueCreate() on a netkit with num_rx_queues 3 allows two leases, the third fails (NK-QC-3, lease_capacity_exhaustion)", () => {
  const s0 = selftestState({
    physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 4 }],
  });
  const a = queueCreate(s0, NS1, guestLease(1));
  const b = queueCreate(a.state, NS1, guestLease(2));
  const c = queueCreate(b.state, NS1, guestLease(3));
  assert.deepEqual(c.reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "netkit maximum queue limit reached",
  });
});

Deno.test("queueCreate() succeeds with every device down (lease_devices_down); mutant C-37 refuses", () => {
  let s = selftestState();
  for (const [caller, ifindex] of [[INIT, 2], [INIT, 3], [NS1, 2]] as const) {
    s = linkSet(s, caller, { ifindex, up: false }).state;
  }
  assert.deepEqual(queueCreate(s, NS1, guestLease(1)).reply, { ok: true, reply: { id: 1 } });
  assert.equal(queueCreate(s, NS1, guestLease(1), { mutant: "C-37" }).reply.ok, false);
});

Deno.test("queueCreate() leases physical queue 0 (lease_queue_zero)", () => {
  const r = queueCreate(selftestState(), NS1, guestLease(0));
  assert.deepEqual(r.reply, { ok: true, reply: { id: 1 } });
});

Deno.test("queueCreate() under mutant C-02 overwrites a lease (INV-L1 breaks), under C-18 returns id 2", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  const m = queueCreate(s, NS1, guestLease(1), { mutant: "C-02" });
  assert.ok(m.reply.ok);
  assert.deepEqual(m.state.devices[2].rxq[1].lease, { dev: 3, queue: 2 });
  assert.deepEqual(
    m.state.devices[3].rxq[1].lease,
    { dev: 2, queue: 1 },
    "first virtual rxq dangles",
  );
  assert.deepEqual(queueCreate(selftestState(), NS1, guestLease(1), { mutant: "C-18" }).reply, {
    ok: true,
    reply: { id: 2 },
  });
});
