import assert from "node:assert/strict";
import { guestLease, INIT, localLease, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { invariants } from "../invariants.ts";
import { bindTx } from "./bind_tx.ts";
import { close } from "./close.ts";
import { dellink } from "./dellink.ts";
import { queueCreate } from "./queue_create.ts";

// singleState("mlx5"): eth0 (mlx5, ifindex 2) and nks (single netkit, ifindex 3) in init.
const leased = () => queueCreate(singleState("mlx5"), INIT, localLease(3, 2, 1)).state;
const eop = (extack: string) => ({ ok: false, errno: "EOPNOTSUPP", errnoValue: 95, extack });

Deno.test("bind-tx through a leased netkit maps the NIC and remembers the netkit (DM-7b, DM-15)", () => {
  const r = bindTx(leased(), INIT, { ifindex: 3, fd: 0 });
  assert.deepEqual(ok(r.reply), { binding: 0, id: 1 });
  assert.deepEqual(r.state.bindings[0], {
    kind: "devmem-tx",
    dev: 2,
    queues: [],
    zeroCopy: false,
    vdev: 3,
  });
  // On the NIC itself: its own DMA device, no virtual device.
  const own = bindTx(leased(), INIT, { ifindex: 2, fd: 0 });
  assert.equal(own.state.bindings[0]?.dev, 2);
  assert.equal(own.state.bindings[0]?.vdev, undefined);
});

Deno.test("bind-tx refuses without a lease, on netdevsim and on netkit before 7.2 (DM-7b, DM-8, DM-9)", () => {
  const none = eop("No DMA-capable device found for netmem TX");
  const unsupported = eop("Driver does not support netmem TX");
  assert.deepEqual(bindTx(singleState("mlx5"), INIT, { ifindex: 3, fd: 0 }).reply, none);
  assert.deepEqual(bindTx(leased(), INIT, { ifindex: 3, fd: 0 }, { kernel: "7.1.9" }).reply, {
    ...unsupported,
  });
  // The selftest topology: a netdevsim NIC (no netmem TX) leased into a netkit in ns1.
  const nsim = queueCreate(selftestState(), NS1, guestLease(1)).state;
  assert.deepEqual(bindTx(nsim, INIT, { ifindex: 2, fd: 0 }).reply, unsupported);
  assert.deepEqual(bindTx(nsim, NS1, { ifindex: 2, fd: 0 }).reply, none);
});

Deno.test("bind-tx checks ifindex, fd and the device first, and needs no privilege (DM-13, DM-14)", () => {
  const s = leased();
  const miss = (name: string) => ({
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    missType: name,
  });
  assert.deepEqual(bindTx(s, INIT, { fd: 0 }).reply, miss("ifindex"));
  assert.deepEqual(bindTx(s, INIT, { ifindex: 3 }).reply, miss("fd"));
  assert.deepEqual(bindTx(s, INIT, { ifindex: 99, fd: 0 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.ok(bindTx(s, { netns: 0, admin: false }, { ifindex: 3, fd: 0 }).reply.ok);
});

Deno.test("a TX binding outlives the lease and the netkit, and closes on the NIC (DM-15, INV-M5)", () => {
  const b = bindTx(leased(), INIT, { ifindex: 3, fd: 0 }).state;
  const gone = dellink(b, INIT, { "ifi-index": 3 });
  assert.ok(gone.reply.ok);
  assert.equal(gone.state.bindings[0]?.dev, 2);
  const inv = invariants({}).find((i) => i.name === "INV-M5")!;
  assert.ok(inv.holds(gone.state));
  assert.ok(!inv.holds(bindTx(leased(), INIT, { ifindex: 3, fd: 0 }, { mutant: "C-46" }).state));
  const closed = close(gone.state, { binding: 0 });
  assert.ok(closed.reply.ok);
  assert.equal(closed.state.bindings.filter((x) => x !== null).length, 0);
});

Deno.test("C-45 looks only at rx queue 0: the lease on queue 1 is missed", () => {
  assert.deepEqual(
    bindTx(leased(), INIT, { ifindex: 3, fd: 0 }, { mutant: "C-45" }).reply,
    eop("No DMA-capable device found for netmem TX"),
  );
});
