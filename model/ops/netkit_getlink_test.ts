import assert from "node:assert/strict";
import { INIT, NS1, ok, selftestState, singleState } from "../_fixtures.ts";
import { netkitGetlink } from "./netkit_getlink.ts";

Deno.test("netkitGetlink() of a single device has no scrub and no peer attributes (NK-GET, e530b484b705)", () => {
  const info = ok(netkitGetlink(singleState(), INIT, { ifindex: 3 }).reply);
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

Deno.test("netkitGetlink() under mutant C-26 reports scrub for a single device (A-02)", () => {
  const info = ok(netkitGetlink(singleState(), INIT, { ifindex: 3 }, { mutant: "C-26" }).reply);
  assert.equal(info.linkinfo.data.scrub, "default");
});

Deno.test("netkitGetlink() of pair primary and peer: 9 attributes in order, link = other end (NK-GET-1, NK-GET-4, NK-GET-6)", () => {
  const s = selftestState();
  const host = ok(netkitGetlink(s, INIT, { ifindex: 3 }).reply);
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
  const guest = ok(netkitGetlink(s, NS1, { ifindex: 2 }).reply);
  assert.equal(guest.linkinfo.data.primary, 0);
  assert.equal(guest.link, 3);
  assert.equal(guest["link-netnsid"], 0);
});

Deno.test("netkitGetlink() fails with ENODEV for an unknown ifindex and EOPNOTSUPP for a non-netkit", () => {
  assert.deepEqual(netkitGetlink(selftestState(), INIT, { ifindex: 9 }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  assert.deepEqual(netkitGetlink(selftestState(), INIT, { ifindex: 2 }).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
});
