import assert from "node:assert/strict";
import { guestLease, INIT, localLease, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { bindRx } from "./bind_rx.ts";
import { xskBind } from "./xsk_bind.ts";
import { zcrxRegister } from "./zcrx_register.ts";
import { close } from "./close.ts";
import { queueCreate } from "./queue_create.ts";
import { queueGet } from "./queue_get.ts";

const mlx = () => queueCreate(singleState("mlx5"), INIT, localLease(3, 2, 1)).state;

Deno.test("zcrx through a leased netkit queue installs io_uring on the physical queue; both sides report it (MP-06, QG-M1, INV-V3)", () => {
  const r = zcrxRegister(mlx(), INIT, { ifindex: 3, "queue-id": 1 });
  assert.deepEqual(ok(r.reply), { binding: 0 });
  assert.equal(r.state.devices[2].rxq[1].mp, 0);
  assert.equal(r.state.devices[3].rxq[1].mp, null);
  assert.equal(r.state.devices[3].refs, 1, "the ifq holds the netkit (REF-3)");
  assert.deepEqual(
    ok(queueGet(r.state, INIT, { ifindex: 3, id: 1, type: "rx" }).reply)["io-uring"],
    { "rx-buf-len": 4096 },
  );
  assert.deepEqual(
    ok(queueGet(r.state, INIT, { ifindex: 2, id: 1, type: "rx" }).reply)["io-uring"],
    { "rx-buf-len": 4096 },
  );
  // QG-M5: the nest is empty in 7.1.
  assert.deepEqual(
    ok(queueGet(r.state, INIT, { ifindex: 2, id: 1, type: "rx" }, { kernel: "7.1.5" }).reply)[
      "io-uring"
    ],
    {},
  );
  assert.equal(
    ok(
      queueGet(r.state, INIT, { ifindex: 3, id: 1, type: "rx" }, { mutant: "C-34" }).reply,
    )["io-uring"],
    undefined,
  );
});

Deno.test("zcrx fails with EOPNOTSUPP on netdevsim (no DMA device), netkit queue 0 and an out-of-range index (IOU-3, DMA-2)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  const eop = { ok: false, errno: "EOPNOTSUPP", errnoValue: 95 };
  assert.deepEqual(zcrxRegister(s, NS1, { ifindex: 2, "queue-id": 1 }).reply, eop);
  assert.deepEqual(zcrxRegister(mlx(), INIT, { ifindex: 3, "queue-id": 0 }).reply, eop);
  assert.deepEqual(zcrxRegister(mlx(), INIT, { ifindex: 3, "queue-id": 5 }).reply, eop);
});

Deno.test("zcrx on the physical side of a lease fails with EOPNOTSUPP at the DMA lookup (DMA-3); C-35 then hits MP-04 EBUSY", () => {
  assert.deepEqual(zcrxRegister(mlx(), INIT, { ifindex: 2, "queue-id": 1 }).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
  assert.deepEqual(
    zcrxRegister(mlx(), INIT, { ifindex: 2, "queue-id": 1 }, { mutant: "C-35" }).reply,
    {
      ok: false,
      errno: "EBUSY",
      errnoValue: 16,
    },
  );
});

Deno.test("zcrx fails with ENODEV for an unknown ifindex and EPERM without CAP_NET_ADMIN (IOU-1, IOU-2)", () => {
  assert.deepEqual(zcrxRegister(mlx(), INIT, { ifindex: 9, "queue-id": 0 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.deepEqual(
    zcrxRegister(mlx(), { netns: 0, admin: false }, { ifindex: 2, "queue-id": 0 }).reply,
    {
      ok: false,
      errno: "EPERM",
      errnoValue: 1,
    },
  );
});

Deno.test("a second provider on the same queue fails with EEXIST (MP-15) and one on an AF_XDP queue with EBUSY (MP-16)", () => {
  const s = zcrxRegister(singleState("mlx5"), INIT, { ifindex: 2, "queue-id": 0 }).state;
  assert.deepEqual(
    bindRx(s, INIT, { ifindex: 2, fd: 0, queues: [{ id: 0, type: "rx" }] })
      .reply,
    {
      ok: false,
      errno: "EEXIST",
      errnoValue: 17,
      extack: "designated queue already memory provider bound",
    },
  );
  const x = xskBind(singleState("mlx5"), INIT, { ifindex: 2, "queue-id": 0, mode: "copy" })
    .state;
  assert.deepEqual(
    bindRx(x, INIT, { ifindex: 2, fd: 0, queues: [{ id: 0, type: "rx" }] })
      .reply,
    {
      ok: false,
      errno: "EBUSY",
      errnoValue: 16,
      extack: "designated queue already in use by AF_XDP",
    },
  );
});

Deno.test("bind-rx on netdevsim fails with EOPNOTSUPP 'Device doesn't support DMA' (DM-4, bind_rx_leased_phys_queue)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  const req = {
    ifindex: 2,
    fd: 0,
    queues: [{ id: 0, type: "rx" }, { id: 1, type: "rx" }],
  } as const;
  assert.deepEqual(bindRx(s, INIT, req).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
    extack: "Device doesn't support DMA",
  });
});

Deno.test("bind-rx over an mlx5 queue and a leased one reports a DMA device mismatch (DM-4, DMA-3)", () => {
  const req = {
    ifindex: 2,
    fd: 0,
    queues: [{ id: 0, type: "rx" }, { id: 1, type: "rx" }],
  } as const;
  assert.deepEqual(bindRx(mlx(), INIT, req).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
    extack: "DMA device mismatch between queue 1 and 0 (multi-PF device?)",
  });
});

Deno.test("bind-rx checks required attributes, queue type and range (DM-1, DM-3)", () => {
  const s = singleState("mlx5");
  assert.deepEqual(bindRx(s, INIT, { ifindex: 2, queues: [] }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    missType: "fd",
  });
  assert.deepEqual(
    bindRx(s, INIT, { ifindex: 2, fd: 0, queues: [{ id: 0, type: "tx" }] })
      .reply,
    {
      ok: false,
      errno: "EINVAL",
      errnoValue: 22,
      badAttr: ".queues.type",
    },
  );
  assert.deepEqual(
    bindRx(s, INIT, { ifindex: 2, fd: 0, queues: [{ id: 2, type: "rx" }] })
      .reply,
    {
      ok: false,
      errno: "EINVAL",
      errnoValue: 22,
      badAttr: ".queues.id",
    },
  );
  assert.deepEqual(
    bindRx(s, INIT, { ifindex: 2, fd: 0, queues: [{ type: "rx" }] }).reply,
    {
      ok: false,
      errno: "EINVAL",
      errnoValue: 22,
      missNest: ".queues",
      missType: "id",
    },
  );
  assert.deepEqual(
    bindRx(s, INIT, { ifindex: 1, fd: 0, queues: [{ id: 0, type: "rx" }] })
      .reply,
    {
      ok: false,
      errno: "EOPNOTSUPP",
      errnoValue: 95,
      badAttr: ".ifindex",
    },
  );
});

Deno.test("bind-rx through the leased netkit queue stores the provider on the physical queue and reports dmabuf id 1 (DM-5)", () => {
  const r = bindRx(mlx(), INIT, {
    ifindex: 3,
    fd: 0,
    queues: [{ id: 1, type: "rx" }],
  });
  assert.deepEqual(ok(r.reply), { binding: 0, id: 1 });
  assert.equal(ok(queueGet(r.state, INIT, { ifindex: 3, id: 1, type: "rx" }).reply).dmabuf, 1);
});

Deno.test("AF_XDP on a pair netkit falls back to copy mode; zerocopy requested fails with EOPNOTSUPP (XSK-4)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  assert.deepEqual(ok(xskBind(s, NS1, { ifindex: 2, "queue-id": 1 }).reply), {
    binding: 0,
    "zero-copy": false,
  });
  const z = xskBind(s, NS1, { ifindex: 2, "queue-id": 1, mode: "zerocopy" });
  assert.deepEqual(z.reply, { ok: false, errno: "EOPNOTSUPP", errnoValue: 95 });
  assert.equal(z.state, s);
});

Deno.test("AF_XDP zero-copy works on a single netkit leasing from mlx5 (XSK-5)", () => {
  const r = xskBind(mlx(), INIT, { ifindex: 3, "queue-id": 1, mode: "zerocopy" });
  assert.deepEqual(ok(r.reply), { binding: 0, "zero-copy": true });
});

Deno.test("AF_XDP on the physical side of a lease fails with EBUSY (XSK-3); C-23 allows it", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  assert.deepEqual(xskBind(s, INIT, { ifindex: 2, "queue-id": 1 }).reply, {
    ok: false,
    errno: "EBUSY",
    errnoValue: 16,
  });
  assert.ok(
    xskBind(s, INIT, { ifindex: 2, "queue-id": 1 }, { mutant: "C-23" }).reply.ok,
  );
});

Deno.test("AF_XDP fails with EINVAL past max(real rx, real tx) and EBUSY on a queue with a pool (XSK-2, XSK-3)", () => {
  const s = singleState();
  assert.deepEqual(xskBind(s, INIT, { ifindex: 2, "queue-id": 2 }).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
  });
  const b = xskBind(s, INIT, { ifindex: 2, "queue-id": 0 }).state;
  assert.deepEqual(xskBind(b, INIT, { ifindex: 2, "queue-id": 0 }).reply, {
    ok: false,
    errno: "EBUSY",
    errnoValue: 16,
  });
});

Deno.test("close() of io_uring through the netkit clears the physical queue and drops the reference (IOU-5, MP-C2)", () => {
  const s = zcrxRegister(mlx(), INIT, { ifindex: 3, "queue-id": 1 }).state;
  const r = close(s, { binding: 0 });
  assert.equal(r.state.devices[2].rxq[1].mp, null);
  assert.equal(r.state.devices[3].refs, 0);
  assert.deepEqual(r.state.bindings, []);
  assert.deepEqual(close(r.state, { binding: 0 }).reply, {
    ok: false,
    errno: "ENOENT",
    errnoValue: 2,
  });
});

Deno.test("close() of an AF_XDP socket through the netkit clears the physical pool (XSK-8)", () => {
  const s = xskBind(mlx(), INIT, { ifindex: 3, "queue-id": 1 }).state;
  const r = close(s, { binding: 0 });
  assert.equal(r.state.devices[2].rxq[1].pool, null);
  assert.equal(r.state.devices[3].refs, 0);
});
