import { MUTANTS_INVISIBLE_TO_REPLIES } from "./mutant_visibility.ts";
import assert from "node:assert/strict";
import { MUTANTS } from "../model/mutants.ts";
import { kernelWithin } from "../model/versions.ts";
import { loadFacts } from "../spec/facts.ts";
import type { Scenario } from "./format.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { parseScenario } from "./parse.ts";
import { runScenario } from "./run.ts";

const CASES = new URL("./cases/", import.meta.url);

const FILES: readonly string[] = [...Deno.readDirSync(CASES)]
  .filter((e) => e.isFile && e.name.endsWith(".yaml"))
  .map((e) => e.name)
  .sort();

const CORPUS: readonly Scenario[] = FILES.map((name) =>
  parseScenario(Deno.readTextFileSync(new URL(name, CASES)), name)
);

/** The netdevsim selftests of selftests.md §2.2, in run order. */
const NETDEVSIM_TESTS = [
  "remove_phys",
  "double_lease",
  "virtual_lessor",
  "phys_lessee",
  "different_lessors",
  "queue_out_of_range",
  "resize_leased",
  "self_lease",
  "create_tx_type",
  "create_primary",
  "create_limit",
  "link_flap_phys",
  "queue_get_virtual",
  "remove_virt_first",
  "multiple_leases",
  "lease_queue_tx_type",
  "invalid_netns",
  "invalid_phys_ifindex",
  "multi_netkit_remove_phys",
  "single_remove_phys",
  "link_flap_virt",
  "phys_queue_no_lease",
  "same_ns_lease",
  "resize_after_unlease",
  "lease_queue_zero",
  "release_and_reuse",
  "veth_queue_create",
  "two_netkits_same_queue",
  "l3_mode_lease",
  "single_double_lease",
  "single_different_lessors",
  "cross_ns_netns_id",
  "delete_guest_netns",
  "move_guest_netns",
  "resize_phys_no_reduction",
  "delete_one_netkit_of_two",
  "bind_rx_leased_phys_queue",
  "resize_phys_shrink_past_leased",
  "resize_virt_not_supported",
  "lease_devices_down",
  "lease_capacity_exhaustion",
  "resize_phys_up",
  "multi_ns_lease",
  "multi_ns_delete_one",
  "move_phys_netns",
];

/**
 * The hardware tests of selftests.md §3.2 that the corpus covers. `attach_xdp_with_mp` needs an
 * XDP attach operation (XDP-1) and `iou_zcrx_large_buf` is 7.2 only (rx-buf-len).
 */
const HW_TESTS = ["iou_zcrx", "attrs", "destroy"];

/** Scenarios the model cannot pass yet, with the reason; each must still not pass. */
const KNOWN_MODEL_GAPS: Readonly<Record<string, string>> = {
  nk_qlease_test_veth_queue_create: "the model has no veth devices (skip)",
};

const MUTANTS_INVISIBLE_TO_SCENARIOS = Object.keys(MUTANTS_INVISIBLE_TO_REPLIES);

Deno.test("corpus: every file parses and is named after its scenario", () => {
  assert.ok(CORPUS.length >= 90, `only ${CORPUS.length} scenarios`);
  for (const s of CORPUS) assert.equal(`${s.name}.yaml`, s.file);
});

Deno.test("corpus: every scenario cites at least one fact id and only ids the spec defines", () => {
  for (const s of CORPUS) {
    assert.ok(s.facts.length > 0, `${s.name} cites no fact`);
    for (const f of s.facts) assert.ok(loadFacts().has(f), `${s.name} cites unknown fact ${f}`);
  }
});

Deno.test("corpus: one scenario per netdevsim selftest and per applicable hardware test", () => {
  const names = new Set(CORPUS.map((s) => s.name));
  for (const t of NETDEVSIM_TESTS) assert.ok(names.has(`nk_qlease_test_${t}`), t);
  for (const t of HW_TESTS) assert.ok(names.has(`hw_nk_qlease_test_${t}`), t);
});

Deno.test("corpus: the model passes every scenario except the known gaps", async () => {
  const failures: string[] = [];
  for (const s of CORPUS) {
    // The model of a kernel within the scenario's range (a 7.2-only scenario: the 7.2 model).
    const kernel = kernelWithin(s.kernel);
    const r = await runScenario(s, new ModelAdapter({ kernel }), kernel ? { kernel } : {});
    const gap = KNOWN_MODEL_GAPS[s.name];
    if (gap !== undefined) {
      assert.notEqual(r.verdict, "pass", `${s.name} passes now: remove it from KNOWN_MODEL_GAPS`);
      continue;
    }
    if (r.verdict !== "pass") {
      const steps = r.steps.filter((x) => !x.pass).map((x) =>
        `step ${x.index}: ${x.diff.join("; ")}`
      );
      failures.push(`${s.name}: ${r.verdict} ${r.reason ?? ""} ${steps.join(" | ")}`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("corpus: every observable mutant of the model fails at least one scenario", async () => {
  const uncaught: string[] = [];
  for (const m of MUTANTS.filter((x) => x.implemented)) {
    let caught = false;
    for (const s of CORPUS) {
      if (KNOWN_MODEL_GAPS[s.name] !== undefined) continue;
      const r = await runScenario(s, new ModelAdapter({ mutant: m.id }), {
        stopOnFailure: true,
        raceRepetitions: 30,
      });
      if (r.verdict === "fail" || r.verdict === "error") {
        caught = true;
        break;
      }
    }
    if (!caught) uncaught.push(m.id);
  }
  assert.deepEqual(
    uncaught.filter((id) => !MUTANTS_INVISIBLE_TO_SCENARIOS.includes(id)),
    [],
    "mutants no scenario catches",
  );
});
