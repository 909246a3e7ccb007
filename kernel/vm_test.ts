/**
 * KernelVm lifecycle without a kernel: a fake "qemu" (a small Python program) listens on the
 * agent socket and answers only some commands, so the watchdogs must kill it. These tests spawn
 * processes and use a temporary directory: they need --allow-run, --allow-read, --allow-write
 * and --allow-env (the test task grants them; a missing one fails the test).
 */
import assert from "node:assert/strict";
import { AgentRequestError, AgentTimeoutError } from "./jsonl.ts";
import { findKernel, KernelVm, VmError } from "./vm.ts";

const FAKE = `
import json, os, signal, socket, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL stops it
path, results, mode = sys.argv[1], sys.argv[2], sys.argv[3]
with open(os.path.join(results, "pid"), "w") as f:
    f.write(str(os.getpid()))
if mode == "exit":
    sys.exit(3)
srv = socket.socket(socket.AF_UNIX)
srv.bind(path)
srv.listen(1)
conn, _ = srv.accept()
f = conn.makefile("rwb")
for line in f:
    req = json.loads(line)
    if mode == "mute":
        continue
    if req["cmd"] == "hello":
        res = {"release": "fake", "ops": [], "unsupported": {}}
    elif req["cmd"] == "fail":
        f.write(json.dumps({"id": req["id"], "ok": False, "error": "nope",
                            "unsupported": True}).encode() + b"\\n")
        f.flush()
        continue
    elif req["cmd"] == "exit":
        f.write(json.dumps({"id": req["id"], "ok": True, "result": {}}).encode() + b"\\n")
        f.flush()
        sys.exit(0)
    else:
        continue  # hang
    f.write(json.dumps({"id": req["id"], "ok": True, "result": res}).encode() + b"\\n")
    f.flush()
time.sleep(1000)
`;

function fake(mode: string, seen: { results?: string }) {
  return (socket: string, results: string): string[] => {
    seen.results = results;
    return ["python3", "-c", FAKE, socket, results, mode];
  };
}

async function pidOf(seen: { results?: string }): Promise<number> {
  for (let i = 0; i < 200; i++) {
    try {
      return Number(await Deno.readTextFile(`${seen.results}/pid`));
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error("the fake process wrote no pid");
}

async function gone(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.split(") ")[1]?.startsWith("Z") ?? false; // a zombie is dead
  } catch {
    return true;
  }
}

Deno.test({
  name: "KernelVm step watchdog kills a hung process that ignores SIGTERM",
  async fn() {
    const seen: { results?: string } = {};
    const vm = await KernelVm.boot({ command: fake("hello-only", seen), stepTimeoutMs: 200 });
    const pid = await pidOf(seen);
    assert.equal(vm.hello.release, "fake");
    assert.equal(vm.alive, true);
    await assert.rejects(vm.request("apply", {}), AgentTimeoutError);
    assert.match(vm.killed ?? "", /watchdog: apply/);
    await vm.close();
    assert.equal(await gone(pid), true);
    await assert.rejects(vm.request("hello"), VmError);
  },
});

Deno.test({
  name: "KernelVm boot fails with VmError and kills the process when hello gets no reply",
  async fn() {
    const seen: { results?: string } = {};
    const t0 = performance.now();
    const boot = KernelVm.boot({ command: fake("mute", seen), bootTimeoutMs: 1500 });
    const pid = await pidOf(seen);
    await assert.rejects(boot, (e) => e instanceof VmError && /did not start/.test(e.message));
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(await gone(pid), true);
  },
});

Deno.test({
  name: "KernelVm boot reports a process that exits before the channel opens",
  async fn() {
    const seen: { results?: string } = {};
    await assert.rejects(
      KernelVm.boot({ command: fake("exit", seen), bootTimeoutMs: 20_000 }),
      (e) => e instanceof VmError && /exited/.test(e.message),
    );
  },
});

Deno.test({
  name: "KernelVm run watchdog kills the process; agent errors pass through",
  async fn() {
    const seen: { results?: string } = {};
    const vm = await KernelVm.boot({ command: fake("hello-only", seen), runTimeoutMs: 400 });
    const pid = await pidOf(seen);
    await assert.rejects(
      vm.request("fail", {}),
      (e) => e instanceof AgentRequestError && e.unsupported,
    );
    await assert.rejects(vm.request("apply", {}, 20_000), VmError);
    assert.match(vm.killed ?? "", /run watchdog/);
    await vm.close();
    assert.equal(await gone(pid), true);
  },
});

Deno.test({
  name: "KernelVm close asks the agent to exit and leaves nothing running",
  async fn() {
    const seen: { results?: string } = {};
    const vm = await KernelVm.boot({ command: fake("hello-only", seen) });
    const pid = await pidOf(seen);
    await vm.close();
    assert.equal(vm.killed, "closed");
    assert.equal(await gone(pid), true);
    await assert.rejects(Deno.stat(seen.results!), Deno.errors.NotFound);
  },
});

Deno.test({
  name: "findKernel returns null for a cache without builds",
  async fn() {
    assert.equal(await findKernel("/nonexistent-leasecheck-cache"), null);
  },
});
