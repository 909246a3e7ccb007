/**
 * Which mutants of the model a scenario replay can see at all. A replay compares replies; a
 * mutant that only changes internal bookkeeping (references, trackers, lock order, the order of
 * teardown steps, a race window) answers every request exactly like the correct model, so no
 * scenario can fail on it. The checker catches each of these by exploration instead (see
 * `model/kill_table.ts`); equivalent mutants are caught by nothing, by definition.
 *
 * @module
 */

/** Mutants invisible to scenario replay, with the reason and what catches them instead. */
export const MUTANTS_INVISIBLE_TO_REPLIES: Readonly<Record<string, string>> = {
  "C-07":
    "lock order only (physical before virtual): the checker's lock-order cycle, concurrency 2",
  "C-08":
    "an environment action (a driver shrinking its queues) that no scenario step performs: INV-L9",
  "C-09": "reference count only: INV-R1",
  "C-10": "one lease pointer left behind, never read back by a reply: INV-L1",
  "C-12": "the same device queued twice in one unregister batch: INV-T4",
  "C-21": "teardown order of the provider (uninstall before close): INV-T3, concurrency 2",
  "C-22": "equivalent: the DMA-device lookup fails before MP-04 for io_uring and devmem",
  "C-28": "tracker order inside netdev_put_lock: INV-M3 (the step's bookkeeping)",
  "C-29": "equivalent: QC-00a already requires CAP_NET_ADMIN",
  "C-30": "a netns reference leaked on a failure path: INV-M3",
  "C-31": "a device reference leaked on a failure path: INV-M3",
  "C-39": "the lease reference taken on the wrong device: INV-R1",
  "C-40": "a race window during a netns move: NS-4, concurrency 2",
};
