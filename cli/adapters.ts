/**
 * The adapter registry of the command line: what an `--impl` value of `certify` opens. It sits
 * above every folder that provides an adapter — the model and its mutants (`scenarios/`), any
 * process speaking the protocol (`scenarios/process_adapter.ts`), a kernel in a VM or this host
 * (`kernel/`) — so that each of those folders only looks down.
 *
 * @module
 */

import type { KernelBuild } from "../kernel/vm.ts";
import { type MutantId, MUTANTS } from "../model/mutants.ts";
import { DEFAULT_KERNEL, validateKernel } from "../model/versions.ts";
import { parseKernelVersion } from "../spec/versions.ts";
import {
  ImplementationFailedError,
  ImplementationUnavailableError,
  type OpenedAdapter,
} from "../scenarios/certify.ts";
import { ModelAdapter } from "../scenarios/model_adapter.ts";
import { OP_NAMES } from "../scenarios/ops.ts";
import {
  ProcessAdapter,
  ProcessStartError,
  ProtocolVersionError,
} from "../scenarios/process_adapter.ts";

/** What {@linkcode openAdapter} needs besides the `--impl` value. */
export interface OpenAdapterOptions {
  /** Deadline per request in ms for the process and kernel adapters. */
  readonly timeoutMs?: number;
  /** kernel-vm: a bzImage to boot instead of the newest `kernel/prepare.sh` build. */
  readonly kernel?: string;
  /** kernel-vm: the `kernel/prepare.sh` build to boot (default: the newest Debian build). */
  readonly kernelBuild?: KernelBuild;
  /** model and mutant:C-xx: the kernel version the model answers for (default: the newest). */
  readonly modelKernel?: string;
  /** Progress messages of slow adapters (VM boots). */
  readonly log?: (message: string) => void;
}

/** One entry of the registry: the `--impl` forms it accepts, for help texts and errors. */
export interface AdapterKind {
  /** The form users write (`model`, `mutant:<id>`, ...). */
  readonly form: string;
  /** What it certifies. */
  readonly doc: string;
}

/** Every adapter kind, in the order help texts list them. */
export const ADAPTER_KINDS: readonly AdapterKind[] = [
  { form: "model", doc: "the correct model, in process" },
  { form: "mutant:<id>", doc: "a catalogued mutant of the model, in process (e.g. mutant:C-16)" },
  { form: "process:<command line>", doc: "any program speaking scenarios/PROTOCOL.md" },
  { form: "kernel-vm", doc: "a 7.1+ kernel in a qemu VM (kernel/prepare.sh builds one)" },
  { form: "kernel", doc: "this host itself (root, Linux 7.1+ with netdevsim and netkit)" },
];

/** Raised for a `process:` command line that cannot be split (an unterminated quote). */
export class CommandLineError extends TypeError {
  /** The error's class name. */
  override readonly name: string = "CommandLineError";
}

/**
 * Splits a command line into words as a POSIX shell does, without expanding anything: words
 * are separated by blanks; `'...'` keeps everything literally; `"..."` keeps blanks and treats
 * a backslash before `"`, `\\`, `$` or `` ` `` as an escape; a backslash outside quotes keeps
 * the next character.
 *
 * @throws {CommandLineError} for an unterminated quote or a trailing backslash.
 *
 * @example Usage
 * ```ts
 * import { splitCommandLine } from "./adapters.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(splitCommandLine(`./impl --name "my impl" 'a b' c\\ d`), [
 *   "./impl",
 *   "--name",
 *   "my impl",
 *   "a b",
 *   "c d",
 * ]);
 * ```
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new CommandLineError(`Unterminated ' in the command line: ${line}`);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
        word += line[j];
      }
      if (j >= line.length) {
        throw new CommandLineError(`Unterminated " in the command line: ${line}`);
      }
      i = j;
      inWord = true;
    } else if (c === "\\") {
      if (i + 1 >= line.length) {
        throw new CommandLineError(`A backslash ends the command line: ${line}`);
      }
      word += line[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Opens the adapter an `--impl` value names.
 *
 * @throws {TypeError} for an unknown adapter or mutant, or a `process:` command line that
 *   cannot be split (a usage error).
 * @throws {ImplementationUnavailableError} when the implementation cannot run at all (its
 *   command cannot be started, it speaks another protocol, no kernel is built).
 * @throws {ImplementationFailedError} when it started but failed its `hello` (no answer in
 *   time, an exit, garbage).
 *
 * @example Usage
 * ```ts
 * import { openAdapter } from "./adapters.ts";
 * import assert from "node:assert/strict";
 * const opened = await openAdapter("mutant:C-16");
 * assert.equal(opened.name, "model[C-16]");
 * await opened.close();
 * ```
 */
export async function openAdapter(
  impl: string,
  options: OpenAdapterOptions = {},
): Promise<OpenedAdapter> {
  if (impl === "model" || impl.startsWith("mutant:")) return openModel(impl, options.modelKernel);
  if (impl.startsWith("process:")) return await openProcess(impl, options);
  if (impl === "kernel-vm" || impl === "kernel") {
    const { openHostKernel, openKernelVm } = await import("../kernel/open.ts");
    const log = options.log ?? ((m: string) => console.error(`${impl}: ${m}`));
    return impl === "kernel"
      ? await openHostKernel({ timeoutMs: options.timeoutMs, log })
      : await openKernelVm({
        timeoutMs: options.timeoutMs,
        kernel: options.kernel,
        build: options.kernelBuild,
        log,
      });
  }
  throw new TypeError(
    `Unknown implementation "${impl}" (use ${ADAPTER_KINDS.map((k) => k.form).join(", ")})`,
  );
}

function openModel(impl: string, kernel = DEFAULT_KERNEL): OpenedAdapter {
  try {
    validateKernel(kernel);
  } catch (e) {
    throw new TypeError(`--kernel-version: ${(e as Error).message}`);
  }
  const mutant = impl === "model" ? null : impl.slice("mutant:".length);
  if (mutant !== null && !MUTANTS.some((m) => m.id === mutant && m.implemented)) {
    throw new TypeError(
      `Unknown mutant "${mutant}" (implemented: ${
        MUTANTS.filter((m) => m.implemented).map((m) => m.id).join(", ")
      })`,
    );
  }
  return {
    name: mutant === null ? "model" : `model[${mutant}]`,
    info: {
      implementation: "leasecheck model (in process)",
      mutant: mutant ?? "none",
      kernel,
    },
    ops: OP_NAMES,
    kernelVersion: kernel,
    forScenario: () =>
      Promise.resolve(new ModelAdapter({ mutant: mutant as MutantId | null, kernel })),
    close: () => Promise.resolve(),
  };
}

/** `{kernelVersion}` from a hello's `info.kernel` when it is a kernel version, else undefined. */
function kernelOf(info: Readonly<Record<string, string>>): { kernelVersion: string } | undefined {
  const kernel = info.kernel;
  if (typeof kernel !== "string") return undefined;
  try {
    parseKernelVersion(kernel);
    return { kernelVersion: kernel };
  } catch {
    return undefined;
  }
}

async function openProcess(impl: string, options: OpenAdapterOptions): Promise<OpenedAdapter> {
  const command = splitCommandLine(impl.slice("process:".length));
  if (command.length === 0) {
    throw new TypeError('--impl process: needs a command, e.g. "process:./my-impl --flag"');
  }
  const name = impl.trim();
  let adapter: ProcessAdapter | undefined;
  const start = async (): Promise<ProcessAdapter> => {
    adapter = await ProcessAdapter.start(command, { timeoutMs: options.timeoutMs, name });
    return adapter;
  };
  try {
    await start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Cannot run here at all: a skip. Started, but broke its hello: it fails.
    if (error instanceof ProcessStartError || error instanceof ProtocolVersionError) {
      throw new ImplementationUnavailableError(message, { cause: error });
    }
    throw new ImplementationFailedError(message, { cause: error });
  }
  return {
    name,
    info: {
      ...adapter!.implementation.info,
      name: adapter!.implementation.name,
      protocol: adapter!.implementation.protocol,
    },
    ops: adapter!.implementation.ops,
    // `info.kernel` (PROTOCOL.md): the kernel version it answers for, checked against ranges.
    ...(kernelOf(adapter!.implementation.info) ?? {}),
    // A process that died (timeout, crash, protocol error) is restarted for the next scenario.
    forScenario: async () => {
      if (!adapter || adapter.dead) {
        await adapter?.close();
        adapter = undefined;
        return await start();
      }
      return adapter;
    },
    close: async () => await adapter?.close(),
  };
}
