import assert from "node:assert/strict";
import { MUTANTS } from "../model/mutants.ts";
import { initialState } from "../model/init.ts";
import { CORPUS_DIR, CORPUS_MANIFEST, corpusFiles, corpusMain, staleFiles } from "../cli/corpus.ts";
import { CORPUS_TOPOLOGIES, generateCorpus } from "./emit/corpus.ts";
import type { Scenario } from "./format.ts";
import { ModelAdapter } from "./model_adapter.ts";
import { MUTANTS_INVISIBLE_TO_REPLIES } from "./mutant_visibility.ts";
import { parseScenario } from "./parse.ts";
import { replayScenario } from "./replay.ts";

const GENERATED = generateCorpus();
const FILES = corpusFiles(GENERATED);

const CHECKED_IN: readonly Scenario[] = [...Deno.readDirSync(CORPUS_DIR)]
  .filter((e) => e.isFile && e.name.endsWith(".yaml"))
  .map((e) => e.name)
  .sort()
  .map((name) => parseScenario(Deno.readTextFileSync(`${CORPUS_DIR}/${name}`), name));

Deno.test("generated corpus: the checked-in copy is what `deno task corpus` writes now", () => {
  assert.deepEqual(
    staleFiles(CORPUS_DIR, FILES),
    [],
    "scenarios/generated is stale: run deno task corpus and commit the result",
  );
  assert.ok(FILES.has(CORPUS_MANIFEST));
});

Deno.test("deno task corpus writes a new folder, and refuses one it did not write", () => {
  const dir = Deno.makeTempDirSync();
  try {
    assert.equal(corpusMain(["--config", "same-ifindex", "--out", `${dir}/new`]), 0);
    assert.equal(corpusMain(["--config", "same-ifindex", "--out", `${dir}/new`, "--check"]), 0);
    Deno.writeTextFileSync(`${dir}/new/same-ifindex_0001_extra.yaml`, "x");
    assert.equal(corpusMain(["--config", "same-ifindex", "--out", `${dir}/new`, "--check"]), 1);
    Deno.mkdirSync(`${dir}/theirs`);
    Deno.writeTextFileSync(`${dir}/theirs/notes.txt`, "mine");
    assert.equal(corpusMain(["--config", "same-ifindex", "--out", `${dir}/theirs`]), 2);
    assert.equal(Deno.readTextFileSync(`${dir}/theirs/notes.txt`), "mine");
    assert.deepEqual([...Deno.readDirSync(`${dir}/theirs`)].map((e) => e.name), ["notes.txt"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("generated corpus: every transition class of every topology is taken", () => {
  assert.deepEqual(
    GENERATED.topologies.map((t) => t.name),
    CORPUS_TOPOLOGIES.map((t) => t.name),
  );
  for (const t of GENERATED.topologies) {
    assert.ok(t.complete, `${t.name}: exploration complete`);
    assert.equal(t.covered, t.classes, `${t.name}: every class taken`);
    assert.ok(t.scenarios > 0);
  }
});

Deno.test("generated corpus: the topologies stress identity as they claim", () => {
  const config = (name: string) => CORPUS_TOPOLOGIES.find((t) => t.name === name)!.config;
  // Two NICs with the same ifindex in different namespaces.
  const same = initialState(config("same-ifindex"));
  const nics = same.devices.filter((d) => d.kind === "physical");
  assert.equal(nics.length, 2);
  assert.equal(nics[0].ifindex, nics[1].ifindex);
  assert.notEqual(nics[0].netns, nics[1].netns);
  // The moved NIC's namespaces name each other with ids that are not 0.
  const move = config("phys-move");
  assert.equal(move.moves, "physical");
  assert.ok(move.nsids.length === 6 && move.nsids.every((e) => e.id !== 0));
  // Several netkits lease from one NIC.
  assert.ok(config("many-lessees").netkits.length >= 2);
  assert.ok(config("mlx5").physical.every((p) => p.driver === "mlx5"));
});

Deno.test("generated corpus: every scenario passes on the model and ends with a full observation", async () => {
  const failures: string[] = [];
  for (const s of CHECKED_IN) {
    const r = await replayScenario(s, new ModelAdapter());
    if (r.verdict !== "pass") failures.push(`${s.name}: ${r.verdict}`);
    // The observation: a dump from every live namespace, then GETLINK of every device left
    // (none when every netkit and NIC is gone); nothing else after it.
    const first = s.steps.findIndex((step) => step.note?.startsWith("observation:"));
    const tail = first < 0 ? [] : s.steps.slice(first);
    const dumps = tail.filter((o) => o.op === "queue-get" && o.dump);
    if (
      dumps.length === 0 ||
      !tail.every((o) => o.note?.startsWith("observation:")) ||
      !tail.every((o) => (o.op === "queue-get" && o.dump) || o.op === "getlink")
    ) {
      failures.push(`${s.name}: does not end with a full observation`);
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("generated corpus: every mutant visible in replies fails at least one scenario", async () => {
  const uncaught: string[] = [];
  for (const m of MUTANTS.filter((x) => x.implemented)) {
    if (MUTANTS_INVISIBLE_TO_REPLIES[m.id] !== undefined) continue;
    let caught = false;
    for (const s of CHECKED_IN) {
      const r = await replayScenario(s, new ModelAdapter({ mutant: m.id }), {
        stopOnFailure: true,
      });
      if (r.verdict === "fail" || r.verdict === "error") {
        caught = true;
        break;
      }
    }
    if (!caught) uncaught.push(m.id);
  }
  assert.deepEqual(uncaught, [], "mutants the generated corpus does not catch");
});
