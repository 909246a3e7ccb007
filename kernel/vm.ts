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
  /** Whether the agent can read the kernel log (`/dev/kmsg`) to report splats at teardown. */
  readonly kernel_log?: boolean;
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

/** One cached build of `kernel/prepare.sh` (a folder `$LEASECHECK_CACHE/kernel/KEY`). */
export interface KernelBuild {
  /** The cache key: the folder's name (`linux-source-7.3-7.3.4-1_bpo13+1`, `tree-v7.2-…`). */
  readonly key: string;
  /** The folder. */
  readonly dir: string;
  /** What to boot, and the tree the guest agent takes its ynl library from. */
  readonly paths: KernelPaths;
  /** A Debian `linux-source` package, or a developer's tree (`prepare.sh --tree`). */
  readonly origin: "debian" | "tree";
  /** The series (`7.3`). */
  readonly series: string;
  /** The Debian version (`7.3.4-1~bpo13+1`), or a tree's `git describe` (else its Makefile version). */
  readonly version: string;
  /** `uname -r` of the built kernel, when recorded. */
  readonly release?: string;
  /** The Debian suite the source came from. */
  readonly suite?: string;
  /** The developer's tree it was built from. */
  readonly tree?: string;
  /** How a tree's key was made: `git` (describe + dirty hash) or `content` (hash of every file). */
  readonly keySource?: string;
  /** Seconds `make bzImage` took, when measured. */
  readonly buildSeconds?: number;
  /** When it was built (ISO 8601), when recorded. */
  readonly built?: string;
  /**
   * A debug build (`kernel/prepare.sh --debug`, key `KEY-debug`): lockdep, DEBUG_NET, KASAN and
   * debugobjects on top of the certification configuration. Never a default nor a series'
   * newest build: chosen by `--debug-kernel` ({@linkcode debugVariants}), its key or its folder.
   */
  readonly debug?: boolean;
}

/** A kernel choice names no build, or is malformed. */
export class KernelSelectionError extends Error {
  /** Stable error code. */
  readonly code: string = "LCK211";
  /** True when the choice is well-formed but names nothing built (run `prepare.sh`). */
  readonly notBuilt: boolean;

  /** Creates the error. */
  constructor(message: string, notBuilt = false) {
    super(message);
    this.name = "KernelSelectionError";
    this.notBuilt = notBuilt;
  }
}

/**
 * Parses `build.info` (`key=value` lines, as `kernel/prepare.sh` writes them).
 *
 * @example Usage
 * ```ts
 * import { parseBuildInfo } from "./vm.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseBuildInfo("origin=debian\nversion=7.3.4-1~bpo13+1\n\n"), {
 *   origin: "debian",
 *   version: "7.3.4-1~bpo13+1",
 * });
 * ```
 */
export function parseBuildInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** dpkg's weight of a character of a version: `~` first, then the end and digits, letters, others. */
function weight(c: string | undefined): number {
  if (c === undefined || isDigit(c)) return 0;
  if (c === "~") return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit and digit runs. */
function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = weight(a[i]) - weight(b[j]);
      if (d !== 0) return d;
      i++;
      j++;
    }
    while (a[i] === "0") i++;
    while (b[j] === "0") j++;
    let first = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (first === 0) first = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (first !== 0) return first;
  }
  return 0;
}

/**
 * Compares two Debian versions as `dpkg --compare-versions` does (epoch, upstream, revision;
 * `~` sorts before everything, even the end): negative, zero or positive.
 *
 * @example Usage
 * ```ts
 * import { compareDebianVersions } from "./vm.ts";
 * import assert from "node:assert/strict";
 * assert.ok(compareDebianVersions("7.3.4-1~bpo13+1", "7.2.13-1") > 0);
 * assert.ok(compareDebianVersions("7.3~rc7-1~exp1", "7.3.4-1~bpo13+1") < 0);
 * assert.ok(compareDebianVersions("7.2.12-1~bpo13+1", "7.2.12-1") < 0);
 * assert.equal(compareDebianVersions("7.2.13-1", "7.2.13-1"), 0);
 * ```
 */
export function compareDebianVersions(a: string, b: string): number {
  const split = (v: string): [number, string, string] => {
    const colon = v.indexOf(":");
    const epoch = colon > 0 ? Number(v.slice(0, colon)) : 0;
    const rest = colon > 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf("-");
    return dash > 0 ? [epoch, rest.slice(0, dash), rest.slice(dash + 1)] : [epoch, rest, ""];
  };
  const [ea, ua, ra] = split(a);
  const [eb, ub, rb] = split(b);
  if (ea !== eb) return ea - eb;
  return compareFragment(ua, ub) || compareFragment(ra, rb);
}

/** The upstream part of a Debian version (`7.3.4-1~bpo13+1` → `7.3.4`). */
function upstreamOf(version: string): string {
  const noEpoch = version.includes(":") ? version.slice(version.indexOf(":") + 1) : version;
  const dash = noEpoch.lastIndexOf("-");
  return dash > 0 ? noEpoch.slice(0, dash) : noEpoch;
}

/**
 * Reads one build folder: null unless it has a bzImage, an initramfs and a tree with the ynl
 * library (its own copy `src/`, or, for builds of the first cache layout, `$cache/src/KEY`).
 */
async function readBuild(dir: string, cache: string): Promise<KernelBuild | null> {
  const key = dir.replace(/\/+$/, "").split("/").pop() ?? dir;
  const kernel = `${dir}/bzImage`;
  const initramfs = `${dir}/initramfs.cpio.gz`;
  if (!(await exists(kernel)) || !(await exists(initramfs))) return null;
  const ynl = "tools/net/ynl/pyynl/lib/ynl.py";
  const src = (await exists(`${dir}/src/${ynl}`))
    ? `${dir}/src`
    : (await exists(`${cache}/src/${key}/${ynl}`))
    ? `${cache}/src/${key}`
    : null;
  if (src === null) return null;
  const info = parseBuildInfo(await Deno.readTextFile(`${dir}/build.info`).catch(() => ""));
  const release = info.release ||
    (await Deno.readTextFile(`${dir}/kernelrelease`).catch(() => "")).trim() || undefined;
  // Builds of the first layout have no build.info: their key is linux-source-SERIES-VERSION.
  const named = /^linux-source-(\d+\.\d+)-(.+?)(-debug)?$/.exec(key);
  const origin = info.origin === "tree" || (!info.origin && key.startsWith("tree-"))
    ? "tree"
    : "debian";
  const seconds = Number(info["build-seconds"]);
  return {
    key,
    dir,
    paths: { kernel, initramfs, src },
    origin,
    series: info.series || named?.[1] || (release ?? "").split(".").slice(0, 2).join("."),
    version: info.version || named?.[2] || release || key,
    release,
    suite: info.suite || undefined,
    tree: info.tree || undefined,
    keySource: info["key-source"] || undefined,
    buildSeconds: info["build-seconds"] && Number.isFinite(seconds) ? seconds : undefined,
    built: info.built || undefined,
    ...(info.variant === "debug" || (!info.variant && origin === "debian" && named?.[3])
      ? { debug: true }
      : {}),
  };
}

/** Newest first: Debian builds by version (a debug build after the normal one), then trees. */
function newestFirst(a: KernelBuild, b: KernelBuild): number {
  if (a.origin !== b.origin) return a.origin === "debian" ? -1 : 1;
  if (a.origin === "debian") {
    return compareDebianVersions(b.version, a.version) ||
      Number(a.debug ?? 0) - Number(b.debug ?? 0);
  }
  return (b.built ?? "").localeCompare(a.built ?? "") || a.key.localeCompare(b.key);
}

/**
 * Every complete build of the `kernel/prepare.sh` cache, newest first (Debian builds by version,
 * then builds of developers' trees).
 *
 * @example Usage
 * ```ts
 * import { listKernels } from "./vm.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await listKernels("/nonexistent"), []);
 * ```
 */
export async function listKernels(cache: string = defaultCache()): Promise<KernelBuild[]> {
  const found: KernelBuild[] = [];
  try {
    for await (const e of Deno.readDir(`${cache}/kernel`)) {
      if (!e.isDirectory) continue;
      const build = await readBuild(`${cache}/kernel/${e.name}`, cache);
      if (build !== null) found.push(build);
    }
  } catch (error) {
    // No cache, or one this process may not read: no builds (as findKernel always answered).
    if (
      error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) return [];
    throw error;
  }
  return found.sort(newestFirst);
}

/**
 * The newest Debian build of the `kernel/prepare.sh` cache (a bzImage, an initramfs and the
 * tree's ynl library), or null. Builds of developers' trees and debug builds are used only when
 * asked for ({@linkcode selectKernels}, {@linkcode treeBuild}, {@linkcode debugVariants}).
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
  const builds = await listKernels(cache);
  return builds.find(isDefaultCandidate)?.paths ?? null;
}

/**
 * Whether a build may be a default or a series' newest build: a normal Debian build (not a
 * developer's tree, not a debug build).
 *
 * @example Usage
 * ```ts
 * import { isDefaultCandidate, type KernelBuild } from "./vm.ts";
 * import assert from "node:assert/strict";
 * const paths = { kernel: "", initramfs: "", src: "" };
 * const b: KernelBuild = { key: "linux-source-7.2-7.2.13-1", dir: "", paths,
 *   origin: "debian", series: "7.2", version: "7.2.13-1" };
 * assert.equal(isDefaultCandidate(b), true);
 * assert.equal(isDefaultCandidate({ ...b, key: `${b.key}-debug`, debug: true }), false);
 * ```
 */
export function isDefaultCandidate(build: KernelBuild): boolean {
  return build.origin === "debian" && build.debug !== true;
}

/**
 * A build's name in lists and reports: its Debian version (with ` (debug)` for a debug build),
 * or the tree key.
 *
 * @example Usage
 * ```ts
 * import { buildLabel, type KernelBuild } from "./vm.ts";
 * import assert from "node:assert/strict";
 * const paths = { kernel: "", initramfs: "", src: "" };
 * const b: KernelBuild = { key: "linux-source-7.3-7.3.4-1_bpo13+1", dir: "", paths,
 *   origin: "debian", series: "7.3", version: "7.3.4-1~bpo13+1" };
 * assert.equal(buildLabel(b), "7.3.4-1~bpo13+1");
 * assert.equal(buildLabel({ ...b, debug: true }), "7.3.4-1~bpo13+1 (debug)");
 * assert.equal(buildLabel({ ...b, origin: "tree", key: "tree-v7.3-dirty-0123456789ab" }),
 *   "tree-v7.3-dirty-0123456789ab");
 * ```
 */
export function buildLabel(build: KernelBuild): string {
  if (build.origin !== "debian") return build.key;
  return build.debug ? `${build.version} (debug)` : build.version;
}

function builtList(builds: readonly KernelBuild[]): string {
  return builds.length ? builds.map(buildLabel).join(", ") : "none";
}

/**
 * The builds a `--kernel-version` value names, in the order given (`all`: every Debian build,
 * oldest first). Each comma-separated part is a series (`7.3`: its newest build), an upstream
 * version (`7.3.4`), a Debian version (`7.3.4-1~bpo13+1`), a cache key, or a build folder (a
 * path with a `/`). Versions, series and `all` name normal builds only: a debug build
 * (`KEY-debug`) is named by its key or folder, or through {@linkcode debugVariants}.
 *
 * @throws {KernelSelectionError} for a malformed value (`notBuilt` false) or one that names
 *   nothing built (`notBuilt` true; the message says how to build it).
 *
 * @example Usage
 * ```ts
 * import { KernelSelectionError, selectKernels } from "./vm.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(selectKernels("7.3", "/nonexistent"), KernelSelectionError);
 * await assert.rejects(selectKernels("", "/nonexistent"), /needs a version/);
 * ```
 */
export async function selectKernels(
  spec: string,
  cache: string = defaultCache(),
): Promise<KernelBuild[]> {
  const parts = spec.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) {
    throw new KernelSelectionError(
      `--kernel-version needs a version, series, build folder or "all" (got "${spec}")`,
    );
  }
  const builds = await listKernels(cache);
  const debian = builds.filter(isDefaultCandidate);
  const out: KernelBuild[] = [];
  const add = (b: KernelBuild): void => {
    if (!out.some((o) => o.dir === b.dir)) out.push(b);
  };
  for (const part of parts) {
    if (part === "all") {
      if (debian.length === 0) {
        throw new KernelSelectionError(
          `no kernel is built: run kernel/prepare.sh --kernel all`,
          true,
        );
      }
      [...debian].reverse().forEach(add);
      continue;
    }
    if (part.includes("/")) {
      const dir = part.replace(/\/+$/, "");
      const build = await readBuild(dir, cache);
      if (build === null) {
        throw new KernelSelectionError(
          `${part} is not a kernel build folder (it needs bzImage, initramfs.cpio.gz and src/ ` +
            "with tools/net/ynl, as kernel/prepare.sh writes them)",
        );
      }
      add(build);
      continue;
    }
    if (!/^[0-9][A-Za-z0-9.+~:_-]*$/.test(part) && !/^(linux-source|tree)-/.test(part)) {
      throw new KernelSelectionError(
        `--kernel-version "${part}" is not a series (7.3), a version (7.3.4, 7.3.4-1~bpo13+1), ` +
          `a cache key, a build folder or "all"`,
      );
    }
    const series = /^\d+\.\d+$/.test(part)
      ? debian.filter((b) => b.series === part)
      : builds.filter((b) =>
        b.key === part || (b.debug !== true && (
          b.version === part || b.release === part ||
          (b.origin === "debian" && upstreamOf(b.version) === part)
        ))
      );
    if (series.length === 0) {
      throw new KernelSelectionError(
        `no build of Linux ${part} (built: ${builtList(builds)}): run kernel/prepare.sh --kernel ${
          /^\d+\.\d+/.exec(part)?.[0] ?? part
        }`,
        true,
      );
    }
    add(series[0]);
  }
  return out;
}

/**
 * The debug variant (`kernel/prepare.sh --debug`, the folder `KEY-debug`) of each build, in
 * order: what `certify --debug-kernel` boots. `undefined` stands for the default build (the
 * newest normal Debian build); a debug build stands for itself.
 *
 * @throws {KernelSelectionError} when a build has no debug variant (`notBuilt`; the message
 *   names the `prepare.sh` command), no kernel is built at all, or a build is a developer's tree
 *   (`prepare.sh --debug` builds Debian sources only).
 *
 * @example Usage
 * ```ts
 * import { debugVariants, KernelSelectionError } from "./vm.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   debugVariants(undefined, "/nonexistent"),
 *   (e: unknown) => e instanceof KernelSelectionError && e.notBuilt,
 * );
 * ```
 */
export async function debugVariants(
  builds: readonly KernelBuild[] | undefined,
  cache: string = defaultCache(),
): Promise<KernelBuild[]> {
  let chosen = builds;
  if (chosen === undefined || chosen.length === 0) {
    const newest = (await listKernels(cache)).find(isDefaultCandidate);
    if (newest === undefined) {
      throw new KernelSelectionError(
        "--debug-kernel: no kernel is built: run kernel/prepare.sh --debug",
        true,
      );
    }
    chosen = [newest];
  }
  const out: KernelBuild[] = [];
  for (const build of chosen) {
    if (build.debug) {
      out.push(build);
      continue;
    }
    if (build.origin !== "debian") {
      throw new KernelSelectionError(
        `--debug-kernel: ${build.key} is a tree build, and kernel/prepare.sh --debug builds ` +
          "Debian sources only",
      );
    }
    const variant = await readBuild(`${build.dir.replace(/\/+$/, "")}-debug`, cache);
    if (variant === null || variant.debug !== true) {
      throw new KernelSelectionError(
        `--debug-kernel: no debug build of Linux ${build.version}: run ` +
          `kernel/prepare.sh --kernel ${build.series} --debug`,
        true,
      );
    }
    out.push(variant);
  }
  return out;
}

/** Options of {@linkcode treeBuild}. */
export interface TreeBuildOptions {
  /** Cache directory (default `$LEASECHECK_CACHE` or /var/cache/leasecheck). */
  readonly cache?: string;
  /** The script that computes the tree's key (default: `kernel/prepare.sh` beside this file). */
  readonly prepare?: string;
}

/**
 * The build of a developer's tree in its current state (`kernel/prepare.sh --tree PATH`). The
 * key (git describe + a hash of uncommitted changes, or a hash of the content) comes from
 * `prepare.sh --tree PATH --key`, so script and certifier always agree.
 *
 * @throws {KernelSelectionError} when the tree is not a kernel tree, or its current state is not
 *   built (`notBuilt`; the message gives the command).
 *
 * @example Usage
 * ```ts
 * import { KernelSelectionError, treeBuild } from "./vm.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   treeBuild("/nonexistent-tree", { cache: "/nonexistent" }),
 *   (e: unknown) => e instanceof KernelSelectionError && /no such directory/.test(e.message),
 * );
 * ```
 */
export async function treeBuild(
  tree: string,
  options: TreeBuildOptions = {},
): Promise<KernelBuild> {
  const cache = options.cache ?? defaultCache();
  const prepare = options.prepare ?? fileURLToPath(new URL("./prepare.sh", import.meta.url));
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("bash", {
      args: [prepare, "--tree", tree, "--key"],
      env: { LEASECHECK_CACHE: cache },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new KernelSelectionError(
      `Cannot run ${prepare}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    const last = stderr.split("\n").pop() ?? "";
    throw new KernelSelectionError(
      last.replace(/^kernel:prepare: error: /, "").replace(/^kernel\/prepare.sh: /, "") ||
        `kernel/prepare.sh --tree ${tree} --key failed`,
    );
  }
  const key = new TextDecoder().decode(output.stdout).trim();
  const build = await readBuild(`${cache}/kernel/${key}`, cache);
  if (build === null) {
    const real = await Deno.realPath(tree).catch(() => tree);
    const older = (await listKernels(cache)).filter((b) => b.origin === "tree" && b.tree === real);
    throw new KernelSelectionError(
      `${tree} is not built in its current state (${key}${
        older.length ? `; built earlier: ${older.map((b) => b.key).join(", ")}` : ""
      }): run kernel/prepare.sh --tree ${tree}`,
      true,
    );
  }
  return build;
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
