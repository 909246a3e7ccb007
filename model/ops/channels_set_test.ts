import assert from "node:assert/strict";
import { guestLease, INIT, NS1, selftestState, singleState } from "../_fixtures.ts";
import { channelsSet } from "./channels_set.ts";
import { xskBind } from "./xsk_bind.ts";
import { zcrxRegister } from "./zcrx_register.ts";
import { queueCreate } from "./queue_create.ts";

const set = (n: number, ifindex = 2) => ({ header: { "dev-index": ifindex }, "combined-count": n });

Deno.test("channelsSet() shrinking past a leased queue fails with EINVAL 'Device queue in use due to queue leasing' (ETH-3, resize_leased)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  const r = channelsSet(s, INIT, set(1));
  assert.deepEqual(r.reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Device queue in use due to queue leasing",
  });
  assert.equal(r.state, s);
  assert.ok(channelsSet(s, INIT, set(1), { mutant: "C-24" }).reply.ok);
});

Deno.test("channelsSet() with no change succeeds and keeps the lease (ETH-1, resize_phys_no_reduction)", () => {
  const s = queueCreate(selftestState(), NS1, guestLease(1)).state;
  const r = channelsSet(s, INIT, set(2));
  assert.ok(r.reply.ok);
  assert.equal(r.state, s);
});

Deno.test("channelsSet() on a netkit fails with EOPNOTSUPP (ETH-1, resize_virt_not_supported)", () => {
  assert.deepEqual(channelsSet(selftestState(), INIT, set(1, 3)).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
  assert.deepEqual(channelsSet(selftestState(), INIT, set(1, 9)).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
});

Deno.test("channelsSet() beyond the maximum or to zero fails with EINVAL and the ethtool messages (ETH-1)", () => {
  assert.deepEqual(channelsSet(selftestState(), INIT, set(3)).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "requested channel count exceeds maximum",
    badAttr: ".combined-count",
  });
  assert.deepEqual(channelsSet(selftestState(), INIT, set(0)).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "requested channel counts would result in no RX or TX channel being configured",
    badAttr: ".combined-count",
  });
});

Deno.test("channelsSet() below a provider-bound queue fails with the memory provider message (ETH-2)", () => {
  const s = zcrxRegister(singleState("mlx5"), INIT, { ifindex: 2, "queue-id": 1 }).state;
  assert.deepEqual(channelsSet(s, INIT, set(1)).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "requested channel counts are too low for existing memory provider setting (2)",
  });
});

Deno.test("channelsSet() past an AF_XDP queue fails with 'Device queue in use by AF_XDP' (ETH-3)", () => {
  const s = xskBind(singleState(), INIT, { ifindex: 2, "queue-id": 1 }).state;
  assert.deepEqual(channelsSet(s, INIT, set(1)).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Device queue in use by AF_XDP",
  });
});

Deno.test("channelsSet() shrinking above the leased index and growing keep the lease (ETH-5, resize_phys_shrink_past_leased, resize_phys_up)", () => {
  const s0 = selftestState({
    physical: [{ name: "eth0", netns: "init", driver: "netdevsim", queues: 4 }],
  });
  const s = queueCreate(s0, NS1, guestLease(1)).state;
  const a = channelsSet(s, INIT, set(3));
  const b = channelsSet(a.state, INIT, set(2));
  assert.ok(a.reply.ok && b.reply.ok);
  assert.equal(b.state.devices[2].realRx, 2);
  assert.deepEqual(b.state.devices[2].rxq[1].lease, { dev: 3, queue: 1 });
  const c = channelsSet(b.state, INIT, set(4));
  assert.equal(c.state.devices[2].rxq[3].lease, null);
});
