import assert from "node:assert/strict";
import { KernelUnavailableError, openKernelVm } from "./open.ts";

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
