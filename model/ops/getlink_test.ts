import assert from "node:assert/strict";
import { INIT, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { getlink, type LinkInfo, type NetkitLinkInfo } from "./getlink.ts";
import type { OpReply } from "../errors.ts";

/** The reply of a GETLINK that must succeed on a netkit. */
const netkit = (reply: OpReply<LinkInfo>): NetkitLinkInfo => {
  const info = ok(reply);
  assert.ok("linkinfo" in info, "a netkit's reply has linkinfo");
  return info;
};

Deno.test("getlink() of a single device has no scrub and no peer attributes (NK-GET, e530b484b705)", () => {
  const info = netkit(getlink(singleState(), INIT, { "ifi-index": 3 }).reply);
  assert.deepEqual(info.linkinfo.data, {
    primary: 1,
    policy: "forward",
    mode: "l2",
    headroom: 0,
    tailroom: 0,
    pairing: "single",
  });
  assert.deepEqual(Object.keys(info.linkinfo.data), [
    "primary",
    "policy",
    "mode",
    "headroom",
    "tailroom",
    "pairing",
  ]);
  assert.equal(info.link, 0);
  assert.equal(info["num-rx-queues"], 2);
});

Deno.test("getlink() under mutant C-26 reports scrub for a single device (A-02)", () => {
  const info = netkit(getlink(singleState(), INIT, { "ifi-index": 3 }, { mutant: "C-26" }).reply);
  assert.equal(info.linkinfo.data.scrub, "default");
});

Deno.test("getlink() of pair primary and peer: 9 attributes in order, link = other end (NK-GET-1, NK-GET-4, NK-GET-6)", () => {
  const s = selftestState();
  const host = netkit(getlink(s, INIT, { "ifi-index": 3 }).reply);
  assert.deepEqual(Object.keys(host.linkinfo.data), [
    "primary",
    "policy",
    "mode",
    "scrub",
    "headroom",
    "tailroom",
    "pairing",
    "peer-policy",
    "peer-scrub",
  ]);
  assert.equal(host.linkinfo.data.primary, 1);
  assert.equal(host.link, 2);
  assert.equal(host["link-netnsid"], 0);
  const guest = netkit(getlink(s, NS1, { "ifi-index": 2 }).reply);
  assert.equal(guest.linkinfo.data.primary, 0);
  assert.equal(guest.link, 3);
  assert.equal(guest["link-netnsid"], 0);
});

Deno.test("getlink() fails with ENODEV for an unknown ifindex and EOPNOTSUPP for lo", () => {
  assert.deepEqual(getlink(selftestState(), INIT, { "ifi-index": 9 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.deepEqual(getlink(selftestState(), INIT, { "ifi-index": 1 }).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
});

Deno.test("getlink() of a physical device: ifindex, name and queue counts, no link attributes (LINK-GET-1)", () => {
  const r = getlink(selftestState(), INIT, { "ifi-index": 2 });
  assert.deepEqual(r.reply, {
    ok: true,
    reply: { "ifi-index": 2, ifname: "eth0", "num-rx-queues": 2, "num-tx-queues": 2 },
  });
  assert.deepEqual(getlink(selftestState(), NS1, { ifname: "eth0" }).reply.ok, false);
});
