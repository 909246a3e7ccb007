import assert from "node:assert/strict";
import { DENO_IO, type ReplayIo, replayMain } from "./replay.ts";

function capture(): { io: ReplayIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { ...DENO_IO, stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
    out,
    err,
  };
}

const HERE = new URL("../scenarios/", import.meta.url).pathname;

Deno.test("replayMain() exits 0 and prints KTAP lines when every scenario passes", async () => {
  const c = capture();
  const code = await replayMain([`${HERE}cases/nk_qlease_test_double_lease.yaml`], c.io);
  const text = c.err.join("");
  assert.equal(code, 0, text);
  assert.match(text, /^KTAP version 1\n1\.\.1\n/);
  assert.match(text, /^ok 1 nk_qlease_test_double_lease$/m);
  assert.match(text, /# model: 1 passed, 0 failed, 0 skipped, 0 errors/);
  assert.deepEqual(c.out, []);
});

Deno.test("replayMain() exits 1 and shows expected, actual and diff for a failing step", async () => {
  const c = capture();
  const code = await replayMain([`${HERE}testdata/wrong_errno.yaml`, "--json"], c.io);
  const text = c.err.join("");
  assert.equal(code, 1);
  assert.match(text, /^not ok 1 wrong_errno$/m);
  assert.match(text, /# {3}FAIL step 1 queue-create @ns/);
  assert.match(text, /expected: error ERANGE \(-34\) \{bad-attr: \.lease\.queue\.id\}/);
  assert.match(text, /actual: {3}error EBUSY \(-16\) "Device queue in use due to queue leasing"/);
  assert.match(text, /diff: {5}errno: expected ERANGE \(-34\), got EBUSY \(-16\)/);
  const json = JSON.parse(c.out.join(""));
  assert.equal(json[0].verdict, "fail");
});

Deno.test("replayMain() replays a directory and reports a mutant's failures", async () => {
  const c = capture();
  const code = await replayMain(["--mutant", "C-02", `${HERE}cases`], c.io);
  assert.equal(code, 1);
  assert.match(c.err.join(""), /^not ok \d+ nk_qlease_test_double_lease$/m);
});

Deno.test("replayMain() exits 2 for a file that does not parse, naming line and column", async () => {
  const c = capture();
  const code = await replayMain([`${HERE}testdata/bad_key.yaml`], c.io);
  assert.equal(code, 2);
  assert.match(
    c.err.join(""),
    /bad_key\.yaml:8:16: unknown key "ifindx" in steps\[0\]\.request \(did you mean "ifindex"\?\)/,
  );
});

Deno.test("replayMain() exits 2 on usage errors and 0 for --help", async () => {
  let c = capture();
  assert.equal(await replayMain([], c.io), 2);
  c = capture();
  assert.equal(await replayMain(["--bogus", "x.yaml"], c.io), 2);
  c = capture();
  assert.equal(await replayMain(["--mutant", "C-99", "x.yaml"], c.io), 2);
  assert.match(c.err.join(""), /unknown mutant "C-99"/);
  c = capture();
  assert.equal(await replayMain(["--help"], c.io), 0);
  assert.match(c.err.join(""), /^Usage: replay/);
});
