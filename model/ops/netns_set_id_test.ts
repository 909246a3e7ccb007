import assert from "node:assert/strict";
import { DEFAULT_CONFIG } from "../config.ts";
import { initialState } from "../init.ts";
import { netnsSetId } from "./netns_set_id.ts";

const fresh = () => initialState({ ...DEFAULT_CONFIG, nsids: [] });

Deno.test("netnsSetId() assigns the id, then refuses a second id for the peer and an id in use (NS-7)", () => {
  const a = netnsSetId(fresh(), { netns: 1 }, { netns: "init", nsid: 5 });
  assert.deepEqual(a.reply, { ok: true, reply: null });
  assert.equal(a.state.netns[1].nsids[0], 5);
  assert.deepEqual(netnsSetId(a.state, { netns: 1 }, { netns: "init", nsid: 6 }).reply, {
    ok: false,
    errno: "EEXIST",
    errnoValue: 17,
    extack: "Peer netns already has a nsid assigned",
  });
  const taken = netnsSetId(a.state, { netns: 1 }, { netns: "ns1", nsid: 5 });
  assert.deepEqual(taken.reply, {
    ok: false,
    errno: "EEXIST",
    errnoValue: 17,
    extack: "The specified nsid is already used",
  });
  assert.equal(taken.state, a.state, "a failure changes nothing");
});

Deno.test("netnsSetId() with a negative id takes the lowest free one; a dead peer is EBADF (NS-7)", () => {
  const a = netnsSetId(fresh(), { netns: 1 }, { netns: "init", nsid: 0 });
  const b = netnsSetId(a.state, { netns: 1 }, { netns: "ns1", nsid: -1 });
  assert.equal(b.state.netns[1].nsids[1], 1);
  const gone = {
    ...fresh(),
    netns: fresh().netns.map((n, i) => (i === 1 ? { ...n, alive: false } : n)),
  };
  assert.deepEqual(netnsSetId(gone, { netns: 0 }, { netns: "ns1", nsid: 1 }).reply, {
    ok: false,
    errno: "EBADF",
    errnoValue: 9,
    extack: "Peer netns reference is invalid",
  });
});
