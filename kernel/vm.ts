/**
 * The certification VM: boots a kernel under qemu (TCG), starts the guest agent (`agent.py`)
 * through the initramfs's `lc.cmd=` and talks to it over a virtio-serial port exposed as a unix
 * socket. Every request has a watchdog, the whole run can have one, and qemu is always killed:
 * on {@linkcode KernelVm.close}, on a watchdog, on SIGINT/SIGTERM/SIGHUP and at process exit.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { AgentClosedError, type AgentReply, JsonLinesClient } from "./jsonl.ts";

/** Where a kernel build lives. */
export interface KernelPaths {
  /** The bzImage. */
  readonly kernel: string;
  /** The initramfs (from `kernel/prepare.sh`). */
  readonly initramfs: string;
  /** The kernel source tree, for the ynl library and specs the agent uses. */
  readonly src: string;
}

/** Options of {@linkcode KernelVm.boot}. */
export interface VmOptions {
  /** bzImage to boot (default: the newest build in the `kernel/prepare.sh` cache). */
  readonly kernel?: string;
  /** Initramfs (default: the one next to the cached kernel). */
  readonly initramfs?: string;
  /** Kernel source tree with tools/net/ynl (default: the cached source of the same build). */
  readonly src?: string;
  /** Cache directory of `kernel/prepare.sh` (default `$LEASECHECK_CACHE` or /var/cache/leasecheck). */
  readonly cache?: string;
  /** qemu binary (default `qemu-system-x86_64`). */
  readonly qemu?: string;
  /** Guest memory in MiB (default 2048). */
  readonly memoryMiB?: number;
  /** Guest CPUs (default 2). */
  readonly cpus?: number;
  /** Watchdog of one request, in ms (default 30 000). */
  readonly stepTimeoutMs?: number;
  /** Time allowed from qemu start to the agent's first reply, in ms (default 180 000). */
  readonly bootTimeoutMs?: number;
  /**
   * Extra arguments of the guest agent (tests: `--share-root-netns`, `--test-fixtures`); each
   * of letters, digits and dashes.
   */
  readonly agentArgs?: readonly string[];
  /** Watchdog of the whole VM lifetime, in ms (default: none). */
  readonly runTimeoutMs?: number;
  /**
   * Replaces the qemu command (tests): receives the socket path the process must listen on and
   * the results directory, returns the command and its arguments.
   */
  readonly command?: (socket: string, results: string) => readonly string[];
}

/** The VM could not be started or died. */
export class VmError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK210";

  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "VmError";
  }
}

/** What the agent says about itself (`hello`). */
export interface AgentHello {
  /** Kernel release (`uname -r`). */
  readonly release: string;
  /** Operations the agent runs. */
  readonly ops: readonly string[];
  /** Operations it answers with `unsupported`, and why. */
  readonly unsupported: Readonly<Record<string, string>>;
  /** Seconds the agent took to start in the guest. */
  readonly start?: number;
}

function defaultCache(): string {
  return Deno.env.get("LEASECHECK_CACHE") ?? "/var/cache/leasecheck";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The newest kernel build of the `kernel/prepare.sh` cache that has a bzImage, an initramfs and
 * its source tree, or null.
 *
 * @example Usage
 * ```ts
 * import { findKernel } from "./vm.ts";
 * import assert from "node:assert/strict";
 * const k = await findKernel("/nonexistent");
 * assert.equal(k, null);
 * ```
 */
export async function findKernel(cache: string = defaultCache()): Promise<KernelPaths | null> {
  const found: { paths: KernelPaths; mtime: number }[] = [];
  try {
    for await (const e of Deno.readDir(`${cache}/kernel`)) {
      if (!e.isDirectory) continue;
      const dir = `${cache}/kernel/${e.name}`;
      const paths = {
        kernel: `${dir}/bzImage`,
        initramfs: `${dir}/initramfs.cpio.gz`,
        src: `${cache}/src/${e.name}`,
      };
      if (!(await exists(paths.kernel)) || !(await exists(paths.initramfs))) continue;
      if (!(await exists(`${paths.src}/tools/net/ynl/pyynl/lib/ynl.py`))) continue;
      found.push({ paths, mtime: (await Deno.stat(paths.kernel)).mtime?.getTime() ?? 0 });
    }
  } catch {
    return null;
  }
  found.sort((a, b) => b.mtime - a.mtime);
  return found[0]?.paths ?? null;
}

/** A started qemu: how to kill it and remove its directory synchronously (signals, exit). */
interface Running {
  readonly kill: () => void;
  readonly dir: string;
}

const live = new Set<Running>();
const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const killAll = (): void => {
  for (const r of live) {
    r.kill();
    try {
      Deno.removeSync(r.dir, { recursive: true });
    } catch {
      // already removed
    }
  }
};
const onSignal = (): void => {
  killAll();
  Deno.exit(130);
};

function register(r: Running): void {
  if (live.size === 0) {
    for (const s of SIGNALS) Deno.addSignalListener(s, onSignal);
    globalThis.addEventListener("unload", killAll);
  }
  live.add(r);
}

function unregister(r: Running): void {
  if (!live.delete(r) || live.size > 0) return;
  for (const s of SIGNALS) Deno.removeSignalListener(s, onSignal);
  globalThis.removeEventListener("unload", killAll);
}

/** Keeps the last `limit` characters of a stream. */
class Tail {
  #text = "";
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>, readonly limit = 16384) {
    this.done = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream) {
          this.#text = (this.#text + decoder.decode(chunk, { stream: true })).slice(-this.limit);
        }
      } catch {
        // the process died
      }
    })();
  }

  get text(): string {
    return this.#text;
  }
}

function guestPath(path: string, what: string): string {
  if (!/^\/[A-Za-z0-9._\/+-]+$/.test(path)) {
    throw new VmError(
      `Cannot pass ${what} ${JSON.stringify(path)} to the guest: use a path ` +
        "of letters, digits and ._/+- only",
    );
  }
  return path;
}

/**
 * A running VM with its agent. Create with {@linkcode KernelVm.boot}; always {@linkcode close}.
 *
 * @example Usage
 * ```ts ignore
 * import { KernelVm } from "./vm.ts";
 * const vm = await KernelVm.boot();
 * try {
 *   console.log(vm.hello.release, vm.bootSeconds);
 * } finally {
 *   await vm.close();
 * }
 * ```
 */
export class KernelVm {
  /** What the agent reported at boot. */
  readonly hello: AgentHello;
  /** Seconds from qemu start to the agent's first reply. */
  readonly bootSeconds: number;
  /** The kernel, initramfs and source used. */
  readonly paths: KernelPaths;
  readonly #child: Deno.ChildProcess;
  readonly #client: JsonLinesClient;
  readonly #conn: Deno.UnixConn;
  readonly #dir: string;
  readonly #console: Tail;
  readonly #stderr: Tail;
  readonly #stepTimeoutMs: number;
  readonly #status: Promise<Deno.CommandStatus>;
  readonly #running: Running;
  #runTimer: ReturnType<typeof setTimeout> | undefined;
  #killed: string | null = null;
  #exited = false;

  private constructor(init: {
    child: Deno.ChildProcess;
    client: JsonLinesClient;
    conn: Deno.UnixConn;
    dir: string;
    console: Tail;
    stderr: Tail;
    status: Promise<Deno.CommandStatus>;
    hello: AgentHello;
    bootSeconds: number;
    paths: KernelPaths;
    stepTimeoutMs: number;
    running: Running;
  }) {
    this.#child = init.child;
    this.#client = init.client;
    this.#conn = init.conn;
    this.#dir = init.dir;
    this.#console = init.console;
    this.#stderr = init.stderr;
    this.#status = init.status;
    this.hello = init.hello;
    this.bootSeconds = init.bootSeconds;
    this.paths = init.paths;
    this.#stepTimeoutMs = init.stepTimeoutMs;
    this.#running = init.running;
  }

  /** Boots qemu, connects to the agent and waits for its `hello`. Kills qemu on any failure. */
  static async boot(options: VmOptions = {}): Promise<KernelVm> {
    const cached = options.command === undefined &&
        (options.kernel === undefined || options.initramfs === undefined ||
          options.src === undefined)
      ? await findKernel(options.cache)
      : null;
    const paths: KernelPaths = {
      kernel: options.kernel ?? cached?.kernel ?? "",
      initramfs: options.initramfs ?? cached?.initramfs ?? "",
      src: options.src ?? cached?.src ?? "",
    };
    if (options.command === undefined) {
      for (const [what, path] of Object.entries(paths)) {
        if (path === "") {
          throw new VmError(
            `Cannot find a ${what}: run kernel/prepare.sh or pass it explicitly`,
          );
        }
        if (!(await exists(path))) throw new VmError(`Cannot find the ${what} ${path}`);
      }
    }
    const stepTimeoutMs = options.stepTimeoutMs ?? 30_000;
    const bootTimeoutMs = options.bootTimeoutMs ?? 180_000;
    const dir = await Deno.makeTempDir({ prefix: "leasecheck-vm-" });
    const results = `${dir}/results`;
    await Deno.mkdir(results);
    await Deno.copyFile(
      fileURLToPath(new URL("./agent.py", import.meta.url)),
      `${results}/agent.py`,
    );
    // The agent reads the operation catalogue beside itself (spec/operations.json).
    await Deno.copyFile(
      fileURLToPath(new URL("../spec/operations.json", import.meta.url)),
      `${results}/operations.json`,
    );
    const socket = `${dir}/agent.sock`;
    let argv: readonly string[];
    try {
      argv = options.command?.(socket, results) ?? qemuArgs(options, paths, socket, results);
    } catch (e) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw e;
    }
    const started = performance.now();
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw new VmError(`Cannot start ${argv[0]}: ${e instanceof Error ? e.message : e}`);
    }
    const running: Running = {
      kill: () => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already exited
        }
      },
      dir,
    };
    register(running);
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    const consoleTail = new Tail(child.stdout);
    const stderrTail = new Tail(child.stderr);
    const cleanup = async (why: string): Promise<never> => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await status;
      await Promise.all([consoleTail.done, stderrTail.done]);
      const log = await Deno.readTextFile(`${results}/guest.log`).catch(() => "");
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      unregister(running);
      throw new VmError(
        `${why}` + (stderrTail.text.trim() ? `\n--- qemu stderr ---\n${stderrTail.text}` : "") +
          (log.trim() ? `\n--- guest log ---\n${log.slice(-4000)}` : "") +
          (consoleTail.text.trim() ? `\n--- console ---\n${consoleTail.text.slice(-4000)}` : ""),
      );
    };
    // Connect once qemu listens.
    let conn: Deno.UnixConn | undefined;
    const deadline = started + bootTimeoutMs;
    while (conn === undefined) {
      if (exited) return await cleanup("qemu exited before the agent channel opened");
      if (performance.now() > deadline) {
        return await cleanup(`the agent channel did not open within ${bootTimeoutMs / 1000} s`);
      }
      try {
        conn = await Deno.connect({ transport: "unix", path: socket });
      } catch (error) {
        // Not listening yet (NotFound, ConnectionRefused): retry. A permission problem never heals.
        if (
          error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
        ) {
          return await cleanup(`cannot connect to the agent socket ${socket}: ${error.message}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const ref: { vm?: KernelVm } = {};
    const client = new JsonLinesClient(conn.readable, conn.writable, {
      onTimeout: (cmd, ms) => ref.vm?.kill(`watchdog: ${cmd} got no reply within ${ms / 1000} s`),
    });
    let hello: AgentHello;
    try {
      const remaining = Math.max(1000, deadline - performance.now());
      const reply = await Promise.race([
        client.request("hello", {}, remaining),
        status.then(() => {
          throw new AgentClosedError("qemu exited during boot");
        }),
      ]);
      hello = reply.result as AgentHello;
    } catch (e) {
      await client.close();
      try {
        conn.close();
      } catch {
        // closed by the client
      }
      return await cleanup(`the agent did not start: ${e instanceof Error ? e.message : e}`);
    }
    const vm = new KernelVm({
      child,
      client,
      conn,
      dir,
      console: consoleTail,
      stderr: stderrTail,
      status,
      hello,
      bootSeconds: (performance.now() - started) / 1000,
      paths,
      stepTimeoutMs,
      running,
    });
    ref.vm = vm;
    if (options.runTimeoutMs !== undefined) {
      vm.#runTimer = setTimeout(
        () => vm.kill(`run watchdog: the VM ran longer than ${options.runTimeoutMs! / 1000} s`),
        options.runTimeoutMs,
      );
    }
    status.then(() => {
      vm.#exited = true;
    });
    return vm;
  }

  /** Why the VM was killed, or null while it runs normally. */
  get killed(): string | null {
    return this.#killed;
  }

  /** True while qemu runs and the channel is open. */
  get alive(): boolean {
    return !this.#exited && this.#killed === null && !this.#client.closed;
  }

  /**
   * Sends a command to the agent with the step watchdog (or `timeoutMs`). When the watchdog
   * fires the VM is killed and the request rejects with `AgentTimeoutError`.
   */
  async request(
    cmd: string,
    payload: Record<string, unknown> = {},
    timeoutMs: number = this.#stepTimeoutMs,
  ): Promise<AgentReply> {
    if (this.#killed !== null) throw new VmError(`The VM was killed (${this.#killed})`);
    try {
      return await this.#client.request(cmd, payload, timeoutMs);
    } catch (e) {
      if (e instanceof AgentClosedError && this.#killed !== null) {
        throw new VmError(`The VM was killed (${this.#killed}) during ${cmd}`);
      }
      throw e;
    }
  }

  /** Kills qemu at once (synchronous; safe to call repeatedly). */
  kill(reason: string): void {
    if (this.#killed === null) this.#killed = reason;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }

  /** The guest log (agent stderr) and the tail of the console, for diagnostics. */
  async diagnostics(): Promise<string> {
    const log = await Deno.readTextFile(`${this.#dir}/results/guest.log`).catch(() => "");
    return `--- guest log ---\n${log.slice(-4000)}\n--- console ---\n` +
      `${this.#console.text.slice(-4000)}\n--- qemu stderr ---\n${this.#stderr.text}`;
  }

  /**
   * Asks the agent to exit (the guest then powers off), waits a little, then kills qemu if it
   * still runs, and removes the temporary directory. Never throws; always leaves nothing running.
   */
  async close(): Promise<void> {
    clearTimeout(this.#runTimer);
    try {
      if (this.alive) {
        await this.#client.request("exit", {}, 5000).catch(() => {});
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          this.#status,
          new Promise((r) => timer = setTimeout(r, 10_000)),
        ]);
        clearTimeout(timer);
      }
    } finally {
      this.kill(this.#killed ?? "closed");
      await this.#client.close();
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
      await this.#status;
      await Promise.all([this.#console.done, this.#stderr.done]);
      await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
      unregister(this.#running);
    }
  }
}

function qemuArgs(
  options: VmOptions,
  paths: KernelPaths,
  socket: string,
  results: string,
): string[] {
  // The agent travels in the results share (mounted at /run/lc in the guest's chroot): the
  // repository itself may sit where the guest cannot see it (under /tmp, a tmpfs there).
  const agent = "/run/lc/agent.py";
  const src = guestPath(paths.src, "the source tree");
  const extra = (options.agentArgs ?? []).map((a) => {
    if (!/^[A-Za-z0-9-]+$/.test(a)) throw new VmError(`Cannot pass agent argument ${a}`);
    return ` ${a}`;
  }).join("");
  const cmd = `exec /usr/bin/python3 -u ${agent} --src ${src}${extra}`.replaceAll(" ", "%20");
  return [
    options.qemu ?? "qemu-system-x86_64",
    ...["-accel", "tcg", "-cpu", "max", "-m", String(options.memoryMiB ?? 2048)],
    ...["-smp", String(options.cpus ?? 2), "-nographic", "-no-reboot", "-nic", "none"],
    ...["-kernel", paths.kernel, "-initrd", paths.initramfs],
    ...["-append", `console=ttyS0 quiet panic=-1 lc.cmd=${cmd}`],
    "-virtfs",
    "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
    "-virtfs",
    `local,path=${results},mount_tag=results,security_model=none`,
    ...["-device", "virtio-serial-pci"],
    ...["-chardev", `socket,id=lc,path=${socket},server=on,wait=off`],
    ...["-device", "virtserialport,chardev=lc,name=lc.agent"],
  ];
}
