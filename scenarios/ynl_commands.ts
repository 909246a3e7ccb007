/**
 * The `ynl` command generator: turns a scenario into the shell commands (`ip`, the kernel tree's
 * `ynl` CLI, netdevsim's sysfs files) that perform it literally on a kernel, for
 * `deno task replay --dry-run FILE`. Device symbols become the interface names the topology
 * gives them, and their ifindexes are looked up when the command runs (`$(ifindex NS NAME)`), so
 * the script works whatever ifindexes the kernel hands out.
 *
 * The script never acts on the caller's own devices: every namespace of the scenario, `init`
 * included, is a namespace the script creates (`lc-<name>`, refusing to start when one exists),
 * netdevsim devices are created from inside their namespace, and every command runs there
 * (`ip -n`, `ip netns exec`). A step that names a device by a name the script does not create is
 * refused when the script is generated ({@linkcode DryRunRefusedError}); a raw ifindex is
 * checked when the script runs (`guard`), and refused unless it names nothing or a device the
 * script created. The teardown (an EXIT trap) removes the netdevsim devices and namespaces.
 *
 * Operations that are not netlink requests (io_uring zcrx registration, AF_XDP bind, closing a
 * binding) are printed as comments saying what a program would do.
 *
 * @module
 */

import type { JsonObject, JsonValue, Scenario, Step } from "./format.ts";
import { deviceRefs, explainedNames } from "./device_refs.ts";
import { linearize } from "./replay.ts";

/** Options of {@link ynlCommands}. */
export interface YnlCommandOptions {
  /** The `ynl` command (default `ynl`, as installed from tools/net/ynl). */
  readonly ynl?: string;
  /** First netdevsim id to use (default 10). */
  readonly netdevsimId?: number;
}

/**
 * A scenario step names a device the `--dry-run` script would not create.
 *
 * @example Usage
 * ```ts
 * import { DryRunRefusedError, ynlCommands } from "./ynl_commands.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - {op: dellink, request: {ifname: eth0}}\n",
 *   "t.yaml",
 * );
 * assert.throws(() => ynlCommands(s), DryRunRefusedError);
 * ```
 */
export class DryRunRefusedError extends Error {
  /** Stable error code. */
  readonly code: string = "LCS310";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "DryRunRefusedError";
  }
}

const NETDEV = new Set(["queue-create", "queue-get", "bind-rx", "bind-tx"]);
const RT_LINK = new Set(["newlink", "getlink", "dellink"]);

/** The namespace the script creates for a scenario namespace. */
function nsOf(netns: string): string {
  return `lc-${netns}`;
}

/** Where each device symbol lives now and its interface name, to look its ifindex up. */
type Places = Map<string, { netns: string; name: string }>;

/** Renders a request as JSON, with `$symbol` ifindexes looked up by name at run time. */
function requestJson(value: JsonValue, places: Places): string {
  const json = JSON.stringify(value, (key, v) => key === "net-ns" ? nsOf(String(v)) : v);
  return json.replace(/"\$([A-Za-z0-9_]+)"/g, (all, symbol: string) => {
    if (symbol === "lo") return "1"; // the loopback device is ifindex 1 in every namespace
    const place = places.get(symbol);
    return place === undefined ? all : `$(ifindex ${place.netns} ${place.name})`;
  });
}

function inNetns(netns: string, command: string): string {
  return `ip netns exec ${nsOf(netns)} ${command}`;
}

function ipIn(netns: string): string {
  return `ip -n ${nsOf(netns)}`;
}

function ynlStep(step: Step, places: Places, ynl: string): string {
  const family = NETDEV.has(step.op) ? "netdev" : RT_LINK.has(step.op) ? "rt-link" : "ethtool";
  const creates = step.op === "newlink" && !("ifi-index" in step.request);
  const mode = step.dump ? "--dump" : "--do";
  const flags = creates ? " --create --excl" : "";
  const json = requestJson(step.request, places);
  // An unquoted here-document keeps the JSON literal and still expands $(ifindex ...).
  return `${
    inNetns(step.netns, `${ynl} --family ${family} ${mode} ${step.op}${flags} --json "$(cat <<JSON`)
  }\n${json}\nJSON\n)"`;
}

function symbolOf(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" && value.startsWith("$") ? value.slice(1) : undefined;
}

/**
 * The guards a step needs: a raw ifindex is checked in the namespace it is looked up in (the
 * step's, or the one its lease's netns id names in the topology); a raw name must be one the
 * script creates, or the step is refused now.
 */
function guards(scenario: Scenario, step: Step, created: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const ref of deviceRefs(step)) {
    const where = `step ${step.index} (${step.op}) ${ref.path}`;
    if (ref.kind === "name") {
      if (typeof ref.value !== "string" || !created.has(ref.value)) {
        throw new DryRunRefusedError(
          `${scenario.file}: refusing to emit ${where}: device ${
            JSON.stringify(ref.value)
          } is not created by this script`,
        );
      }
      continue;
    }
    if (typeof ref.value !== "number" || ref.value === 0) continue;
    let netns: string | undefined = step.netns;
    if (ref.netnsId !== undefined) {
      const decl = scenario.topology.namespaces.find((n) => n.name === step.netns);
      netns = Object.entries(decl?.nsids ?? {}).find(([, id]) => id === ref.netnsId)?.[0];
    }
    // An id the topology does not assign names no namespace (ENONET), or one the kernel
    // assigned to another namespace of this script.
    if (netns !== undefined) out.push(`guard ${netns} ${ref.value}  # ${where}`);
  }
  return out;
}

/**
 * The shell script that performs `scenario` on a kernel (as root, with netdevsim and the
 * kernel's ynl installed), one block per step with its expectation as a comment, entirely
 * inside namespaces the script creates.
 *
 * @throws {DryRunRefusedError} when a step names a device by a name the script does not create.
 *
 * @example Usage
 * ```ts
 * import { ynlCommands } from "./ynl_commands.ts";
 * import { parseScenario } from "./parse.ts";
 * import assert from "node:assert/strict";
 * const s = parseScenario(
 *   "name: t\ndescription: d\nfacts: [QC-15]\nkernel: '7.1'\ntopology: {}\n" +
 *     "steps:\n  - op: queue-get\n    dump: true\n",
 *   "t.yaml",
 * );
 * const script = ynlCommands(s);
 * assert.ok(script.includes("ip netns exec lc-init ynl --family netdev --dump queue-get"));
 * assert.ok(script.includes("ip netns add lc-init"));
 * ```
 */
export function ynlCommands(scenario: Scenario, options: YnlCommandOptions = {}): string {
  const ynl = options.ynl ?? "ynl";
  let nsim = options.netdevsimId ?? 10;
  const places: Places = new Map();
  const nsimIds = new Map<string, number>();
  for (const p of scenario.topology.physical) {
    if (p.kind === "netdevsim") nsimIds.set(p.name, nsim++);
  }
  const names = ["init", ...scenario.topology.namespaces.map((n) => n.name)]
    .filter((n, i, all) => all.indexOf(n) === i);
  const created = explainedNames(scenario);
  const nsimList = [...nsimIds].map(([name, id]) => `${id} (${name})`).join(", ") || "none";
  const out = [
    "#!/bin/bash",
    `# ${scenario.name}: ${scenario.description.replace(/\s+/g, " ")}`,
    `# facts: ${scenario.facts.join(", ")}; kernel ${scenario.kernel}; generated by leasecheck`,
    "#",
    `# Creates, and removes on exit: network namespaces ${names.map(nsOf).join(", ")};`,
    `# netdevsim devices ${nsimList}; the scenario's devices, inside those namespaces.`,
    "# Every command runs inside those namespaces (ip -n, ip netns exec): the caller's namespace",
    "# is used only to create and remove them and the netdevsim devices. It refuses to start if",
    "# one of them exists, and refuses a raw ifindex that names a device it did not create.",
    "set -x",
    `NAMESPACES="${names.map(nsOf).join(" ")}"`,
    `NETDEVSIM="${[...nsimIds.values()].join(" ")}"`,
    `CREATED=" ${[...created].sort().join(" ")} "`,
    "ifindex() { ip netns exec lc-$1 cat /sys/class/net/$2/ifindex; }",
    "guard() {  # NS IFINDEX: refuse a raw ifindex that names a device this script did not create",
    "  local name",
    `  name=$(ip -n lc-$1 -o link show | awk -F': ' -v i="$2" '$1 == i { print $2 }' | cut -d@ -f1)`,
    '  case "$name$CREATED" in " "*|*" $name "*) return 0 ;; esac',
    '  echo "refusing: ifindex $2 ($name) in lc-$1 was not created by this script" >&2; exit 1',
    "}",
    "teardown() {",
    "  for id in $NETDEVSIM; do echo $id > /sys/bus/netdevsim/del_device 2>/dev/null; done",
    "  for ns in $NAMESPACES; do ip netns del $ns 2>/dev/null; done",
    "}",
    "for ns in $NAMESPACES; do",
    '  if [ -e /run/netns/$ns ]; then echo "refusing: namespace $ns exists" >&2; exit 1; fi',
    "done",
    "for id in $NETDEVSIM; do",
    "  if [ -e /sys/bus/netdevsim/devices/netdevsim$id ]; then",
    '    echo "refusing: netdevsim$id exists" >&2; exit 1',
    "  fi",
    "done",
    "trap teardown EXIT",
    "",
    "# topology",
  ];
  for (const ns of names) out.push(`ip netns add ${nsOf(ns)}`);
  for (const ns of scenario.topology.namespaces) {
    for (const [peer, id] of Object.entries(ns.nsids)) {
      out.push(`${ipIn(ns.name)} netns set ${nsOf(peer)} ${id}`);
    }
  }
  for (const p of scenario.topology.physical) {
    if (p.kind !== "netdevsim") {
      // Real hardware cannot be created: the script expects it moved there under this name.
      out.push(
        `# ${p.name}: a ${p.kind} NIC with ${p.queues} channels must be in ${
          nsOf(p.netns)
        } under this name`,
      );
      places.set(p.name, { netns: p.netns, name: p.name });
      continue;
    }
    const id = nsimIds.get(p.name)!;
    // netdevsim creates its ports in the namespace of the writer (bus.c: initial_net).
    out.push(
      inNetns(p.netns, `sh -c 'echo "${id} 1 ${p.queues}" > /sys/bus/netdevsim/new_device'`),
    );
    out.push(
      `udevadm settle 2>/dev/null; ${ipIn(p.netns)} link set "$(${
        inNetns(p.netns, `ls /sys/bus/netdevsim/devices/netdevsim${id}/net/`)
      })" name ${p.name}`,
    );
    if (p.up) out.push(`${ipIn(p.netns)} link set ${p.name} up`);
    places.set(p.name, { netns: p.netns, name: p.name });
  }
  for (const l of scenario.topology.links) {
    const peerIn = createLink(out, places, ynl, l.netns, l.request, l.name, l.peer?.name);
    if (l.up) out.push(`${ipIn(l.netns)} link set ${l.name} up`);
    if (l.peer) {
      if (peerIn !== l.peer.netns) {
        out.push(`${ipIn(peerIn)} link set ${l.peer.name} netns ${nsOf(l.peer.netns)}`);
      }
      places.set(l.peer.name, { netns: l.peer.netns, name: l.peer.name });
      if (l.peer.up) out.push(`${ipIn(l.peer.netns)} link set ${l.peer.name} up`);
    }
  }
  out.push("", "# steps");
  for (const step of linearize(scenario)) {
    out.push(
      `# step ${step.index}: ${step.op}${step.dump ? " (dump)" : ""} from ${step.netns} — expect ${
        expectation(step)
      }`,
    );
    if (!step.capNetAdmin) {
      out.push("# (run without CAP_NET_ADMIN: e.g. setpriv --bounding-set -net_admin ...)");
    }
    out.push(...guards(scenario, step, created));
    const target = symbolOf(step.request.ifindex as JsonValue);
    if (step.op === "newlink" && step.defines.device !== undefined) {
      createLink(
        out,
        places,
        ynl,
        step.netns,
        step.request,
        step.defines.device,
        step.defines.peer,
      );
    } else if (NETDEV.has(step.op) || RT_LINK.has(step.op) || step.op === "channels-set") {
      out.push(ynlStep(step, places, ynl));
    } else if (step.op === "link-set" && target && places.has(target)) {
      const place = places.get(target)!;
      out.push(`${ipIn(place.netns)} link set ${place.name} ${step.request.up ? "up" : "down"}`);
    } else if (step.op === "netns-move" && target && places.has(target)) {
      const place = places.get(target)!;
      const to = String(step.request.netns);
      out.push(`${ipIn(place.netns)} link set ${place.name} netns ${nsOf(to)}`);
      places.set(target, { ...place, netns: to });
    } else if (step.op === "phys-remove" && target && nsimIds.has(target)) {
      out.push(`echo ${nsimIds.get(target)} > /sys/bus/netdevsim/del_device`);
    } else if (step.op === "netns-delete") {
      const gone = String(step.request.netns ?? "");
      out.push(`ip netns del ${nsOf(gone)}`);
      // The kernel hands the namespace's netdevsim ports to the initial namespace (NS-5,
      // default_device_exit_net): take them back into lc-init under the name they had.
      for (const [symbol, place] of places) {
        const id = nsimIds.get(symbol);
        if (id === undefined || place.netns !== gone) continue;
        out.push(
          `for i in $(seq 100); do d=$(ls /sys/bus/netdevsim/devices/netdevsim${id}/net/ 2>/dev/null); ` +
            `[ -n "$d" ] && break; sleep 0.1; done`,
          `ip link set "$d" netns ${
            nsOf("init")
          } name ${place.name}  # back from the initial namespace`,
        );
        places.set(symbol, { ...place, netns: "init" });
      }
    } else if (step.op === "netns-set-id") {
      const nsid = Number(step.request.nsid);
      out.push(
        `${ipIn(step.netns)} netns set ${nsOf(String(step.request.netns))} ${
          nsid < 0 ? "auto" : nsid
        }`,
      );
    } else if (step.op === "phys-remove" || step.op === "link-set" || step.op === "netns-move") {
      throw new DryRunRefusedError(
        `${scenario.file}: refusing to emit step ${step.index} (${step.op}): ${
          JSON.stringify(step.request.ifindex)
        } is not a device this script creates`,
      );
    } else {
      out.push(
        `# ${step.op} ${
          JSON.stringify(step.request)
        }: done by a program (io_uring, AF_XDP or close), not a command`,
      );
    }
  }
  out.push("", "# teardown: the EXIT trap removes the netdevsim devices and namespaces");
  return out.join("\n") + "\n";
}

/**
 * Creates a link named after its symbol; a pair's peer, when it gets a symbol, is found among
 * the devices that appeared and renamed after its symbol. Returns the peer's namespace.
 */
function createLink(
  out: string[],
  places: Places,
  ynl: string,
  netns: string,
  given: JsonObject,
  symbol: string,
  peerSymbol: string | undefined,
): string {
  const request: JsonObject = "ifname" in given ? given : { ...given, ifname: symbol };
  const name = String(request.ifname);
  const info = request.linkinfo as JsonObject | undefined;
  const data = (info?.data ?? {}) as JsonObject;
  const peerInfo = (data["peer-info"] ?? {}) as JsonObject;
  const peerIn = typeof peerInfo["net-ns"] === "string" ? String(peerInfo["net-ns"]) : netns;
  const findPeer = peerSymbol !== undefined && peerInfo.ifname === undefined;
  if (findPeer) out.push(`before=" $(${inNetns(peerIn, "ls /sys/class/net")} | tr '\\n' ' ') "`);
  if (data["peer-info"] !== undefined) {
    out.push(
      "# peer-info is a binary ifinfomsg plus attributes: the stock ynl CLI cannot encode it",
    );
  }
  out.push(ynlStep({ op: "newlink", netns, dump: false, request } as unknown as Step, places, ynl));
  places.set(symbol, { netns, name });
  if (findPeer) {
    // The kernel names the peer (nk%d): the new device that is not the primary.
    out.push(
      `for d in $(${
        inNetns(peerIn, "ls /sys/class/net")
      }); do case "$before" in *" $d "*) ;; *) [ "$d" = ${name} ] || peer=$d ;; esac; done`,
      `${ipIn(peerIn)} link set "$peer" name ${peerSymbol}`,
    );
  }
  if (peerSymbol !== undefined) {
    places.set(peerSymbol, { netns: peerIn, name: String(peerInfo.ifname ?? peerSymbol) });
  }
  return peerIn;
}

function expectation(step: Step): string {
  const e = step.expect;
  if (e.kind === "error") {
    return `error ${e.errno} (${e.code})${e.extack ? ` "${e.extack}"` : ""}${
      e.badAttr ? ` bad-attr ${e.badAttr}` : ""
    }`;
  }
  if (e.kind === "reply") {
    return `reply ${JSON.stringify(e.reply)}${e.match === "subset" ? " (subset)" : ""}`;
  }
  return "success";
}
