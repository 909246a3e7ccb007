/**
 * VM smoke test (a script, not a unit test): `deno run -A kernel/vm_smoke.ts`. Boots the cached
 * kernel, checks the agent's `hello`, replays two scenarios (one with namespaces and a netkit
 * pair) and checks that teardown leaves the VM clean for the next one. When no kernel is built it
 * prints why and exits 0 without running anything (`SKIP`); exit 1 means a check failed.
 *
 * @module
 */

import { parseScenario } from "../scenarios/parse.ts";
import { replayScenario } from "../scenarios/replay.ts";
import { KernelVmAdapter } from "./adapter.ts";
import { findKernel } from "./vm.ts";

const SCENARIOS = ["ops_qg_d1_dump.yaml", "nk_qlease_test_double_lease.yaml"];

async function main(): Promise<number> {
  const kernel = await findKernel();
  if (kernel === null) {
    console.log("SKIP kernel/vm_smoke.ts: no kernel built (run kernel/prepare.sh)");
    return 0;
  }
  const adapter = new KernelVmAdapter({ log: (m) => console.log(`# ${m}`) });
  let failed = 0;
  const check = (ok: boolean, what: string): void => {
    console.log(`${ok ? "ok" : "not ok"} - ${what}`);
    if (!ok) failed++;
  };
  try {
    const vm = await adapter.start();
    check(/^\d+\.\d+/.test(vm.hello.release), `hello: kernel ${vm.hello.release}`);
    check(vm.hello.ops.includes("queue-create"), "hello: the agent runs queue-create");
    const dir = new URL("../scenarios/cases/", import.meta.url);
    // Each scenario twice: the second run shows that teardown restored a clean VM.
    for (const name of [...SCENARIOS, ...SCENARIOS]) {
      const text = await Deno.readTextFile(new URL(name, dir));
      const r = await replayScenario(parseScenario(text, name), adapter);
      check(r.verdict === "pass", `${name}: ${r.verdict}${r.reason ? ` (${r.reason})` : ""}`);
    }
  } finally {
    await adapter.close();
  }
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  Deno.exitCode = await main();
}
