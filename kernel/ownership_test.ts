/**
 * The agent's ownership check (`agent.py`, OwnershipCheck), run by python3 on a described world:
 * every operation and every attribute that names a device, a namespace or a netdevsim device,
 * at every depth. The world: namespace `init` holds lo (1, its own), `eth0` (2, not the
 * scenario's: a device the scenario did not create), `nsim` (3, the scenario's netdevsim port)
 * and `other` (4, marked as the scenario's but a port of a netdevsim instance it did not
 * create); `ns` holds lo and `guest` (5). In init, netns id 0 is ns and 7 is a foreign
 * namespace; in ns, 0 is init.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { OP_NAMES, OPERATIONS } from "../scenarios/ops.ts";
import type { AttrSet } from "../scenarios/ops.ts";

const AGENT = fileURLToPath(new URL("./agent.py", import.meta.url));

const WORLD = {
  namespaces: {
    init: {
      devices: {
        "1": { name: "lo", owned: true },
        "2": { name: "eth0", owned: false },
        "3": { name: "nsim", owned: true, nsim: 10 },
        "4": { name: "other", owned: true, nsim: 3 },
      },
      nsids: { "0": "ns", "7": null },
    },
    ns: {
      devices: { "1": { name: "lo", owned: true }, "5": { name: "guest", owned: true } },
      nsids: { "0": "init" },
    },
  },
  nsim: [10],
};

interface Case {
  readonly op: string;
  readonly netns: string;
  readonly request: Record<string, unknown>;
  readonly link?: boolean;
}

/** Runs the agent with `flag`, `input` as JSON on its stdin; returns its stdout's JSON. */
async function agentJson(flag: string, input: unknown): Promise<unknown> {
  const child = new Deno.Command("python3", {
    args: [AGENT, flag],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function check(cases: readonly Case[]): Promise<({ ok: true } | { refused: string })[]> {
  return await agentJson("--check-ownership", { world: WORLD, cases }) as (
    | { ok: true }
    | { refused: string }
  )[];
}

/** Sets `value` at a dotted path (`queues[0].id` for a list element). */
function at(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split(".");
  let leaf: Record<string, unknown> = { [parts[parts.length - 1]]: value };
  for (const part of parts.slice(0, -1).reverse()) {
    const list = /^(.*)\[0\]$/.exec(part);
    leaf = list ? { [list[1]]: [leaf] } : { [part]: leaf };
  }
  return leaf;
}

/** Every device attribute (`ref: "device"`) of a catalogue set, as dotted paths. */
function devicePaths(set: AttrSet, prefix = ""): string[] {
  const out: string[] = [];
  for (const [key, spec] of Object.entries(set.attrs)) {
    if (spec.type === "int" && spec.ref === "device") out.push(prefix + key);
    if (spec.type === "nest") out.push(...devicePaths(spec.set, `${prefix}${key}.`));
    if (spec.type === "nest-list") out.push(...devicePaths(spec.set, `${prefix}${key}[0].`));
  }
  return out;
}

Deno.test("the agent checks every device attribute of every operation of the catalogue", async () => {
  const cases: Case[] = [];
  const expected: (RegExp | null)[] = [];
  for (const op of OP_NAMES) {
    for (const path of devicePaths(OPERATIONS[op].request)) {
      // A device the scenario did not create: refused, naming it.
      cases.push({ op, netns: "init", request: at(path, 2) });
      expected.push(
        new RegExp(
          `^refusing to act on ifindex 2 \\(eth0\\): not created by this scenario \\(${
            path.replace(/[.[\]]/g, "\\$&")
          }, in namespace init\\)$`,
        ),
      );
      // The scenario's own device, its lo, and a number that names nothing: allowed.
      for (const own of [3, 1, 99999]) {
        cases.push({ op, netns: "init", request: at(path, own) });
        expected.push(null);
      }
    }
  }
  const results = await check(cases);
  results.forEach((r, i) => {
    const want = expected[i];
    const label = `${cases[i].op} ${JSON.stringify(cases[i].request)}`;
    if (want === null) assert.deepEqual(r, { ok: true }, label);
    else assert.ok("refused" in r && want.test(r.refused), `${label}: ${JSON.stringify(r)}`);
  });
  assert.equal(cases.length, 15 * 4);
});

Deno.test("the agent's attribute table is the catalogue's, plus link, master and alt-ifname", async () => {
  const out = await new Deno.Command("python3", { args: [AGENT, "--ownership-table"] }).output();
  assert.equal(out.code, 0);
  const table = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    ops: Record<string, Record<string, unknown>>;
    switches: string[];
  };
  const kinds = (set: AttrSet, agent: Record<string, unknown>, where: string): void => {
    const extra = new Set(Object.keys(agent).filter((k) => k !== "_raw" && !(k in set.attrs)));
    for (const k of extra) {
      assert.ok(
        ["link", "master", "alt-ifname"].includes(k),
        `${where}.${k}: not in the catalogue`,
      );
    }
    for (const [key, spec] of Object.entries(set.attrs)) {
      const a = agent[key];
      const here = `${where}.${key}`;
      assert.ok(a !== undefined, `${here}: the agent would refuse an attribute the parser allows`);
      if (spec.type === "nest") kinds(spec.set, a as Record<string, unknown>, here);
      else if (spec.type === "nest-list") {
        kinds(spec.set, (a as Record<string, unknown>[])[0], here);
      } else if (spec.type === "int" && spec.ref === "device") {
        assert.ok(a === "device" || a === "nsim-device", `${here}: ${a}`);
      } else if (spec.type === "netns") {
        assert.ok(a === "netns" || a === "scope-netns", `${here}: ${a}`);
      } else if (key === "netns-id") assert.equal(a, "netns-id", here);
      else if ((key === "ifname" && set.name === "link-id") || key === "dev-name") {
        assert.equal(a, "name", here);
      } else assert.equal(a, "plain", here);
    }
  };
  assert.deepEqual(Object.keys(table.ops).sort(), [...OP_NAMES].sort());
  for (const op of OP_NAMES) kinds(OPERATIONS[op].request, table.ops[op], op);
  assert.deepEqual(table.switches, [
    "link-netnsid",
    "net-ns-fd",
    "net-ns-pid",
    "new-ifindex",
    "target-netnsid",
  ]);
});

Deno.test("the agent refuses names, nests, raw attributes and namespaces the scenario does not own", async () => {
  const table: [Case, RegExp | null][] = [
    // names
    [
      { op: "dellink", netns: "init", request: { ifname: "eth0" } },
      /ifindex 2 \(eth0\).*\(ifname,/,
    ],
    [{ op: "getlink", netns: "init", request: { "alt-ifname": "eth0" } }, /\(alt-ifname,/],
    [{ op: "dellink", netns: "init", request: { ifname: "nsim" } }, null],
    [{ op: "getlink", netns: "init", request: { ifname: "nosuch0" } }, null],
    [
      { op: "channels-set", netns: "init", request: { header: { "dev-name": "eth0" } } },
      /\(header\.dev-name,/,
    ],
    // the lease: looked up in the namespace its netns id names
    [
      {
        op: "queue-create",
        netns: "ns",
        request: { ifindex: 5, lease: { ifindex: 2, "netns-id": 0, queue: { id: 1 } } },
      },
      /ifindex 2 \(eth0\).*\(lease\.ifindex, in namespace init\)/,
    ],
    [{ op: "queue-create", netns: "ns", request: { lease: { ifindex: 3, "netns-id": 0 } } }, null],
    // in ns, ifindex 2 names nothing: the kernel answers ENODEV
    [{ op: "queue-create", netns: "ns", request: { lease: { ifindex: 2 } } }, null],
    [{ op: "queue-create", netns: "ns", request: { lease: { ifindex: 2, "netns-id": -1 } } }, null],
    [
      { op: "queue-create", netns: "init", request: { lease: { ifindex: 1, "netns-id": 7 } } },
      /^refusing netns-id 7 \(lease\.netns-id, in namespace init\): it names a namespace this scenario did not create$/,
    ],
    [
      { op: "queue-create", netns: "init", request: { lease: { ifindex: 1, "netns-id": 999 } } },
      null,
    ],
    // raw netdev attributes are checked as the attribute their number is
    [{ op: "queue-get", netns: "init", request: { "attr-2": 2 } }, /\(attr-2, in namespace init\)/],
    [
      { op: "queue-create", netns: "ns", request: { lease: { "attr-1": 2, "attr-3": 0 } } },
      /\(lease\.attr-1, in namespace init\)/,
    ],
    [{ op: "bind-rx", netns: "init", request: { "attr-1": 2 } }, /\(attr-1,/],
    [{ op: "queue-create", netns: "init", request: { lease: { "attr-3": 7 } } }, /netns-id 7/],
    [{ op: "queue-get", netns: "init", request: { "attr-99": 2 } }, null],
    // newlink: link, master, peer info (looked up in the peer's namespace)
    [{ op: "newlink", netns: "init", request: { ifname: "x", link: 2 } }, /\(link,/],
    [{ op: "newlink", netns: "init", request: { "ifi-index": 3, master: 2 } }, /\(master,/],
    [
      {
        op: "newlink",
        netns: "init",
        request: {
          linkinfo: { kind: "netkit", data: { "peer-info": { "net-ns": "ns", link: 5 } } },
        },
      },
      null,
    ],
    [
      {
        op: "newlink",
        netns: "ns",
        request: { linkinfo: { data: { "peer-info": { "net-ns": "init", master: 2 } } } },
      },
      /\(linkinfo\.data\.peer-info\.master, in namespace init\)/,
    ],
    [
      {
        op: "newlink",
        netns: "init",
        request: { linkinfo: { data: { "peer-info": { "net-ns": "host" } } } },
      },
      /^refusing namespace 'host' \(linkinfo\.data\.peer-info\.net-ns\): not created/,
    ],
    [
      { op: "newlink", netns: "init", request: { "ifi-index": 2, mtu: 1000 }, link: true },
      /\(ifi-index, in namespace init\)/,
    ],
    // namespace switches and unknown attributes are never forwarded
    [
      { op: "newlink", netns: "init", request: { "ifi-index": 3, "net-ns-pid": 1 } },
      /pid 1 is the host's/,
    ],
    [
      { op: "newlink", netns: "init", request: { "ifi-index": 3, "net-ns-fd": 3 } },
      /file descriptor of the agent/,
    ],
    [
      { op: "getlink", netns: "init", request: { "ifi-index": 1, "target-netnsid": 7 } },
      /by netns id/,
    ],
    [
      {
        op: "newlink",
        netns: "init",
        request: { linkinfo: { data: { "peer-info": { "net-ns-pid": 1 } } } },
      },
      /peer-info\.net-ns-pid/,
    ],
    [{ op: "newlink", netns: "init", request: { ifname: "x", "link-netnsid": 7 } }, /link-netnsid/],
    [{ op: "dellink", netns: "init", request: { group: 0 } }, /forwards only attributes/],
    // namespaces by name, netdevsim ids, non-numbers
    [
      { op: "netns-move", netns: "init", request: { ifindex: 3, netns: "host" } },
      /namespace 'host'/,
    ],
    [{ op: "netns-move", netns: "init", request: { ifindex: 3, netns: "ns" } }, null],
    [{ op: "netns-delete", netns: "init", request: { netns: "(agent)" } }, /namespace '\(agent\)'/],
    [
      { op: "getlink", netns: "host", request: { "ifi-index": 1 } },
      /^refusing namespace 'host' \(netns\)/,
    ],
    [
      { op: "phys-remove", netns: "init", request: { ifindex: 4 } },
      /netdevsim device was not created/,
    ],
    [{ op: "phys-remove", netns: "init", request: { ifindex: 3 } }, null],
    [{ op: "link-set", netns: "init", request: { ifindex: "$eth0", up: false } }, /not an ifindex/],
    [{ op: "link-set", netns: "init", request: { ifindex: -2, up: false } }, /not an ifindex/],
    [{ op: "close", netns: "init", request: { binding: 1 } }, null],
  ];
  const results = await check(table.map(([c]) => c));
  results.forEach((r, i) => {
    const [c, want] = table[i];
    const label = `${c.op} ${JSON.stringify(c.request)}: ${JSON.stringify(r)}`;
    if (want === null) assert.deepEqual(r, { ok: true }, label);
    else assert.ok("refused" in r && want.test(r.refused), label);
  });
});

/** The agent's check of its raw attribute numbers against a kernel tree's netlink spec. */
async function rawTableProblem(sets: Record<string, Record<string, string>>): Promise<unknown> {
  return ((await agentJson("--check-raw-tables", sets)) as { problem: unknown }).problem;
}

Deno.test("the agent's raw attribute numbers fit 7.2's and 7.3's specs, and refuse a renumbered one", async () => {
  const queue = {
    "1": "id",
    "2": "ifindex",
    "3": "type",
    "4": "napi-id",
    "5": "dmabuf",
    "6": "io-uring",
    "7": "xsk",
    "8": "lease",
  };
  const lease = { "1": "ifindex", "2": "queue", "3": "netns-id" };
  const ioUring = { "1": "rx-buf-len" };
  const v72 = { "1": "ifindex", "2": "queues", "3": "fd", "4": "id" };
  const sets = (dmabuf: Record<string, string>) => ({
    queue,
    lease,
    "queue-id": queue,
    dmabuf,
    "io-uring-provider-info": ioUring,
  });
  // 7.2 has no rx-page-size (attribute 5): above its highest number, so it names nothing there.
  assert.equal(await rawTableProblem(sets(v72)), null);
  assert.equal(await rawTableProblem(sets({ ...v72, "5": "rx-page-size" })), null);
  assert.equal(
    await rawTableProblem(sets({ ...v72, "3": "id", "4": "fd" })),
    "netdev dmabuf attribute 3 is id, not fd: update the ownership tables of agent.py",
  );
});
