import assert from "node:assert/strict";
import { INIT, NS1, selftestState, singleState } from "../_fixtures.ts";
import { isNetkit } from "../state.ts";
import { netkitChangelink } from "./netkit_changelink.ts";

const change = (data: Record<string, unknown>, ifindex = 3) => ({
  "ifi-index": ifindex,
  linkinfo: { kind: "netkit", data },
});

Deno.test("netkitChangelink() on a pair peer fails with EACCES 'netkit link settings can be changed only through the primary device' (NK-CHG-1)", () => {
  assert.deepEqual(
    netkitChangelink(selftestState(), NS1, change({ policy: "blackhole" }, 2)).reply,
    {
      ok: false,
      errno: "EACCES",
      errnoValue: 13,
      extack: "netkit link settings can be changed only through the primary device",
    },
  );
});

Deno.test("netkitChangelink() rejects each fixed parameter with EACCES and its name (NK-CHG-2)", () => {
  const names: [string, unknown, string][] = [
    ["mode", "l3", "operating mode"],
    ["scrub", "none", "scrubbing"],
    ["peer-scrub", "none", "peer scrubbing"],
    ["peer-info", {}, "peer info"],
    ["headroom", 8, "headroom"],
    ["tailroom", 8, "tailroom"],
    ["pairing", "single", "pairing"],
  ];
  for (const [attr, value, text] of names) {
    assert.deepEqual(netkitChangelink(selftestState(), INIT, change({ [attr]: value })).reply, {
      ok: false,
      errno: "EACCES",
      errnoValue: 13,
      extack: `netkit link ${text} cannot be changed after device creation`,
      badAttr: `.linkinfo.data(netkit).${attr}`,
    });
  }
});

Deno.test("netkitChangelink() stores policy and peer-policy on a pair; single answers EOPNOTSUPP (NK-CHG-3/4)", () => {
  const r = netkitChangelink(
    selftestState(),
    INIT,
    change({ policy: "blackhole", "peer-policy": "blackhole" }),
  );
  assert.ok(r.reply.ok);
  const [host, guest] = [r.state.devices[4], r.state.devices[3]];
  assert.ok(isNetkit(host) && isNetkit(guest));
  assert.deepEqual([host.policy, guest.policy], ["blackhole", "blackhole"]);
  assert.deepEqual(netkitChangelink(singleState(), INIT, change({ policy: "forward" })).reply, {
    ok: false,
    errno: "EOPNOTSUPP",
    errnoValue: 95,
  });
  assert.deepEqual(
    netkitChangelink(singleState(), INIT, change({ "peer-policy": "forward" })).reply,
    {
      ok: false,
      errno: "EOPNOTSUPP",
      errnoValue: 95,
    },
  );
});

Deno.test("netkitChangelink() applies POLICY before a failing PEER_POLICY (NK-CHG-4)", () => {
  const r = netkitChangelink(
    selftestState(),
    INIT,
    change({ policy: "blackhole", "peer-policy": 5 }),
  );
  assert.deepEqual(r.reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Provided default xmit policy not supported",
    badAttr: ".linkinfo.data(netkit).peer-policy",
  });
  const host = r.state.devices[4];
  assert.ok(isNetkit(host) && host.policy === "blackhole");
});

Deno.test("netkitChangelink() rejects PRIMARY with EINVAL 'Primary attribute is read-only' (NK-CHG-5)", () => {
  assert.deepEqual(netkitChangelink(selftestState(), INIT, change({ primary: 1 })).reply, {
    ok: false,
    errno: "EINVAL",
    errnoValue: 22,
    extack: "Primary attribute is read-only",
    badAttr: ".linkinfo.data(netkit).primary",
  });
});

Deno.test("netkitChangelink() under mutant C-25 changes the mode (INV-N3 must catch it)", () => {
  const r = netkitChangelink(selftestState(), INIT, change({ mode: "l3" }), { mutant: "C-25" });
  const host = r.state.devices[4];
  assert.ok(isNetkit(host) && host.mode === "l3");
});
