/**
 * Mutants: deliberately wrong variants of the model, one per entry of bugs.md section C. An
 * operation consults {@linkcode isMutant} at the exact line the mutation changes.
 *
 * @module
 */

/** Options every operation accepts. */
export interface ModelOptions {
  /** The active mutant (a bugs.md section C id such as `"C-02"`), or none. */
  readonly mutant?: MutantId | null;
}

/** A mutant id of bugs.md section C. */
export type MutantId = `C-${string}`;

/** A catalogued mutant and whether this model implements it. */
export interface MutantInfo {
  /** bugs.md id. */
  readonly id: MutantId;
  /** The mutation, in one line. */
  readonly mutation: string;
  /** True when some operation of the model changes behaviour under this id. */
  readonly implemented: boolean;
  /** True for an equivalent mutant: no observable difference exists (nothing can catch it). */
  readonly equivalent?: boolean;
  /** Why it is equivalent or not implemented. */
  readonly note?: string;
}

/** bugs.md section C, with what the model implements. */
export const MUTANTS: readonly MutantInfo[] = [
  { id: "C-01", mutation: "skip the virtual-target check QC-11", implemented: true },
  { id: "C-02", mutation: "skip QC-22 (already leased)", implemented: true },
  { id: "C-03", mutation: "skip QC-21 and QC-23 (AF_XDP / provider busy)", implemented: true },
  { id: "C-04", mutation: "skip QC-24 (different lessors)", implemented: true },
  {
    id: "C-05",
    mutation: "QC-24 inspects queue 0 instead of the last live queue",
    implemented: true,
  },
  { id: "C-06", mutation: "QC-20 uses > instead of >=", implemented: true },
  {
    id: "C-07",
    mutation: "netkit_queue_unlease locks the physical device before the netkit",
    implemented: true,
  },
  {
    id: "C-08",
    mutation: "driver lowers real_num_rx_queues itself (environment action, kernel gap)",
    implemented: true,
  },
  { id: "C-09", mutation: "unlease forgets netdev_put", implemented: true },
  { id: "C-10", mutation: "unlease clears only the physical pointer", implemented: true },
  { id: "C-11", mutation: "notifier ignores reg_state (acts on netns moves)", implemented: true },
  {
    id: "C-12",
    mutation: "notifier drops the already-queued skip (and netkit_del_link its peer guard)",
    implemented: true,
  },
  {
    id: "C-13",
    mutation: "notifier keeps the physical lock while unregistering",
    implemented: true,
  },
  { id: "C-14", mutation: "no netkit notifier", implemented: true },
  { id: "C-15", mutation: "queue-get shows lease on the virtual side", implemented: true },
  { id: "C-16", mutation: "netns-id emitted in the same netns", implemented: true },
  { id: "C-17", mutation: "queue-create ignores netns-id", implemented: true },
  { id: "C-18", mutation: "netkit_queue_create returns the new count", implemented: true },
  { id: "C-19", mutation: "pair primary may create queues", implemented: true },
  { id: "C-20", mutation: "netkit max-queue check removed", implemented: true },
  { id: "C-21", mutation: "uninstall before close in unlease cleanup", implemented: true },
  {
    id: "C-22",
    mutation: "drop MP-04 (open on the physical side of a lease)",
    implemented: true,
    equivalent: true,
    note: "equivalent behind DMA-3: io_uring (IOU-3) and devmem (DM-4) look the DMA device up " +
      "before netif_mp_open_rxq, and it is NULL for the physical side of a lease, so MP-04 is " +
      "unreachable for both providers (C-35 removes that first guard)",
  },
  { id: "C-23", mutation: "AF_XDP register on a leased physical queue allowed", implemented: true },
  { id: "C-24", mutation: "ethtool busy loop skips RX", implemented: true },
  { id: "C-25", mutation: "changelink accepts fixed parameters", implemented: true },
  { id: "C-26", mutation: "SCRUB emitted for single devices", implemented: true },
  {
    id: "C-27",
    mutation: "single mode accepts scrub / peer attributes / blackhole",
    implemented: true,
  },
  { id: "C-28", mutation: "A-01 tracker order in netdev_put_lock", implemented: true },
  {
    id: "C-29",
    mutation: "drop capable() for netns-id (equivalent)",
    implemented: true,
    equivalent: true,
    note: "GENL_ADMIN_PERM already requires CAP_NET_ADMIN in the initial user namespace",
  },
  { id: "C-30", mutation: "missing put_net on a failure path", implemented: true },
  { id: "C-31", mutation: "missing netdev_put on the QC-16..18 failure path", implemented: true },
  { id: "C-32", mutation: "unlease loop starts at 0", implemented: true },
  { id: "C-33", mutation: "unlease loop stops one early", implemented: true },
  {
    id: "C-34",
    mutation: "queue-get on a leased netkit reports its own provider state",
    implemented: true,
  },
  {
    id: "C-35",
    mutation: "dma-dev lookup returns the NIC's DMA device on the physical side",
    implemented: true,
  },
  {
    id: "C-36",
    mutation: "AF_XDP rcv validation without the real_num_rx_queues bound",
    implemented: false,
    note: "not observable in the modelled devices: every one has real tx <= real rx queues " +
      "(netkit 1 tx, netdevsim and mlx5 combined channels), so no socket queue id names a " +
      "tx-only queue and the receive check never reads past the rx queues",
  },
  { id: "C-37", mutation: "queue-create requires IFF_UP", implemented: true },
  { id: "C-38", mutation: "queue-get without the up check", implemented: true },
  { id: "C-39", mutation: "lease reference taken on the virtual device", implemented: true },
  { id: "C-40", mutation: "netdev_put_lock re-check without moving_ns", implemented: true },
];

/**
 * True when `id` is the active mutant.
 *
 * @example Usage
 * ```ts
 * import { isMutant } from "./mutants.ts";
 * console.assert(isMutant({ mutant: "C-02" }, "C-02"));
 * ```
 */
export function isMutant(options: ModelOptions | undefined, id: MutantId): boolean {
  return options?.mutant === id;
}
