import assert from "node:assert/strict";
import { parseScenario } from "./parse.ts";
import { DryRunRefusedError, ynlCommands } from "./ynl_commands.ts";

const CASES = new URL("./cases", import.meta.url).pathname;
const load = async (name: string) =>
  parseScenario(await Deno.readTextFile(`${CASES}/${name}.yaml`), `${name}.yaml`);
const corpus = [...Deno.readDirSync(CASES)].map((e) => e.name.replace(/\.yaml$/, "")).sort();

const HEAD = "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\n";

Deno.test("ynlCommands() turns a selftest scenario into literal ip/ynl commands", async () => {
  const script = ynlCommands(await load("nk_qlease_test_double_lease"), { ynl: "YNL" });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  for (
    const expected of [
      "# Creates, and removes on exit: network namespaces lc-init, lc-ns;",
      "# netdevsim devices 10 (nsim); the scenario's devices, inside those namespaces.",
      "ip netns add lc-init",
      "ip netns add lc-ns",
      "ip -n lc-ns netns set lc-init 0",
      `ip netns exec lc-init sh -c 'echo "10 1 2" > /sys/bus/netdevsim/new_device'`,
      "ip -n lc-init link set guest netns lc-ns",
      'ip netns exec lc-ns YNL --family netdev --do queue-create --json "$(cat <<JSON',
      '{"ifindex":$(ifindex ns guest),"type":"rx","lease":{"ifindex":$(ifindex init nsim),"queue":{"id":1,"type":"rx"},"netns-id":0}}',
      '# step 1: queue-create from ns — expect error EBUSY (-16) "Device queue in use due to queue leasing"',
      "trap teardown EXIT",
      "  for id in $NETDEVSIM; do echo $id > /sys/bus/netdevsim/del_device 2>/dev/null; done",
    ]
  ) assert.ok(lines.includes(expected), `missing: ${expected}\n${script}`);
  assert.match(script, /YNL --family rt-link --do newlink --create --excl --json/);
  assert.ok(!script.includes("ip netns attach"), "never names the caller's namespace");
});

Deno.test("ynlCommands() acts only inside the namespaces it creates, for every corpus file", async () => {
  for (const name of corpus) {
    const script = ynlCommands(await load(name));
    assert.ok(script.startsWith("#!/bin/bash\n"), name);
    const body = script.split("\n# topology\n")[1];
    for (const line of body.split("\n")) {
      if (line.startsWith("#") || line === "" || line === "JSON" || line === ')"') continue;
      if (line.startsWith("{") || line.startsWith("[")) continue; // a request's JSON
      // Commands: inside lc-* namespaces, netdevsim's own ids, or the NS-5 take-back.
      const ok = /^(udevadm settle 2>\/dev\/null; )?ip (-n lc-|netns (add|del|exec) lc-)/.test(
        line,
      ) ||
        /^(guard|before=|for d in \$\(ip netns exec lc-)/.test(line) ||
        /^echo \d+ > \/sys\/bus\/netdevsim\/del_device$/.test(line) ||
        /^for i in \$\(seq 100\); do d=\$\(ls \/sys\/bus\/netdevsim\/devices\/netdevsim\d+/.test(
          line,
        ) ||
        /^ip link set "\$d" netns lc-init name \S+ {2}# back from the initial namespace$/.test(
          line,
        );
      assert.ok(ok, `${name}: a command outside the script's namespaces: ${line}`);
    }
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
  assert.match(moved, /ip -n lc-\S+ link set \S+ netns lc-\S+/);
  const xsk = ynlCommands(await load("ops_xsk_9_netns_move_unbinds"));
  assert.match(xsk, /# xsk-bind .*done by a program/);
  const raw = ynlCommands(await load("ops_qg_03_no_device"));
  assert.match(raw, /^guard init 4242 {2}# step 0 \(queue-get\) ifindex$/m);
});

Deno.test("ynlCommands() refuses a step that names a device the script does not create", () => {
  for (
    const [step, what] of [
      ["{op: dellink, request: {ifname: eth0}}", /dellink\) ifname: device "eth0"/],
      ["{op: getlink, request: {ifname: wlan0}}", /getlink\) ifname: device "wlan0"/],
      [
        "{op: channels-set, request: {header: {dev-name: eth0}, combined-count: 1}}",
        /header\.dev-name: device "eth0"/,
      ],
      ["{op: link-set, request: {ifindex: 2, up: false}}", /step 0 \(link-set\): 2 is not/],
      ["{op: netns-move, request: {ifindex: 2, netns: ns}}", /step 0 \(netns-move\)/],
      ["{op: phys-remove, request: {ifindex: 2}}", /step 0 \(phys-remove\)/],
    ] as const
  ) {
    const s = parseScenario(
      `${HEAD}topology:\n  namespaces: [{name: init}, {name: ns}]\nsteps:\n  - ${step}\n`,
      "hostile.yaml",
    );
    assert.throws(
      () => ynlCommands(s),
      (e) => e instanceof DryRunRefusedError && what.test(e.message),
    );
  }
  // A name the topology creates is fine.
  const ok = parseScenario(
    `${HEAD}topology:\n  physical: [{name: eth0, kind: netdevsim, queues: 2}]\n` +
      "steps:\n  - {op: dellink, request: {ifname: eth0}}\n",
    "ok.yaml",
  );
  assert.match(ynlCommands(ok), /--do dellink --json/);
});

Deno.test("ynlCommands() takes netdevsim ports back from the initial namespace (NS-5)", () => {
  const s = parseScenario(
    `${HEAD}topology:\n  namespaces: [{name: init}, {name: ns}]\n` +
      "  physical: [{name: nsim, kind: netdevsim, queues: 2, netns: ns}]\n" +
      "steps:\n  - {op: netns-delete, request: {netns: ns}}\n" +
      "  - {op: link-set, request: {ifindex: $nsim, up: true}}\n",
    "ns5.yaml",
  );
  const script = ynlCommands(s);
  assert.match(script, /ip netns exec lc-ns sh -c 'echo "10 1 2" > \/sys\/bus\/netdevsim/);
  assert.match(
    script,
    /ip netns del lc-ns\n.*netdevsim10\/net\/.*\nip link set "\$d" netns lc-init name nsim/,
  );
  assert.match(script, /ip -n lc-init link set nsim up/);
});

Deno.test("the generated guard refuses a raw ifindex of a device the script did not create", async () => {
  const script = ynlCommands(await load("ops_qg_03_no_device"));
  const lines = script.split("\n");
  const from = lines.findIndex((l) => l.startsWith("CREATED="));
  const to = lines.findIndex((l, i) => i > from && l === "}");
  // A stand-in `ip` answers `ip -n lc-init -o link show` with lo (1), nsim (2) and eth9 (3).
  const fake = `ip() { printf '1: lo: <LOOPBACK>\\n2: nsim: <UP>\\n3: eth9@if4: <UP>\\n'; }\n`;
  const run = async (ifindex: number) =>
    await new Deno.Command("bash", {
      args: ["-c", `${fake}${lines.slice(from, to + 1).join("\n")}\nguard init ${ifindex}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
  for (const ok of [1, 4242]) assert.equal((await run(ok)).code, 0, `ifindex ${ok}`);
  const refused = await run(3);
  assert.equal(refused.code, 1);
  assert.match(
    new TextDecoder().decode(refused.stderr),
    /refusing: ifindex 3 \(eth9\) in lc-init was not created by this script/,
  );
});
