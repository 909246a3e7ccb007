import assert from "node:assert/strict";
import { parseScenario } from "./parse.ts";
import { ynlCommands } from "./ynl_commands.ts";

const CASES = new URL("./cases", import.meta.url).pathname;
const load = async (name: string) =>
  parseScenario(await Deno.readTextFile(`${CASES}/${name}.yaml`), `${name}.yaml`);

Deno.test("ynlCommands() turns a selftest scenario into literal ip/ynl commands", async () => {
  const script = ynlCommands(await load("nk_qlease_test_double_lease"), { ynl: "YNL" });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  for (
    const expected of [
      "ip netns add ns",
      "ip -n ns netns set init 0",
      'echo "10 1 2" > /sys/bus/netdevsim/new_device',
      "ip link set guest netns ns",
      'ip netns exec ns YNL --family netdev --do queue-create --json "$(cat <<JSON',
      '{"ifindex":$(ifindex ns guest),"type":"rx","lease":{"ifindex":$(ifindex init nsim),"queue":{"id":1,"type":"rx"},"netns-id":0}}',
      '# step 1: queue-create from ns — expect error EBUSY (-16) "Device queue in use due to queue leasing"',
      "echo 10 > /sys/bus/netdevsim/del_device 2>/dev/null",
    ]
  ) assert.ok(lines.includes(expected), `missing: ${expected}\n${script}`);
  assert.match(script, /YNL --family rt-link --do newlink --create --excl --json/);
});

Deno.test("ynlCommands() follows netns moves and flags what needs a program", async () => {
  const corpus = [...Deno.readDirSync(CASES)].map((e) => e.name.replace(/\.yaml$/, ""));
  for (const name of corpus) {
    const script = ynlCommands(await load(name));
    assert.ok(script.startsWith("#!/bin/bash\n"), name);
    // Inside the JSON requests every $symbol is resolved, except devices a step creates unnamed.
    const commands = script.split("\n").filter((l) => !l.startsWith("#")).join("\n");
    const unresolved = commands.match(/:"\$[A-Za-z0-9_]+"/g) ?? [];
    for (const u of unresolved) {
      assert.match(
        script,
        new RegExp(`# \\${u.slice(2, -1)}: the kernel names the new device`),
        `${name}: ${u}`,
      );
    }
  }
  const moved = ynlCommands(await load("ops_qg_l3_netns_id_after_move"));
  assert.match(moved, /link set \S+ netns \S+/);
  const xsk = ynlCommands(await load("ops_xsk_9_netns_move_unbinds"));
  assert.match(xsk, /# xsk-bind .*done by a program/);
});
