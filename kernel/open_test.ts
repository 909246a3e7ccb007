import assert from "node:assert/strict";
import { buildInfo, KernelUnavailableError, openKernelVm } from "./open.ts";
import type { KernelBuild } from "./vm.ts";

Deno.test("openKernelVm boots again when the guest never says hello, and says so; then gives up with the count", async () => {
  const dir = await Deno.makeTempDir({ prefix: "leasecheck-open-" });
  try {
    // Not a kernel: qemu cannot boot it, so the agent never says hello.
    const kernel = `${dir}/bzImage`;
    await Deno.writeTextFile(kernel, "not a kernel\n");
    const log: string[] = [];
    await assert.rejects(
      openKernelVm({ kernel, bootAttempts: 2, log: (m) => log.push(m), timeoutMs: 5_000 }),
      (e: unknown) =>
        e instanceof KernelUnavailableError && /did not start in 2 boots/.test(e.message),
    );
    assert.equal(
      log.filter((l) => /^kernel-vm: boot 1 of 2 failed, booting again: /.test(l)).length,
      1,
    );
    assert.ok(!log.some((l) => /boot 2 of 2 failed/.test(l)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PATHS = { kernel: "", initramfs: "", src: "" };
const NORMAL: KernelBuild = {
  key: "linux-source-7.2-7.2.13-1",
  dir: "/cache/kernel/linux-source-7.2-7.2.13-1",
  paths: PATHS,
  origin: "debian",
  series: "7.2",
  version: "7.2.13-1",
  suite: "sid",
};

Deno.test("buildInfo says a debug build is the debug variant in its version, source and variant", () => {
  assert.equal(buildInfo(NORMAL)["kernel variant"], undefined);
  assert.deepEqual(
    buildInfo({
      ...NORMAL,
      key: `${NORMAL.key}-debug`,
      dir: `${NORMAL.dir}-debug`,
      debug: true,
      buildSeconds: 1800,
    }),
    {
      "kernel build": "linux-source-7.2-7.2.13-1-debug",
      "kernel version": "7.2.13-1 (debug)",
      "kernel source": "Debian linux-source-7.2 7.2.13-1 (sid), debug build",
      "kernel variant": "debug (kernel/prepare.sh --debug): lockdep (PROVE_LOCKING, PROVE_RCU), " +
        "DEBUG_NET, KASAN (generic, inline, vmalloc), DEBUG_OBJECTS (work, timers); their " +
        "reports fail a scenario",
      "kernel build time": "1800 s",
    },
  );
});

Deno.test("openKernelVm never boots a debug build by default: a cache with only one has no kernel", async () => {
  const cache = await Deno.makeTempDir({ prefix: "leasecheck-cache-" });
  const before = Deno.env.get("LEASECHECK_CACHE");
  try {
    const dir = `${cache}/kernel/linux-source-7.2-7.2.13-1-debug`;
    await Deno.mkdir(`${dir}/src/tools/net/ynl/pyynl/lib`, { recursive: true });
    for (const f of ["bzImage", "initramfs.cpio.gz", "src/tools/net/ynl/pyynl/lib/ynl.py"]) {
      await Deno.writeTextFile(`${dir}/${f}`, "fake");
    }
    await Deno.writeTextFile(
      `${dir}/build.info`,
      "origin=debian\nseries=7.2\nversion=7.2.13-1\nvariant=debug\n",
    );
    Deno.env.set("LEASECHECK_CACHE", cache);
    await assert.rejects(
      openKernelVm({ bootAttempts: 1 }),
      (e: unknown) => e instanceof KernelUnavailableError && /no kernel built/.test(e.message),
    );
  } finally {
    if (before === undefined) Deno.env.delete("LEASECHECK_CACHE");
    else Deno.env.set("LEASECHECK_CACHE", before);
    await Deno.remove(cache, { recursive: true });
  }
});
