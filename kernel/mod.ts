/**
 * The real kernel as an implementation to certify: a qemu VM booting a kernel built by
 * `kernel/prepare.sh` (or the user's own bzImage), or this host itself, each driven by the guest
 * agent (`agent.py`) through the kernel tree's own ynl library.
 *
 * @example Open the VM (needs a built kernel and qemu)
 * ```ts ignore
 * import { openKernelVm } from "./mod.ts";
 * const opened = await openKernelVm();
 * const adapter = await opened.forScenario();
 * await opened.close();
 * ```
 *
 * @module
 */

export {
  KernelUnavailableError,
  type OpenedKernel,
  openHostKernel,
  type OpenKernelOptions,
  openKernelVm,
  timingLine,
} from "./open.ts";
export {
  type AdapterStats,
  AgentProtocolError,
  type AgentSession,
  KernelVmAdapter,
  type KernelVmAdapterOptions,
  OwnershipRefusedError,
} from "./adapter.ts";
export {
  type AgentHello,
  findKernel,
  type KernelPaths,
  KernelVm,
  VmError,
  type VmOptions,
} from "./vm.ts";
export { HostAgent, type HostCheck, hostPrerequisites } from "./host.ts";
export {
  AgentClosedError,
  type AgentReply,
  AgentRequestError,
  AgentTimeoutError,
  JsonLinesClient,
  type JsonLinesClientOptions,
  LineSplitter,
} from "./jsonl.ts";
