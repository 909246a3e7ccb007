/**
 * A small, independent implementation of rx-queue leasing that speaks leasecheck's JSON-lines
 * protocol (`scenarios/PROTOCOL.md`): it shares no code with `model/`, implements only
 * `queue-create` and `queue-get` with a subset of the kernel's checks, and exists to prove the
 * protocol end to end — certification shows exactly where it falls short.
 *
 * Run: `deno run examples/toy_impl.ts`. Failure modes for testing the certifier (OP is an
 * operation, or a request type: `hello`, `setup`, `teardown`):
 *
 * - `--hang-on=OP`, `--crash-on=OP`, `--garbage-on=OP`: never answer, exit with code 3 (after a
 *   line on stderr), or answer a line that is not JSON;
 * - `--stray-line-at=N`: print one line that is not JSON on stdout before the Nth reply of the
 *   process (hello is the first), as a stray debug print would;
 * - `--protocol=VERSION`: claim another protocol version;
 * - `--ops=LIST`: declare these operations (comma-separated; empty: none) instead of
 *   `queue-create,queue-get`;
 * - `--unsupported-setup`: answer "unsupported" to every setup;
 * - `--schedule`: speak the schedule mode (`start`, `advance`, `finish`): a queue-create stops
 *   once, at point `virt-locked`; `--hang-on=finish` then never answers a finish;
 * - `--lock=FILE`: refuse to start (exit 1, a line on stderr) when FILE exists, else create it
 *   and never remove it: an implementation that cannot be started a second time (needs
 *   `--allow-read` and `--allow-write` for FILE).
 *
 * @module
 */

/**
 * A UTF-8 decoding stream, typed for byte streams (the DOM library of the report viewer, checked
 * in the same program by `deno test --doc`, types `TextDecoderStream`'s input as `BufferSource`).
 */
function utf8Decoder(): TransformStream<Uint8Array, string> {
  return new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

interface Queue {
  lease?: { dev: Device; queue: number };
}
interface Device {
  name: string;
  netns: string;
  ifindex: number;
  physical: boolean;
  netkit: boolean;
  up: boolean;
  queues: Queue[];
  realRx: number;
  numRx: number;
}

const flags: Record<string, string> = Object.fromEntries(
  Deno.args.filter((a) => a.startsWith("--")).map((a) => {
    const eq = a.indexOf("=");
    return eq < 0 ? [a.slice(2), "true"] : [a.slice(2, eq), a.slice(eq + 1)];
  }),
);

if (flags.lock !== undefined) {
  try {
    await Deno.writeTextFile(flags.lock, `${Deno.pid}\n`, { createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    console.error(`toy: ${flags.lock} exists: another instance holds the lock`);
    Deno.exit(1);
  }
}

let devices: Device[] = [];
let nsids = new Map<string, Map<string, number>>(); // netns -> peer -> id
const nextIfindex = new Map<string, number>();

function err(errno: string, code: number, extra: Obj = {}): Obj {
  return { kind: "error", errno, code, ...extra };
}

function allocIfindex(netns: string): number {
  const n = nextIfindex.get(netns) ?? 2; // 1 is lo
  nextIfindex.set(netns, n + 1);
  return n;
}

function setup(topology: Obj): Obj {
  if (flags["unsupported-setup"] !== undefined) {
    return { type: "unsupported", reason: "the toy was asked to support no topology" };
  }
  devices = [];
  nsids = new Map();
  nextIfindex.clear();
  for (const ns of topology.namespaces as Obj[]) {
    nsids.set(
      ns.name as string,
      new Map(Object.entries((ns.nsids ?? {}) as Record<string, number>)),
    );
    devices.push(device("lo", ns.name as string, false, 1, 1, 1));
  }
  for (const p of topology.physical as Obj[]) {
    if (p.kind !== "netdevsim") return { type: "unsupported", reason: `physical kind ${p.kind}` };
    const q = p.queues as number;
    devices.push(
      device(p.name as string, p.netns as string, true, q, q, allocIfindex(p.netns as string)),
    );
  }
  for (const l of topology.links as Obj[]) {
    const request = l.request as Obj;
    const info = request.linkinfo as Obj | undefined;
    if (info?.kind !== "netkit") return { type: "unsupported", reason: "only netkit links" };
    const num = (request["num-rx-queues"] as number | undefined) ?? 1;
    const netns = l.netns as string;
    devices.push({
      ...device(l.name as string, netns, false, num, 1, allocIfindex(netns)),
      netkit: true,
    });
    const peer = l.peer as Obj | undefined;
    if (peer) {
      const pns = peer.netns as string;
      devices.push({
        ...device(peer.name as string, pns, false, num, 1, allocIfindex(pns)),
        netkit: true,
      });
    }
  }
  return { type: "setup", symbols: symbols() };
}

function device(
  name: string,
  netns: string,
  physical: boolean,
  num: number,
  real: number,
  ifindex: number,
): Device {
  return {
    name,
    netns,
    ifindex,
    physical,
    netkit: false,
    up: true,
    queues: Array.from({ length: num }, () => ({})),
    realRx: real,
    numRx: num,
  };
}

function symbols(): Obj {
  return Object.fromEntries(
    devices.filter((d) => d.name !== "lo").map((
      d,
    ) => [d.name, { kind: "device", ifindex: d.ifindex, netns: d.netns }]),
  );
}

function find(netns: string, ifindex: unknown): Device | undefined {
  return devices.find((d) => d.netns === netns && d.ifindex === ifindex);
}

function queueCreate(netns: string, r: Obj): Obj {
  for (const a of ["ifindex", "type", "lease"]) {
    if (r[a] === undefined) return err("EINVAL", -22, { "miss-type": a });
  }
  if (r.type !== "rx") return err("EINVAL", -22, { "bad-attr": ".type" });
  const lease = r.lease as Obj;
  const queue = lease.queue as Obj;
  const virt = find(netns, r.ifindex);
  if (!virt) return err("ENODEV", -19);
  if (virt.physical) return err("EINVAL", -22, { extack: "Device is not a virtual device" });
  if (!virt.netkit) return err("EINVAL", -22, { extack: "Device does not support queue creation" });
  let target = netns;
  if (lease["netns-id"] !== undefined) {
    const named = [...(nsids.get(netns) ?? [])].find(([, id]) => id === lease["netns-id"]);
    if (!named) return err("ENONET", -64);
    target = named[0];
  }
  const phys = find(target, lease.ifindex);
  if (!phys) return err("ENODEV", -19);
  if (!phys.physical) return err("EINVAL", -22, { extack: "Lease device is a virtual device" });
  const id = queue.id as number;
  if (id >= phys.realRx) return err("ERANGE", -34, { "bad-attr": ".lease.queue.id" });
  if (phys.queues[id].lease) {
    return err("EBUSY", -16, { extack: "Device queue in use due to queue leasing" });
  }
  if (virt.realRx >= virt.numRx) return err("EINVAL", -22); // the toy does not know netkit's message
  const mine = virt.realRx++;
  virt.queues[mine].lease = { dev: phys, queue: id };
  phys.queues[id].lease = { dev: virt, queue: mine };
  return { kind: "reply", reply: { id: mine } };
}

function queueInfo(d: Device, id: number): Obj {
  const out: Obj = { id, type: "rx", ifindex: d.ifindex };
  const lease = d.queues[id].lease;
  if (d.physical && lease) {
    out.lease = { ifindex: lease.dev.ifindex, queue: { id: lease.queue, type: "rx" } };
    if (lease.dev.netns !== d.netns) {
      (out.lease as Obj)["netns-id"] = peerId(d.netns, lease.dev.netns);
    }
  }
  return out;
}

/** The id `netns` uses for `peer`, allocating the lowest free one on demand (peernet2id_alloc). */
function peerId(netns: string, peer: string): number {
  const table = nsids.get(netns) ?? new Map<string, number>();
  nsids.set(netns, table);
  let id = table.get(peer);
  if (id === undefined) {
    const used = new Set(table.values());
    for (id = 0; used.has(id); id++);
    table.set(peer, id);
  }
  return id;
}

function queueGet(netns: string, r: Obj, dump: boolean): Obj {
  if (dump) {
    const list = devices.filter((d) =>
      d.netns === netns && d.up && (r.ifindex === undefined || d.ifindex === r.ifindex)
    )
      .flatMap((d) => d.queues.slice(0, d.realRx).map((_, i) => queueInfo(d, i)));
    return { kind: "reply", reply: list };
  }
  const d = find(netns, r.ifindex);
  if (!d) return err("ENODEV", -19);
  if (!d.up) return err("ENOENT", -2);
  if (typeof r.id !== "number" || r.id >= d.realRx) return err("EINVAL", -22);
  return { kind: "reply", reply: queueInfo(d, r.id) };
}

function apply(step: Obj): Obj {
  const netns = step.netns as string;
  const request = step.request as Obj;
  const outcome = step.op === "queue-create"
    ? queueCreate(netns, request)
    : step.op === "queue-get"
    ? queueGet(netns, request, step.dump === true)
    : { kind: "unsupported", reason: `the toy implementation has no ${step.op}` };
  return { type: "outcome", outcome, symbols: symbols() };
}

/** Schedule mode: the queue-create each thread has in flight. */
const inFlight = new Map<string, Obj>();

function handle(message: Obj): Obj {
  switch (message.type) {
    case "hello":
      return {
        type: "hello",
        name: "toy",
        protocol: flags.protocol ?? "leasecheck/1",
        info: { version: "0.1", language: "TypeScript" },
        ops: flags.ops === undefined
          ? ["queue-create", "queue-get"]
          : flags.ops.split(",").filter(Boolean),
        schedule: flags.schedule === "true",
      };
    case "start": {
      // Schedule mode (--schedule): queue-create stops once, at "virt-locked" (it holds the
      // netkit); every other operation completes at once.
      const step = message.step as Obj;
      if (step.op !== "queue-create") return apply(step);
      inFlight.set(String(message.thread), step);
      return { type: "point", at: "virt-locked" };
    }
    case "advance":
    case "finish": {
      const step = inFlight.get(String(message.thread));
      if (step === undefined) {
        return { type: "error", message: `thread ${String(message.thread)} has nothing in flight` };
      }
      inFlight.delete(String(message.thread));
      return apply(step);
    }
    case "setup":
      return setup(message.topology as Obj);
    case "apply":
      return apply(message.step as Obj);
    case "teardown":
      devices = [];
      return { type: "teardown" };
    default:
      return { type: "error", message: `unknown request type ${JSON.stringify(message.type)}` };
  }
}

const encoder = new TextEncoder();
let replies = 0;
let buffer = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(utf8Decoder())) {
  buffer += chunk;
  let nl: number;
  while ((nl = buffer.indexOf("\n")) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!line.trim()) continue;
    const message = JSON.parse(line) as Obj;
    const op = message.type === "apply" ? String((message.step as Obj).op) : String(message.type);
    if (flags["hang-on"] === op) await new Promise(() => setInterval(() => {}, 1000));
    if (flags["crash-on"] === op) {
      console.error(`toy: crashing on ${op} as asked`);
      Deno.exit(3);
    }
    const reply = flags["garbage-on"] === op ? "this is not JSON" : JSON.stringify(handle(message));
    if (++replies === Number(flags["stray-line-at"])) {
      await Deno.stdout.write(encoder.encode(`toy: debug: about to answer ${op}\n`));
    }
    await Deno.stdout.write(encoder.encode(reply + "\n"));
  }
}
