import assert from "node:assert/strict";
import { INIT, ok, selftestState } from "../_fixtures.ts";
import { isNetkit } from "../state.ts";
import { netkitNewlink, type NetkitNewlinkRequest } from "./netkit_newlink.ts";

const s0 = () => selftestState();
const nk = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ ...extra, linkinfo: { kind: "netkit", data } }) as NetkitNewlinkRequest;

function expectError(req: NetkitNewlinkRequest, expected: Record<string, unknown>) {
  const s = s0();
  const r = netkitNewlink(s, INIT, req);
  assert.deepEqual(r.reply, { ok: false, ...expected });
  assert.equal(r.state, s);
}

Deno.test("netkitNewlink() creates a single device: primary, no peer, 1 real rx queue, down, named with the lowest free nk%d of its netns (NK-NEW-13, NK-NEW-17, NK-NEW-19)", () => {
  const r = netkitNewlink(
    s0(),
    INIT,
    nk({ mode: "l2", pairing: "single" }, { "num-rx-queues": 2 }),
  );
  assert.deepEqual(ok(r.reply), { ifindex: 4 });
  const d = r.state.devices[5];
  assert.ok(isNetkit(d));
  assert.deepEqual(
    [d.pairing, d.primary, d.peer, d.numRx, d.realRx, d.up, d.mode, d.name],
    ["single", true, null, 2, 1, false, "l2", "nk1"],
  );
});

Deno.test("netkitNewlink() registers the pair peer first, so it gets the lower ifindex (NK-NEW-16)", () => {
  const r = netkitNewlink(s0(), INIT, nk({ mode: "l2" }, { "num-rx-queues": 2 }));
  assert.deepEqual(ok(r.reply), { ifindex: 5, "peer-ifindex": 4 });
});

Deno.test("netkitNewlink() with a peer in ns1 allocates init's netns id for ns1 (rtnl_fill_link_netnsid)", () => {
  const s = selftestState({ nsids: [], netkits: [] });
  assert.equal(s.netns[0].nsids[1], -1);
  const r = netkitNewlink(s, INIT, nk({ "peer-info": { "net-ns": "ns1" } }));
  assert.equal(r.state.netns[0].nsids[1], 0);
  assert.equal(r.state.netns[1].nsids[0], -1);
});

Deno.test("netkitNewlink() fails with ERANGE 'integer out of range' for mode 2 (NK-NEW-01, as 7.2.13 answers)", () => {
  expectError(nk({ mode: 2 }), {
    errno: "ERANGE",
    errnoValue: 34,
    extack: "integer out of range",
    badAttr: ".linkinfo.data(netkit).mode",
  });
});

Deno.test("netkitNewlink() fails with EINVAL 'Primary attribute is read-only' (NK-NEW-02)", () => {
  expectError(nk({ primary: 1, mode: "l2" }), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Primary attribute is read-only",
    badAttr: ".linkinfo.data(netkit).primary",
  });
});

Deno.test("netkitNewlink() fails with EINVAL for a 5-byte address and EADDRNOTAVAIL for a multicast one (NK-NEW-03/04)", () => {
  expectError(nk({ mode: "l2" }, { address: "02:00:00:00:01" }), {
    errno: "EINVAL",
    errnoValue: 22,
  });
  expectError(nk({ mode: "l2" }, { address: "01:00:5e:00:00:01" }), {
    errno: "EADDRNOTAVAIL",
    errnoValue: 99,
  });
});

Deno.test("netkitNewlink() validates the peer address even in single mode (NK-NEW-04b)", () => {
  expectError(nk({ pairing: "single", "peer-info": { address: "00:00:00:00:00:00" } }), {
    errno: "EADDRNOTAVAIL",
    errnoValue: 99,
  });
});

Deno.test("netkitNewlink() rejects queue counts outside 1..4096 and beyond netkit limits (NK-NEW-05/06)", () => {
  expectError(nk({}, { "num-tx-queues": 5000 }), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Invalid number of transmit queues",
  });
  expectError(nk({}, { "num-rx-queues": 0 }), {
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Invalid number of receive queues",
  });
  expectError(nk({}, { "num-rx-queues": 2000 }), { errno: "EOPNOTSUPP", errnoValue: 95 });
  expectError(nk({}, { "num-tx-queues": 2 }), { errno: "EOPNOTSUPP", errnoValue: 95 });
});

Deno.test("netkitNewlink() fails with EINVAL 'Provided default xmit policy not supported' for policy 5 and peer-policy 5 (NK-NEW-07/08)", () => {
  for (const name of ["policy", "peer-policy"]) {
    expectError(nk({ [name]: 5 }), {
      errno: "EINVAL",
      errnoValue: 22,
      extack: "Provided default xmit policy not supported",
      badAttr: `.linkinfo.data(netkit).${name}`,
    });
  }
});

Deno.test("netkitNewlink() fails with EOPNOTSUPP for an address in L3 mode (NK-NEW-09)", () => {
  expectError(nk({ mode: "l3" }, { address: "02:00:00:00:00:01" }), {
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
});

Deno.test("netkitNewlink() single mode rejects scrub, peer-scrub, peer-policy, peer-info and blackhole, accepts forward (NK-NEW-10, NK-NEW-14)", () => {
  for (
    const extra of [{ scrub: "default" }, { "peer-scrub": "none" }, { "peer-policy": "forward" }, {
      "peer-info": {},
    }, { policy: "blackhole" }]
  ) {
    expectError(nk({ pairing: "single", ...extra }), { errno: "EOPNOTSUPP", errnoValue: 95 });
  }
  assert.ok(
    netkitNewlink(s0(), INIT, nk({ pairing: "single", policy: "forward", headroom: 16 })).reply.ok,
  );
  assert.ok(
    netkitNewlink(s0(), INIT, nk({ pairing: "single", scrub: "default" }), { mutant: "C-27" }).reply
      .ok,
  );
});

Deno.test("netkitNewlink() checks the peer's own queue counts from peer-info (NK-NEW-11, NK-NEW-15)", () => {
  expectError(nk({ "peer-info": { "num-rx-queues": 2000 } }), {
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
});
