/**
 * Opens the `kernel-vm` implementation for `certify`: one VM (booted once, rebooted only if it
 * dies) serves every scenario. Reports the kernel release and boot time, and raises
 * {@link KernelUnavailableError} (certify exits 4, kselftest's skip) when no kernel is built.
 *
 * @module
 */

import { ImplementationUnavailableError, type OpenedAdapter } from "../scenarios/certify.ts";
import { KernelVmAdapter } from "./adapter.ts";
import { commandOutput, HostAgent, hostPrerequisites } from "./host.ts";
import { buildLabel, findKernel, isDefaultCandidate, type KernelBuild, listKernels } from "./vm.ts";

/** One line of request timings for the run's log: boots, and mean step/setup/teardown times. */
export function timingLine(adapter: KernelVmAdapter): string {
  const st = adapter.stats;
  const mean = (ms: number, n: number): string =>
    n === 0 ? "-" : `${(ms / n).toFixed(0)} ms (${n})`;
  return `boots ${adapter.bootSeconds.map((b) => `${b.toFixed(1)} s`).join(", ") || "none"}; ` +
    `per request: step ${mean(st.applyMs, st.applies)}, setup ${mean(st.setupMs, st.setups)}, ` +
    `teardown ${mean(st.teardownMs, st.teardowns)}`;
}

/** No kernel to boot: certify reports a skip with this reason. */
export class KernelUnavailableError extends ImplementationUnavailableError {
  /** The error's class name. */
  override readonly name: string = "KernelUnavailableError";
}

/** What `certify` needs from an implementation (a {@linkcode OpenedAdapter} of the kernel). */
export interface OpenedKernel extends OpenedAdapter {
  /** The shared adapter: one VM (or host agent) serves every scenario. */
  readonly forScenario: () => Promise<KernelVmAdapter>;
}

/** Options of {@link openKernelVm}. */
export interface OpenKernelOptions {
  /** Watchdog per step in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** A user's own bzImage (default: the newest `kernel/prepare.sh` build). */
  readonly kernel?: string;
  /**
   * The `kernel/prepare.sh` build to boot, with its own initramfs and ynl tree (default: the
   * newest normal Debian build, never a debug one); `kernel` replaces only its bzImage.
   */
  readonly build?: KernelBuild;
  /** Progress messages (boots, reboots). */
  readonly log?: (message: string) => void;
  /**
   * How many times to boot a VM whose guest agent never says hello (a guest that panics while
   * booting under TCG, seen once in a while with 7.3.4): default 3. Each failed boot is logged
   * and counted in the report's `boot` field.
   */
  readonly bootAttempts?: number;
}

/**
 * Boots the VM and returns the certify adapter.
 *
 * @throws {KernelUnavailableError} when there is no kernel to boot or it does not come up
 *   within `bootAttempts` boots.
 */
export async function openKernelVm(options: OpenKernelOptions = {}): Promise<OpenedKernel> {
  const build = options.build ?? (await listKernels()).find(isDefaultCandidate);
  if (options.kernel === undefined && build === undefined) {
    throw new KernelUnavailableError(
      "no kernel built: run `deno task kernel:prepare` (builds Linux 7.x with netkit and netdevsim) " +
        "or pass --kernel PATH",
    );
  }
  const make = () =>
    new KernelVmAdapter({
      kernel: options.kernel ?? build?.paths.kernel,
      initramfs: build?.paths.initramfs,
      src: build?.paths.src,
      stepTimeoutMs: options.timeoutMs,
      // A debug build boots in 140 s under TCG on 2 idle cores (20 s without), near the 180 s
      // default: it gets the time a loaded machine needs.
      ...(build?.debug ? { bootTimeoutMs: DEBUG_BOOT_TIMEOUT_MS } : {}),
      log: options.log,
    });
  const attempts = Math.max(1, options.bootAttempts ?? 3);
  let adapter = make();
  let release = "?";
  let boot = "?";
  let ops: readonly string[] = [];
  let kernelLog = false;
  for (let attempt = 1;; attempt++) {
    try {
      const vm = await adapter.start();
      release = vm.hello.release;
      boot = `${vm.bootSeconds.toFixed(1)} s` +
        (attempt > 1 ? ` (boot ${attempt} of ${attempts}: the earlier ones failed)` : "");
      ops = vm.hello.ops;
      kernelLog = vm.hello.kernel_log === true;
      break;
    } catch (error) {
      await adapter.close();
      const why = error instanceof Error ? error.message : String(error);
      if (attempt >= attempts) {
        throw new KernelUnavailableError(
          `the kernel VM did not start${attempts > 1 ? ` in ${attempts} boots` : ""}: ${why}`,
          { cause: error },
        );
      }
      options.log?.(
        `kernel-vm: boot ${attempt} of ${attempts} failed, booting again: ${why.split("\n")[0]}`,
      );
      adapter = make();
    }
  }
  if (options.kernel === undefined && build?.release && build.release !== release) {
    await adapter.close();
    throw new KernelUnavailableError(
      `${build.dir} booted Linux ${release}, not the ${build.release} it was built as`,
    );
  }
  return {
    name: "kernel-vm",
    info: {
      kernel: release,
      boot,
      "kernel log": kernelLogInfo(kernelLog),
      ...buildInfo(build, options.kernel),
    },
    ops,
    kernelVersion: release === "?" ? undefined : release,
    forScenario: () => Promise.resolve(adapter),
    close: async () => {
      options.log?.(timingLine(adapter));
      await adapter.close();
    },
  };
}

/** What a report says about the kernel log check (`KernelLog` in agent.py). */
function kernelLogInfo(readable: boolean): string {
  return readable
    ? "read after every scenario: a WARN, BUG, lockdep, KASAN or refcount report fails it"
    : "not readable (/dev/kmsg): not checked";
}

/** The boot watchdog of a debug build (lockdep and KASAN under TCG), in ms. */
const DEBUG_BOOT_TIMEOUT_MS = 600_000;

/** What a report says about a debug build (`kernel/prepare.sh --debug`). */
const DEBUG_VARIANT =
  "debug (kernel/prepare.sh --debug): lockdep (PROVE_LOCKING, PROVE_RCU), DEBUG_NET, " +
  "KASAN (generic, inline, vmalloc), DEBUG_OBJECTS (work, timers); their reports fail a scenario";

/**
 * What a report says about the build it certified (empty for a user's own bzImage). A debug
 * build says so in `kernel version`, `kernel source` and `kernel variant`.
 *
 * @example Usage
 * ```ts
 * import { buildInfo } from "./open.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(buildInfo(undefined, "/boot/vmlinuz"), { "kernel image": "/boot/vmlinuz" });
 * ```
 */
export function buildInfo(
  build: KernelBuild | undefined,
  image?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (image !== undefined) {
    // A user's own bzImage booted with the initramfs and ynl tree of a build.
    out["kernel image"] = image;
    if (build !== undefined) out["initramfs and ynl of"] = build.key;
    return out;
  }
  if (build === undefined) return out;
  out["kernel build"] = build.key;
  out["kernel version"] = buildLabel(build);
  if (build.origin === "debian") {
    out["kernel source"] = `Debian linux-source-${build.series} ${build.version}${
      build.suite ? ` (${build.suite})` : ""
    }${build.debug ? ", debug build" : ""}`;
  } else {
    out["kernel source"] = `tree ${build.tree ?? "?"} (${
      build.keySource === "git" ? `git ${build.version}` : "not a git checkout: content hash"
    })`;
  }
  if (build.debug) out["kernel variant"] = DEBUG_VARIANT;
  if (build.buildSeconds !== undefined) out["kernel build time"] = `${build.buildSeconds} s`;
  return out;
}

/**
 * Opens the `kernel` implementation: the agent on this host (root, Linux 7.1+, netdevsim,
 * netkit). Only throw-away namespaces and netdevsim devices are created and removed.
 *
 * @throws {KernelUnavailableError} naming every unmet prerequisite.
 */
export async function openHostKernel(
  options: { timeoutMs?: number; src?: string; log?: (message: string) => void } = {},
): Promise<OpenedKernel> {
  const check = await hostPrerequisites(options.src);
  if (check.problems.length > 0) {
    throw new KernelUnavailableError(`this host cannot be certified: ${check.problems.join("; ")}`);
  }
  const src = options.src ?? (await findKernel())!.src;
  const adapter = new KernelVmAdapter({
    name: "kernel-host",
    launch: () => HostAgent.start(src, options.timeoutMs),
  });
  let ops: readonly string[];
  let kernelLog = false;
  try {
    const hello = (await adapter.start()).hello;
    ops = hello.ops;
    kernelLog = hello.kernel_log === true;
  } catch (error) {
    await adapter.close();
    throw new KernelUnavailableError(
      `the agent did not start: ${error instanceof Error ? error.message : error}`,
    );
  }
  return {
    name: "kernel-host",
    info: {
      kernel: check.release,
      host: await commandOutput("uname", ["-n"]),
      "kernel log": kernelLogInfo(kernelLog),
    },
    ops,
    kernelVersion: check.release,
    forScenario: () => Promise.resolve(adapter),
    close: async () => {
      options.log?.(timingLine(adapter));
      await adapter.close();
    },
  };
}
