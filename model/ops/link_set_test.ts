import assert from "node:assert/strict";
import { INIT, selftestState } from "../_fixtures.ts";
import { updateDevice } from "../state.ts";
import { linkSet } from "./link_set.ts";

Deno.test("linkSet() fails with ENOTCONN when a pair netkit without peer is set up (NK-OP-1)", () => {
  let s = linkSet(selftestState(), INIT, { ifindex: 3, up: false }).state;
  s = updateDevice(s, 4, (d) => ({ ...d, peer: null }));
  assert.deepEqual(linkSet(s, INIT, { ifindex: 3, up: true }).reply, {
    ok: false,
    errno: "ENOTCONN",
    errnoValue: 107,
  });
});

Deno.test("linkSet() fails with ENODEV for an unknown ifindex and for a detached physical device", () => {
  assert.deepEqual(linkSet(selftestState(), INIT, { ifindex: 9, up: true }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
  let s = linkSet(selftestState(), INIT, { ifindex: 2, up: false }).state;
  s = updateDevice(s, 2, (d) => ({ ...d, present: false }));
  assert.deepEqual(linkSet(s, INIT, { ifindex: 2, up: true }).reply, {
    ok: false,
    errno: "ENODEV",
    errnoValue: 19,
  });
});
