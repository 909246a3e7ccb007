/**
 * The state of the modelled kernel: network namespaces with their netns-id tables, devices
 * (physical, netkit, other virtual) with their rx queues, lease pointers, lease trackers and
 * reference counts, and the memory-provider / AF_XDP users bound to queues.
 *
 * States are plain, readonly data addressed by small integer indexes (a namespace is its index
 * in `netns`, a device its index in `devices`, a binding its index in `bindings`), so the engine
 * hashes them cheaply. Indexes are never reused for devices and namespaces: a deleted device stays
 * in the array with `reg: "gone"`, a deleted namespace with `alive: false`. Every helper here is
 * pure and copy-on-write: it returns a new state sharing every unchanged part with the old one.
 *
 * Facts: state-and-locks.md §1 (items per netns, device, rx queue), README glossary.
 *
 * @module
 */

/** Index of a network namespace in {@linkcode ModelState.netns}. 0 is `init_net`. */
export type NetnsIndex = number;
/** Index of a device in {@linkcode ModelState.devices}. */
export type DeviceIndex = number;
/** Index of a memory-provider / AF_XDP user in {@linkcode ModelState.bindings}. */
export type BindingIndex = number;

/** Device registration state (`reg_state`): REGISTERED → UNREGISTERING → gone (UNREGISTERED). */
export type RegState = "registered" | "unregistering" | "gone";

/** netns id value meaning "no id assigned" (`NETNSA_NSID_NOT_ASSIGNED`, QG-L3). */
export const NSID_NOT_ASSIGNED = -1;

/** A network namespace. */
export interface Netns {
  /** Name for reports (the `ip netns` name; `init` for `init_net`). */
  readonly name: string;
  /** False once the namespace was deleted (its devices are gone or moved to init, NS-5). */
  readonly alive: boolean;
  /**
   * This namespace's netns-id table (`peernet2id`): `nsids[peer]` is the id this namespace uses
   * for namespace `peer`, or {@linkcode NSID_NOT_ASSIGNED}. Ids are relative (glossary "netns id").
   */
  readonly nsids: readonly number[];
  /** The cyclic ifindex allocation cursor (`net->ifindex`); ifindex 1 is `lo`. */
  readonly nextIfindex: number;
  /**
   * References on this namespace that nothing accounts for: only a forgotten `put_net` leaks
   * one. Absent means 0 (in-flight processes keep theirs in {@linkcode Proc.holds}).
   */
  readonly refs?: number;
}

/** Points at one rx queue of one device. */
export interface QueueRef {
  /** The device. */
  readonly dev: DeviceIndex;
  /** The rx queue index on that device. */
  readonly queue: number;
}

/** One `struct netdev_rx_queue` (state-and-locks.md §1.3). */
export interface RxQueue {
  /** The partner rx queue of a lease (virtual → physical or physical → virtual), or null. */
  readonly lease: QueueRef | null;
  /**
   * True while this queue's `lease_tracker` holds a reference on its own device (REF-1). Only
   * the PHYSICAL queue of a lease has one.
   */
  readonly leaseTracker: boolean;
  /** The memory provider installed in `mp_params` (the binding that owns `mp_priv`), or null. */
  readonly mp: BindingIndex | null;
  /**
   * The AF_XDP pool registered at this index, or null. The model keeps one pool per index for
   * rx and tx together: physical devices here have as many tx as rx queues, and a netkit has
   * one tx queue, so "rx pool if id < real rx, else tx pool if id < real tx" (QC-21) and "also
   * the tx pool if id < real tx" (XSK-3) both reduce to this one field.
   */
  readonly pool: BindingIndex | null;
}

/** Fields every device has. */
export interface DeviceBase {
  /** Interface name (static, for reports and `ip` commands). */
  readonly name: string;
  /** The namespace the device lives in. */
  readonly netns: NetnsIndex;
  /** ifindex, unique within the namespace. */
  readonly ifindex: number;
  /** Registration state. */
  readonly reg: RegState;
  /** The `up` flag (copy of IFF_UP read by queue-get, QG-04). */
  readonly up: boolean;
  /** `num_rx_queues`: allocated rx queues (length of {@linkcode DeviceBase.rxq}). */
  readonly numRx: number;
  /** `real_num_rx_queues`. */
  readonly realRx: number;
  /** `real_num_tx_queues`. */
  readonly realTx: number;
  /** The rx queues, `numRx` of them; indexes below `realRx` are live. */
  readonly rxq: readonly RxQueue[];
  /**
   * Long-lived tracked references other objects hold on this device: one per lease tracker on
   * its rx queues (REF-1), one per io_uring ifq (REF-3) and per AF_XDP pool (REF-4) bound to it.
   */
  readonly refs: number;
  /**
   * `moving_ns`: set (under the instance lock) while a netns move is in flight; the device is
   * unlisted meanwhile (NS-1, NS-4). Absent means false; only stepped moves set it.
   */
  readonly movingNs?: boolean;
}

/** Which real driver a physical device behaves like. */
export type PhysicalDriver = "netdevsim" | "mlx5";

/** A device with `dev.parent` set (netdevsim port, NIC). */
export interface PhysicalDevice extends DeviceBase {
  /** Discriminant. */
  readonly kind: "physical";
  /** Driver flavour. */
  readonly driver: PhysicalDriver;
  /** Has `queue_mgmt_ops` (QC-18, MP-10). */
  readonly queueMgmt: boolean;
  /** `xdp_features` include the full XSK set and `ndo_bpf`/`ndo_xdp_xmit`/`ndo_xsk_wakeup` exist (XSK-5). */
  readonly xskZeroCopy: boolean;
  /** Has a DMA-capable device (`dma_mask`), DMA-2. netdevsim has none. */
  readonly dma: boolean;
  /** tcp-data-split enabled and hds-thresh 0 (MP-11/MP-12). */
  readonly tcpDataSplit: boolean;
  /** `netif_device_present` (QC-17). */
  readonly present: boolean;
  /** Maximum combined channels for ethtool (ETH-1). */
  readonly maxChannels: number;
}

/** netkit pairing mode (`IFLA_NETKIT_PAIRING`). */
export type NetkitPairing = "pair" | "single";
/** netkit mode (`IFLA_NETKIT_MODE`). */
export type NetkitMode = "l2" | "l3";
/** netkit default xmit policy (`IFLA_NETKIT_POLICY`); only these two are valid link policies. */
export type NetkitPolicy = "forward" | "blackhole";
/** netkit scrub (`IFLA_NETKIT_SCRUB`). */
export type NetkitScrub = "none" | "default";

/** A netkit device (virtual, implements `ndo_queue_create`). */
export interface NetkitDevice extends DeviceBase {
  /** Discriminant. */
  readonly kind: "netkit";
  /** Pair or single (NK-NEW-16/17). */
  readonly pairing: NetkitPairing;
  /** Primary (management side) or pair peer. Single devices are primary. */
  readonly primary: boolean;
  /** The peer device while the pair is intact, else null (NK-DEL-1 clears it). */
  readonly peer: DeviceIndex | null;
  /** Operating mode. */
  readonly mode: NetkitMode;
  /** This device's own policy. */
  readonly policy: NetkitPolicy;
  /** This device's own scrub setting. */
  readonly scrub: NetkitScrub;
  /** `needed_headroom`. */
  readonly headroom: number;
  /** `needed_tailroom`. */
  readonly tailroom: number;
}

/** A virtual device without `ndo_queue_create` and without `rtnl_link_ops` dellink (`lo`). */
export interface PlainVirtualDevice extends DeviceBase {
  /** Discriminant. */
  readonly kind: "virtual";
}

/** Any device. */
export type Device = PhysicalDevice | NetkitDevice | PlainVirtualDevice;

/** Kinds of queue users. */
export type BindingKind = "io-uring" | "devmem" | "devmem-tx" | "xsk";

/**
 * A user of a queue: an io_uring zcrx ifq, a devmem dmabuf binding or an AF_XDP socket with its
 * pool (state-and-locks.md §1.4).
 */
export interface Binding {
  /** What kind of user. */
  readonly kind: BindingKind;
  /**
   * The device named by the user (the netkit when bound through a lease), or null once the
   * kernel detached it (io_uring uninstall, XSK-9 unbind, devmem set emptied).
   */
  readonly dev: DeviceIndex | null;
  /** The queue index(es) on `dev` (devmem keeps the VIRTUAL rxqs, DM-5). */
  readonly queues: readonly number[];
  /** AF_XDP only: zero-copy mode active. */
  readonly zeroCopy: boolean;
  /**
   * devmem TX only (`binding->vdev`, DM-15): the device named in bind-tx when the DMA device
   * (`dev`) is another one, i.e. the netkit whose lease led to it. Absent otherwise.
   */
  readonly vdev?: DeviceIndex;
}

/** The whole modelled system. */
export interface ModelState {
  /** Network namespaces; index 0 is `init_net`. */
  readonly netns: readonly Netns[];
  /** Devices; gone devices stay with `reg: "gone"`. */
  readonly devices: readonly Device[];
  /** Queue users; a closed user's slot is null and reused by the next one. */
  readonly bindings: readonly (Binding | null)[];
  /** How many more netkit NEWLINK requests may create devices (keeps the state space finite). */
  readonly netkitBudget: number;
  /**
   * How many more netns-move requests the exploration may issue (`ModelConfig.netnsMoves`);
   * absent: unbounded.
   */
  readonly movesLeft?: number;
  /**
   * The first kernel oops or WARN the model hit (a NULL dereference in a mutant, a WARN_ON_ONCE
   * whose condition the kernel assumes never holds), or null. Invariant NO-OOPS checks it.
   */
  readonly oops: string | null;
  /**
   * In-flight operations (processes), one slot per allowed concurrent operation; a free slot is
   * null. Absent in atomic mode (config `concurrency` 1), where every operation is one step.
   */
  readonly procs?: readonly (Proc | null)[];
  /**
   * Locks an operation still held when it returned (a path that forgot an unlock): nobody will
   * ever release them, so whoever needs one next waits forever. Absent means none.
   */
  readonly leaked?: readonly LockId[];
}

/**
 * A lock: `"rtnl"` or the instance lock (`net_device.lock`) of a device, named by its index.
 */
export type LockId = "rtnl" | DeviceIndex;

/**
 * A transient reference an in-flight operation holds (REF-2): on a device (`netdev_hold`,
 * `tracked` when taken with a `netdevice_tracker`) or on a namespace (`get_net_ns_by_id`).
 */
export interface Hold {
  /** The referenced device, or undefined for a namespace reference. */
  readonly dev?: DeviceIndex;
  /** The referenced namespace, or undefined for a device reference. */
  readonly netns?: NetnsIndex;
  /**
   * True for a tracked reference (`netdev_hold` with a tracker) while it has its tracker; false
   * once the tracker was freed but the reference is still held (A-01, a ref_tracker bug); absent
   * for an untracked one (`dev_get_by_index`'s plain `dev_hold` in a lookup).
   */
  readonly tracked?: boolean;
}

/**
 * An in-flight operation: which program runs, the request, where it stands (`pc`), the lock it
 * waits for before its next step, the locks it holds in acquisition order, its transient
 * references, and program-specific locals. Plain data.
 */
export interface Proc {
  /** Program name (the operation, e.g. `"queue-create"`). */
  readonly op: string;
  /** The request (a `ModelStep`). */
  readonly step: unknown;
  /** Program counter: the label of the next segment. */
  readonly pc: string;
  /** The lock the next step needs, or null. */
  readonly want: LockId | null;
  /** True when the next step acquires `want` (else it only waits until `want` is free). */
  readonly acquire: boolean;
  /** Locks held, in acquisition order. */
  readonly held: readonly LockId[];
  /** Transient references held. */
  readonly holds: readonly Hold[];
  /** Program-specific locals. */
  readonly ctx: unknown;
}

/** An empty (unleased, unbound) rx queue. */
export const EMPTY_RXQ: RxQueue = Object.freeze({
  lease: null,
  leaseTracker: false,
  mp: null,
  pool: null,
});

/** Returns `n` empty rx queues. */
export function emptyQueues(n: number): readonly RxQueue[] {
  return Array.from({ length: n }, () => EMPTY_RXQ);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** True when the device has `dev.parent` (glossary "physical device"). */
export function isPhysical(dev: Device): dev is PhysicalDevice {
  return dev.kind === "physical";
}

/** True for a netkit device. */
export function isNetkit(dev: Device): dev is NetkitDevice {
  return dev.kind === "netkit";
}

/**
 * The device with `ifindex` listed in namespace `netns` (`dev_get_by_index`), or undefined. A
 * device is unlisted when it starts unregistering (NK-DEL-2) and while it moves (NS-1), so only
 * registered, settled ones are found.
 */
export function deviceByIfindex(
  state: ModelState,
  netns: NetnsIndex,
  ifindex: number,
): DeviceIndex | undefined {
  const i = state.devices.findIndex((d) =>
    d.netns === netns && d.ifindex === ifindex && d.reg === "registered" && d.movingNs !== true
  );
  return i < 0 ? undefined : i;
}

/**
 * The device an rt-link request names (`rtnl_dellink`, `rtnl_getlink`): by `ifi-index` when it
 * is > 0, else by `ifname`, among the listed devices of `netns`; undefined when there is none,
 * "missing" when the request names no device at all (the kernel answers -EINVAL).
 */
export function deviceByLinkId(
  state: ModelState,
  netns: NetnsIndex,
  request: { readonly "ifi-index"?: number; readonly ifname?: string },
): DeviceIndex | undefined | "missing" {
  const ifindex = request["ifi-index"];
  if (ifindex !== undefined && ifindex > 0) return deviceByIfindex(state, netns, ifindex);
  if (request.ifname === undefined) return "missing";
  const i = state.devices.findIndex((d) =>
    d.netns === netns && d.name === request.ifname && d.reg === "registered" && d.movingNs !== true
  );
  return i < 0 ? undefined : i;
}

/** Devices of a namespace that are not gone, in ifindex order (dump order, QG-D1). */
export function devicesOfNetns(state: ModelState, netns: NetnsIndex): DeviceIndex[] {
  const out: DeviceIndex[] = [];
  state.devices.forEach((d, i) => {
    if (d.netns === netns && d.reg !== "gone") out.push(i);
  });
  return out.sort((a, b) => state.devices[a].ifindex - state.devices[b].ifindex);
}

/** True when rx queue `queue` of `dev` is live and leased (`netif_rxq_is_leased`). */
export function rxqIsLeased(dev: Device, queue: number): boolean {
  return queue >= 0 && queue < dev.realRx && dev.rxq[queue].lease !== null;
}

/** `get_net_ns_by_id(from, id)`: the live namespace `from` names `id`, or undefined (QC-14). */
export function netnsById(
  state: ModelState,
  from: NetnsIndex,
  id: number,
): NetnsIndex | undefined {
  if (id < 0) return undefined;
  const peer = state.netns[from].nsids.indexOf(id);
  if (peer < 0 || !state.netns[peer].alive) return undefined;
  return peer;
}

/** `peernet2id(from, peer)` without allocation: the id or {@linkcode NSID_NOT_ASSIGNED}. */
export function peerId(state: ModelState, from: NetnsIndex, peer: NetnsIndex): number {
  return state.netns[from].nsids[peer] ?? NSID_NOT_ASSIGNED;
}

/** Highest rx queue index with a memory provider, plus 1 (`dev_get_min_mp_channel_count`). */
export function minMpChannelCount(dev: Device): number {
  for (let i = dev.realRx - 1; i >= 0; i--) {
    if (dev.rxq[i].mp !== null) return i + 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Updating (copy-on-write)

/** Returns `state` with device `index` replaced by `f(device)`. */
export function updateDevice(
  state: ModelState,
  index: DeviceIndex,
  f: (dev: Device) => Device,
): ModelState {
  const devices = state.devices.slice();
  devices[index] = f(state.devices[index]);
  return { ...state, devices };
}

/** Returns `state` with rx queue `queue` of device `index` replaced by `f(rxq)`. */
export function updateRxq(
  state: ModelState,
  index: DeviceIndex,
  queue: number,
  f: (rxq: RxQueue) => RxQueue,
): ModelState {
  return updateDevice(state, index, (d) => {
    const rxq = d.rxq.slice();
    rxq[queue] = f(d.rxq[queue]);
    return { ...d, rxq };
  });
}

/** Returns `state` with `delta` added to the reference count of device `index`. */
export function addRefs(state: ModelState, index: DeviceIndex, delta: number): ModelState {
  if (delta === 0) return state;
  return updateDevice(state, index, (d) => ({ ...d, refs: d.refs + delta }));
}

/** Returns `state` with namespace `index` replaced by `f(netns)`. */
export function updateNetns(
  state: ModelState,
  index: NetnsIndex,
  f: (ns: Netns) => Netns,
): ModelState {
  const netns = state.netns.slice();
  netns[index] = f(state.netns[index]);
  return { ...state, netns };
}

/**
 * `peernet2id_alloc(from, peer)`: the id `from` uses for `peer`, allocating the lowest free id
 * (from 0) when none is assigned (QG-L3, glossary "netns id"). Returns
 * {@linkcode NSID_NOT_ASSIGNED} when either namespace is dead. Returns the new state and the id.
 */
export function allocPeerId(
  state: ModelState,
  from: NetnsIndex,
  peer: NetnsIndex,
): { state: ModelState; id: number } {
  if (!state.netns[from].alive || !state.netns[peer].alive) {
    return { state, id: NSID_NOT_ASSIGNED };
  }
  const existing = peerId(state, from, peer);
  if (existing !== NSID_NOT_ASSIGNED) return { state, id: existing };
  const used = new Set(state.netns[from].nsids);
  let id = 0;
  while (used.has(id)) id++;
  const next = updateNetns(state, from, (ns) => {
    const nsids = ns.nsids.slice();
    nsids[peer] = id;
    return { ...ns, nsids };
  });
  return { state: next, id };
}

/**
 * Reserves an ifindex in `netns` (`dev_index_reserve`): `wanted` if given and free, otherwise
 * the first free index at or above the namespace's cyclic cursor, which then moves past it.
 * Returns the new state and the ifindex.
 */
export function reserveIfindex(
  state: ModelState,
  netns: NetnsIndex,
  wanted?: number,
): { state: ModelState; ifindex: number } {
  // An unregistering device still holds its index until it is freed.
  const taken = (ifindex: number) =>
    state.devices.some((d) => d.netns === netns && d.ifindex === ifindex && d.reg !== "gone");
  if (wanted !== undefined && !taken(wanted)) return { state, ifindex: wanted };
  let ifindex = Math.max(state.netns[netns].nextIfindex, 1);
  while (taken(ifindex)) ifindex++;
  const next = updateNetns(state, netns, (ns) => ({ ...ns, nextIfindex: ifindex + 1 }));
  return { state: next, ifindex };
}

/** Returns `state` with a new device appended, and the new device's index. */
export function appendDevice(
  state: ModelState,
  dev: Device,
): { state: ModelState; index: DeviceIndex } {
  return { state: { ...state, devices: [...state.devices, dev] }, index: state.devices.length };
}

/** Returns `state` with `oops` recorded, unless an earlier one is already recorded. */
export function recordOops(state: ModelState, oops: string): ModelState {
  return state.oops === null ? { ...state, oops } : state;
}

/** Returns `state` with `binding` stored in the lowest free slot, and that slot's index. */
export function addBinding(
  state: ModelState,
  binding: Binding,
): { state: ModelState; index: BindingIndex } {
  const bindings = state.bindings.slice();
  let index = bindings.indexOf(null);
  if (index < 0) index = bindings.length;
  bindings[index] = binding;
  return { state: { ...state, bindings }, index };
}

/** Returns `state` with binding `index` replaced by `f(binding)` (null closes the slot). */
export function updateBinding(
  state: ModelState,
  index: BindingIndex,
  f: (b: Binding) => Binding | null,
): ModelState {
  const b = state.bindings[index];
  if (b === null || b === undefined) return state;
  const bindings = state.bindings.slice();
  bindings[index] = f(b);
  // Trailing empty slots carry no information; drop them so equal systems hash equal.
  while (bindings.length > 0 && bindings[bindings.length - 1] === null) bindings.pop();
  return { ...state, bindings };
}
