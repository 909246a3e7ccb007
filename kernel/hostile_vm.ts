/**
 * The host-safety check in the VM (a script, run by CI after the kernel is built):
 * `deno run -A kernel/hostile_vm.ts`. It boots the cached kernel twice with two devices in the
 * guest's own initial namespace that no scenario may touch (`--test-fixtures`: a netdevsim port
 * `hostnic0`, ifindex 2, and a single netkit `hostnk0`, ifindex 3):
 *
 * 1. with `--share-root-netns`, so that a scenario's `init` is that namespace and only the
 *    ownership check protects the fixtures: every hostile scenario of `testdata/hostile/` and
 *    every hand-made request the parser would reject must be refused at its first step;
 * 2. as certification runs it (every scenario namespace created for the scenario): the hostile
 *    scenarios again, `testdata/ns5_take_back.yaml` (a netdevsim port the kernel hands to the
 *    initial namespace comes back into the scenario's init), then the whole corpus with the
 *    same counts as `certify` (92 pass, 10 skip, none fails).
 *
 * After each phase the fixtures' full GETLINK, hostnic0's channels and the namespace's device
 * list must be what they were. With no kernel built it fails (exit 1) saying so. Prints TAP and
 * a closing line `hostile: N passed, N failed`.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Scenario } from "../scenarios/format.ts";
import { loadScenarios } from "../scenarios/load.ts";
import { type ReplayAdapter, replayScenario, type ResolvedStep } from "../scenarios/replay.ts";
import { runScenario } from "../scenarios/run.ts";
import { KernelVmAdapter, OwnershipRefusedError } from "./adapter.ts";
import { AgentRequestError } from "./jsonl.ts";
import { versionSatisfies } from "../spec/versions.ts";
import { listKernels } from "./vm.ts";

const HERE = new URL(".", import.meta.url).pathname;
/**
 * Whether a scenario of the hand-written corpus runs in the VM of kernel `version`: it needs no
 * hardware the VM lacks (a physical device that is not netdevsim), and its `kernel:` range holds
 * the version (certify skips it otherwise, with the reason).
 */
function runsOn(s: Scenario, version: string): boolean {
  return !s.topology.physical.some((p) => p.kind !== "netdevsim") &&
    versionSatisfies(version, s.kernel);
}

/**
 * What the hand-written corpus gives in the VM, fixtures or not: every scenario that runs there
 * ({@linkcode runsOn}) passes, the others skip.
 */
function corpusExpectation(corpus: readonly Scenario[], version: string): Record<string, number> {
  const skip = corpus.filter((s) => !runsOn(s, version)).length;
  return { pass: corpus.length - skip, fail: 0, skip, error: 0 };
}

/** Requests the parser rejects, sent to the agent as they are (defence in depth). */
const RAW: readonly { name: string; topology?: Record<string, unknown>; step?: ResolvedStep }[] = [
  {
    name: "topology link on ifi-index 2",
    topology: { links: [link({ "ifi-index": 2, mtu: 1280 })] },
  },
  {
    name: "newlink moves netkit to pid 1",
    step: step("newlink", { "ifi-index": 3, "net-ns-pid": 1 }),
  },
  { name: "newlink macvlan on the NIC", step: step("newlink", { ifname: "mv0", link: 2 }) },
  { name: "newlink enslaves the NIC", step: step("newlink", { "ifi-index": 2, master: 1 }) },
  {
    name: "getlink by target-netnsid",
    step: step("getlink", { "ifi-index": 2, "target-netnsid": 0 }),
  },
  { name: "dellink by alt-ifname", step: step("dellink", { "alt-ifname": "hostnic0" }) },
  {
    name: "netns-move into the agent's namespace",
    step: step("netns-move", { ifindex: 1, netns: "(agent)" }),
  },
];

function link(request: Record<string, unknown>): Record<string, unknown> {
  return { name: "evil", netns: "init", request, up: false, pos: { line: 1, column: 1 } };
}

function step(op: string, request: Record<string, unknown>): ResolvedStep {
  return {
    index: 0,
    pos: { line: 1, column: 1 },
    netns: "init",
    capNetAdmin: true,
    op,
    dump: false,
    request,
    expect: { kind: "ok" },
    defines: {},
  } as unknown as ResolvedStep;
}

let passed = 0;
let failed = 0;
function check(ok: boolean, what: string, detail = ""): void {
  console.log(`${ok ? "ok" : "not ok"} ${passed + failed + 1} - ${what}`);
  if (!ok && detail) console.log(detail.split("\n").map((l) => `#   ${l}`).join("\n"));
  if (ok) passed++;
  else failed++;
}

async function fixtures(adapter: KernelVmAdapter): Promise<Record<string, unknown>> {
  const vm = await adapter.start();
  return (await vm.request("fixtures", {})).result as Record<string, unknown>;
}

function unchanged(before: unknown, after: unknown, what: string): void {
  try {
    assert.deepEqual(after, before);
    check(true, `${what}: the fixtures are unchanged (full getlink, channels, device list)`);
  } catch (e) {
    check(false, `${what}: the fixtures changed`, e instanceof Error ? e.message : String(e));
  }
}

async function phaseShared(hostile: readonly Scenario[]): Promise<void> {
  const adapter = new KernelVmAdapter({ agentArgs: ["--share-root-netns", "--test-fixtures"] });
  try {
    const before = await fixtures(adapter);
    const links = before.links as Record<string, number>;
    check(
      links.hostnic0 === 2 && links.hostnk0 === 3,
      `shared: the fixtures are ifindex 2 and 3 (${JSON.stringify(links)})`,
    );
    for (const s of hostile) {
      const r = await replayScenario(s, adapter);
      check(
        r.verdict === "error" && /OwnershipRefusedError: refusing/.test(r.reason ?? "") &&
          r.steps.length === 0,
        `shared: ${s.name} is refused at its first step`,
        `${r.verdict}: ${r.reason ?? ""}`,
      );
      console.log(`#   ${r.reason}`);
    }
    for (const raw of RAW) {
      let refused = "";
      try {
        await adapter.setup((raw.topology ?? {}) as never);
        if (raw.step) await adapter.apply(raw.step);
      } catch (e) {
        if (e instanceof OwnershipRefusedError) refused = e.message;
        else if (!(e instanceof AgentRequestError)) throw e;
      } finally {
        await adapter.teardown();
      }
      check(refused.startsWith("refusing"), `shared: raw request refused: ${raw.name}`, refused);
      console.log(`#   ${refused}`);
    }
    unchanged(before, await fixtures(adapter), "shared");
  } finally {
    await adapter.close();
  }
}

async function phaseIsolated(
  hostile: readonly Scenario[],
  corpus: readonly Scenario[],
  version: string,
) {
  const adapter = new KernelVmAdapter({ agentArgs: ["--test-fixtures"] });
  try {
    const before = await fixtures(adapter);
    for (const s of hostile) {
      // In its own namespaces a step meets only the scenario's devices (hostile_down_loopback
      // takes its own lo down) or nothing: the fixtures must not change.
      const r = await replayScenario(s, adapter);
      const outcome = r.reason ?? r.steps.map((x) => JSON.stringify(x.actual)).join("; ");
      try {
        assert.deepEqual(await fixtures(adapter), before);
        check(true, `isolated: ${s.name} leaves the fixtures unchanged (${outcome})`);
      } catch (e) {
        check(false, `isolated: ${s.name} changed the fixtures`, String(e));
      }
    }
    unchanged(before, await fixtures(adapter), "isolated, after the hostile scenarios");
    const [ns5] = await loadScenarios([`${HERE}testdata/ns5_take_back.yaml`]);
    const r = await replayScenario(ns5, adapter);
    check(
      r.verdict === "pass",
      "isolated: a deleted namespace's netdevsim port comes back into the scenario's init (NS-5)",
      `${r.verdict} ${r.reason ?? ""} ${JSON.stringify(r.steps.map((x) => x.diff))}`,
    );
    const counts = { pass: 0, fail: 0, skip: 0, error: 0 };
    const bad: string[] = [];
    for (const s of corpus) {
      if (!versionSatisfies(version, s.kernel)) {
        counts.skip++; // certify skips a scenario outside its kernel range before it runs
        continue;
      }
      // Races run a few times here: this phase is about the host, races have their own.
      const res = await runScenario(s, adapter, { kernel: version, raceRepetitions: 3 });
      counts[res.verdict]++;
      if (res.verdict === "fail" || res.verdict === "error") {
        bad.push(`${s.name}: ${res.verdict} ${res.reason ?? ""}`);
      }
    }
    check(
      JSON.stringify(counts) === JSON.stringify(corpusExpectation(corpus, version)),
      `isolated: the corpus with the fixtures present: ${JSON.stringify(counts)}`,
      bad.join("\n"),
    );
    unchanged(before, await fixtures(adapter), "isolated, after the corpus");
    // A splat in the kernel log during a scenario fails it, however its replies matched.
    const line = "leasecheck-test: WARNING: CPU: 0 PID: 1 at net/core/dev.c:1 injected";
    const injecting: ReplayAdapter = {
      name: adapter.name,
      setup: async (t) => {
        const symbols = await adapter.setup(t);
        await (await adapter.start()).request("kmsg", { line });
        return symbols;
      },
      apply: (step) => adapter.apply(step),
      teardown: () => adapter.teardown(),
    };
    const splat = await replayScenario(ns5, injecting);
    check(
      splat.verdict === "fail" && splat.steps.every((x) => x.pass) &&
        (splat.problems ?? []).some((p) => p.includes(line)),
      "isolated: a WARNING in the kernel log during a scenario fails it (its replies all match)",
      `${splat.verdict} ${splat.reason ?? ""}`,
    );
  } finally {
    await adapter.close();
  }
}

async function main(): Promise<number> {
  // The kernel the VM boots (vm.ts findKernel's: the newest Debian build).
  const build = (await listKernels()).find((b) => b.origin === "debian");
  if (build === undefined) {
    console.log("not ok 1 - no kernel built: run `deno task kernel:prepare` first");
    console.log("hostile: 0 passed, 1 failed");
    return 1;
  }
  const version = build.release ?? build.version;
  const hostile = await loadScenarios([`${HERE}testdata/hostile`], { rawDevices: "allow" });
  const corpus = await loadScenarios([`${HERE}../scenarios/cases`]);
  console.log("TAP version 13");
  await phaseShared(hostile);
  await phaseIsolated(hostile, corpus, version);
  console.log(`1..${passed + failed}`);
  console.log(`hostile: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) {
  Deno.exitCode = await main();
}
