/**
 * KernelVm lifecycle without a kernel: a fake "qemu" (a small Python program) listens on the
 * agent socket and answers only some commands, so the watchdogs must kill it. These tests spawn
 * processes and use a temporary directory: they need --allow-run, --allow-read, --allow-write
 * and --allow-env (the test task grants them; a missing one fails the test).
 */
import assert from "node:assert/strict";
import { fakeBuild } from "./_test_util.ts";
import { AgentRequestError, AgentTimeoutError } from "./jsonl.ts";
import {
  buildLabel,
  debugVariants,
  findKernel,
  type KernelBuild,
  KernelSelectionError,
  KernelVm,
  listKernels,
  selectKernels,
  VmError,
} from "./vm.ts";

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

/** A cache with 7.2.13-1 (normal and debug), 7.3.4-1~bpo13+1 (normal only) and a tree. */
async function debugCache(cache: string): Promise<void> {
  const debian = (series: string, version: string, extra: Record<string, string> = {}) => ({
    origin: "debian",
    package: `linux-source-${series}`,
    series,
    version,
    suite: "sid",
    ...extra,
    release: version.replace(/[-~].*/, ""),
  });
  await fakeBuild(cache, "linux-source-7.2-7.2.13-1", debian("7.2", "7.2.13-1"));
  await fakeBuild(
    cache,
    "linux-source-7.2-7.2.13-1-debug",
    debian("7.2", "7.2.13-1", { variant: "debug", "build-seconds": "1800" }),
  );
  await fakeBuild(cache, "linux-source-7.3-7.3.4-1_bpo13+1", debian("7.3", "7.3.4-1~bpo13+1"));
  await fakeBuild(cache, "tree-v7.3-rc1", {
    origin: "tree",
    tree: "/src/net-next",
    "key-source": "git",
    version: "v7.3-rc1",
    series: "7.3",
  });
}

async function withCache(fn: (cache: string) => Promise<void>): Promise<void> {
  const cache = await Deno.makeTempDir({ prefix: "leasecheck-cache-" });
  try {
    await fn(cache);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
}

Deno.test("listKernels marks a debug build, and findKernel and selectKernels by version never pick it", async () => {
  await withCache(async (cache) => {
    await debugCache(cache);
    const all = await listKernels(cache);
    assert.deepEqual(all.map((b) => [b.key, b.debug ?? false]), [
      ["linux-source-7.3-7.3.4-1_bpo13+1", false],
      ["linux-source-7.2-7.2.13-1", false],
      ["linux-source-7.2-7.2.13-1-debug", true],
      ["tree-v7.3-rc1", false],
    ]);
    const debug = all[2];
    assert.equal(debug.version, "7.2.13-1");
    assert.equal(debug.series, "7.2");
    assert.equal(buildLabel(debug), "7.2.13-1 (debug)");

    // Only the debug build of 7.2 and nothing else: still not a default.
    const only = await Deno.makeTempDir({ prefix: "leasecheck-cache-" });
    try {
      await fakeBuild(only, "linux-source-7.2-7.2.13-1-debug", {
        origin: "debian",
        series: "7.2",
        version: "7.2.13-1",
        variant: "debug",
      });
      assert.equal(await findKernel(only), null);
      await assert.rejects(
        selectKernels("7.2", only),
        (e: unknown) => e instanceof KernelSelectionError && e.notBuilt,
      );
    } finally {
      await Deno.remove(only, { recursive: true });
    }
    assert.equal((await findKernel(cache))?.kernel, `${all[0].dir}/bzImage`);

    const keys = async (spec: string): Promise<string[]> =>
      (await selectKernels(spec, cache)).map((b) => b.key);
    for (const spec of ["7.2", "7.2.13", "7.2.13-1"]) {
      assert.deepEqual(await keys(spec), ["linux-source-7.2-7.2.13-1"], spec);
    }
    assert.deepEqual(await keys("all"), [
      "linux-source-7.2-7.2.13-1",
      "linux-source-7.3-7.3.4-1_bpo13+1",
    ]);
    // By its key or its folder it is chosen: a matrix of normal against debug.
    assert.deepEqual(await keys("7.2,linux-source-7.2-7.2.13-1-debug"), [
      "linux-source-7.2-7.2.13-1",
      "linux-source-7.2-7.2.13-1-debug",
    ]);
    assert.deepEqual(await keys(`${cache}/kernel/linux-source-7.2-7.2.13-1-debug/`), [
      "linux-source-7.2-7.2.13-1-debug",
    ]);
  });
});

Deno.test("listKernels takes a KEY-debug folder without build.info for the debug build of KEY", async () => {
  await withCache(async (cache) => {
    await fakeBuild(cache, "linux-source-7.2-7.2.13-1-debug");
    const [build] = await listKernels(cache);
    assert.equal(build.debug, true);
    assert.equal(build.version, "7.2.13-1");
    assert.equal(build.series, "7.2");
    assert.equal(await findKernel(cache), null);
  });
});

Deno.test("debugVariants picks the -debug build of each build, and names the prepare.sh command when it is missing", async () => {
  await withCache(async (cache) => {
    await debugCache(cache);
    const keys = (bs: readonly KernelBuild[]): string[] => bs.map((b) => b.key);
    assert.deepEqual(keys(await debugVariants(await selectKernels("7.2", cache), cache)), [
      "linux-source-7.2-7.2.13-1-debug",
    ]);
    // A debug build stands for itself.
    assert.deepEqual(
      keys(
        await debugVariants(await selectKernels("linux-source-7.2-7.2.13-1-debug", cache), cache),
      ),
      ["linux-source-7.2-7.2.13-1-debug"],
    );
    // The default is the newest normal build, 7.3.4 here, which has no debug build.
    const missing = (e: unknown): boolean =>
      e instanceof KernelSelectionError && e.notBuilt && e.message ===
        "--debug-kernel: no debug build of Linux 7.3.4-1~bpo13+1: run kernel/prepare.sh " +
          "--kernel 7.3 --debug";
    await assert.rejects(debugVariants(undefined, cache), missing);
    await assert.rejects(debugVariants(await selectKernels("all", cache), cache), missing);
    await assert.rejects(
      debugVariants(await selectKernels("tree-v7.3-rc1", cache), cache),
      (e: unknown) =>
        e instanceof KernelSelectionError && !e.notBuilt && /Debian sources only/.test(e.message),
    );
    await Deno.remove(`${cache}/kernel/linux-source-7.3-7.3.4-1_bpo13+1`, { recursive: true });
    assert.deepEqual(keys(await debugVariants(undefined, cache)), [
      "linux-source-7.2-7.2.13-1-debug",
    ]);
  });
  await assert.rejects(
    debugVariants(undefined, "/nonexistent-leasecheck-cache"),
    (e: unknown) =>
      e instanceof KernelSelectionError && e.notBuilt &&
      e.message === "--debug-kernel: no kernel is built: run kernel/prepare.sh --debug",
  );
});
