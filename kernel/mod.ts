/**
 * The real kernel as an implementation to certify: a qemu VM booting a kernel built by
 * `kernel/prepare.sh` (Debian's kernels of several versions, a developer's own tree, or the user's
 * own bzImage; {@linkcode selectKernels} chooses among the builds), or this host itself, each driven by the guest
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
  buildInfo,
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
  buildLabel,
  compareDebianVersions,
  findKernel,
  type KernelBuild,
  type KernelPaths,
  KernelSelectionError,
  KernelVm,
  listKernels,
  parseBuildInfo,
  selectKernels,
  treeBuild,
  type TreeBuildOptions,
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
