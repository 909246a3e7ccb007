/**
 * The `kernel` implementation: the same guest agent (`agent.py`), run directly on the user's own
 * Linux 7.1+ host as root over stdin/stdout. Every namespace of a scenario, `init` included, is
 * one the agent creates for it, and the agent refuses any step that names a device, namespace or
 * netdevsim device the scenario did not create (`OwnershipRefusedError`), so existing devices are
 * never touched; the VM-only test modes (`--share-root-netns`, `--test-fixtures`) are refused
 * over stdin/stdout. {@link hostPrerequisites} says why a host cannot be certified (certify then
 * exits 4, kselftest's skip).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { AgentClosedError, type AgentReply, JsonLinesClient } from "./jsonl.ts";
import { findKernel } from "./vm.ts";
import type { AgentHello } from "./vm.ts";

/** What a host needs; each unmet item is one line of the skip reason. */
export interface HostCheck {
  /** Unmet prerequisites, in words (empty when the host can be certified). */
  readonly problems: readonly string[];
  /** The kernel release. */
  readonly release: string;
}

/** A command's trimmed stdout, or "" when it fails (Deno guards /proc and Deno.osRelease). */
export async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return r.success ? new TextDecoder().decode(r.stdout).trim() : "";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

async function run(cmd: string, args: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output();
    return r.success;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Deno guards /sys and /proc behind --allow-all: ask the shell instead. */
function exists(path: string): Promise<boolean> {
  return run("test", ["-e", path]);
}

/**
 * Checks the host: root, a 7.1+ kernel (queue-create), netdevsim and netkit (loading the modules
 * if needed), python3 with the ynl library's modules, and a kernel source tree for ynl.
 */
export async function hostPrerequisites(src?: string): Promise<HostCheck> {
  const problems: string[] = [];
  const release = await commandOutput("uname", ["-r"]);
  const [major, minor] = release.split(/[.-]/).map(Number);
  if (!(major > 7 || (major === 7 && minor >= 1))) {
    problems.push(`kernel ${release} is older than 7.1, which added queue-create`);
  }
  if ((await commandOutput("id", ["-u"])) !== "0") {
    problems.push("not running as root (namespaces, netdevsim and netlink need it)");
  }
  if (!(await exists("/sys/bus/netdevsim")) && !(await run("modprobe", ["netdevsim"]))) {
    problems.push("netdevsim is not available (CONFIG_NETDEVSIM, modprobe netdevsim)");
  }
  // Built in (=y) netkit has no module to load and may have no /sys/module entry: its symbols say.
  const netkit = (await exists("/sys/module/netkit")) || (await run("modprobe", ["netkit"])) ||
    (await run("grep", ["-q", "netkit_new_link", "/proc/kallsyms"]));
  if (!netkit) {
    problems.push("netkit is not available (CONFIG_NETKIT, modprobe netkit)");
  }
  if (!(await run("/usr/bin/python3", ["-c", "import yaml, jsonschema"]))) {
    problems.push(
      "/usr/bin/python3 lacks the yaml and jsonschema modules (Debian python3-yaml, python3-jsonschema)",
    );
  }
  if (src === undefined && (await findKernel()) === null) {
    problems.push("no kernel source tree for ynl: pass --src or run `deno task kernel:prepare`");
  }
  return { problems, release };
}

/** The agent running on the host, with the surface the kernel adapter uses. */
export class HostAgent {
  /** What the agent said at start. */
  readonly hello: AgentHello;
  /** Seconds until the agent answered. */
  readonly bootSeconds: number;
  readonly #child: Deno.ChildProcess;
  readonly #client: JsonLinesClient;
  readonly #stepTimeoutMs: number;
  #stderr = "";
  #killed: string | null = null;

  private constructor(
    child: Deno.ChildProcess,
    client: JsonLinesClient,
    hello: AgentHello,
    bootSeconds: number,
    stepTimeoutMs: number,
  ) {
    this.#child = child;
    this.#client = client;
    this.hello = hello;
    this.bootSeconds = bootSeconds;
    this.#stepTimeoutMs = stepTimeoutMs;
  }

  /** Starts `agent.py --stdio` with the kernel tree `src` and waits for its hello. */
  static async start(src: string, stepTimeoutMs = 30_000): Promise<HostAgent> {
    const started = performance.now();
    const agent = fileURLToPath(new URL("./agent.py", import.meta.url));
    const child = new Deno.Command("/usr/bin/python3", {
      args: [
        "-u",
        agent,
        "--stdio",
        "--src",
        src,
        "--catalogue",
        fileURLToPath(new URL("../spec/operations.json", import.meta.url)),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const ref: { agent?: HostAgent } = {};
    const client = new JsonLinesClient(child.stdout, child.stdin, {
      onTimeout: (cmd, ms) =>
        ref.agent?.kill(`watchdog: ${cmd} got no reply within ${ms / 1000} s`),
    });
    const stderr = new Response(child.stderr).text();
    try {
      const reply = await client.request("hello", {}, 60_000);
      const host = new HostAgent(
        child,
        client,
        reply.result as AgentHello,
        (performance.now() - started) / 1000,
        stepTimeoutMs,
      );
      ref.agent = host;
      stderr.then((text) => (host.#stderr = text));
      return host;
    } catch (error) {
      try {
        child.kill("SIGKILL");
      } catch (e) {
        if (!(e instanceof TypeError)) throw e; // already exited
      }
      await client.close();
      await child.status;
      throw new Error(
        `The agent did not start: ${error instanceof Error ? error.message : error}\n${
          (await stderr).slice(-2000)
        }`,
      );
    }
  }

  /** Why the agent was killed, or null. */
  get killed(): string | null {
    return this.#killed;
  }

  /** True while the agent runs. */
  get alive(): boolean {
    return this.#killed === null && !this.#client.closed;
  }

  /** Sends a command with the step watchdog (or `timeoutMs`). */
  async request(
    cmd: string,
    payload: Record<string, unknown> = {},
    timeoutMs?: number,
  ): Promise<AgentReply> {
    if (this.#killed !== null) throw new AgentClosedError(`The agent was killed (${this.#killed})`);
    return await this.#client.request(cmd, payload, timeoutMs ?? this.#stepTimeoutMs);
  }

  /** Kills the agent at once. */
  kill(reason: string): void {
    if (this.#killed === null) this.#killed = reason;
    try {
      this.#child.kill("SIGKILL");
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // already exited
    }
  }

  /** The agent's stderr, for diagnostics. */
  diagnostics(): Promise<string> {
    return Promise.resolve(`--- agent stderr ---\n${this.#stderr.slice(-4000)}`);
  }

  /** Asks the agent to exit, then kills it if it lingers. Never throws. */
  async close(): Promise<void> {
    if (this.alive) {
      await this.#client.request("exit", {}, 5000).catch(() => {}); // it may already be gone
    }
    this.kill(this.#killed ?? "closed");
    await this.#client.close();
    await this.#child.status;
  }
}
