#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""leasecheck guest agent: replays scenario steps on the running Linux kernel.

Runs inside the certification VM (see kernel/vm.ts). Speaks JSON lines over the virtio-serial
port named ``lc.agent`` (or stdin/stdout with ``--stdio``):

  request  {"id": N, "cmd": "hello" | "setup" | "apply" | "teardown" | "exit", ...}
  reply    {"id": N, "ok": true, "result": {...}}
           {"id": N, "ok": false, "error": "message", "unsupported": true|false}

``setup`` takes {"topology": Topology} and returns {"symbols": {...}}; ``apply`` takes
{"step": ResolvedStep} and returns {"outcome": Outcome, "symbols": {...}} (shapes of
scenarios/format.ts, scenarios/match.ts and scenarios/replay.ts). Symbols map a name to
{"kind": "device", "ifindex": N, "netns": NAME} or {"kind": "binding", "id": N}.

Netlink requests go through the kernel tree's ynl library (tools/net/ynl/pyynl), extended with
raw ``attr-<type>`` attributes and the netkit ``peer-info`` encoding. Devices the agent creates
carry an ifalias ``lc:<symbol>`` so that they can be found again after namespace moves; device
lists are read from one sysfs mount per namespace, which has no netlink side effects.

Only the standard library and the ynl library are used.
"""

import argparse
import copy
import ctypes
import ctypes.util
import errno
import json
import mmap
import os
import random
import re
import select
import socket
import struct
import sys
import time
import traceback

AGENT_VERSION = 1

# Linux constants.
CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
MS_BIND = 0x1000
MNT_DETACH = 2
NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NETLINK_GET_STRICT_CHK = 12
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_MSG = 1
RTM_NEWLINK = 16
RTM_DELLINK = 17
RTM_NEWNSID = 88
RTM_GETNSID = 90
NLM_F_DUMP = 0x300
IFLA_NEW_IFINDEX = 49
IFLA_IFNAME = 3
IFLA_NET_NS_FD = 28
NETNSA_NSID = 1
NETNSA_FD = 3
IFF_UP = 0x1
NLA_TYPE_MASK = 0x3FFF
AF_XDP = 44
SOL_XDP = 283
XDP_RX_RING = 2
XDP_UMEM_REG = 4
XDP_UMEM_FILL_RING = 5
XDP_UMEM_COMPLETION_RING = 6
XDP_OPTIONS = 8
XDP_OPTIONS_ZEROCOPY = 1
XDP_COPY = 1 << 1
XDP_ZEROCOPY = 1 << 2

# Names the host expects where Python's errno module picks an alias.
ERRNO_NAMES = {errno.EOPNOTSUPP: "EOPNOTSUPP", errno.EDEADLK: "EDEADLK", 524: "ENOTSUPP"}

# The scenario operations, from the operation catalogue (spec/operations.json, copied next to
# this file for the VM): load_catalogue() fills OPS with every catalogue operation the agent
# performs; UNSUPPORTED_OPS says why it does not perform the others.
OPS = []
CATALOGUE = {}
# Operations the agent sends as they are, through the ynl family and op the catalogue names.
PLAIN_YNL_OPS = ("queue-create", "queue-get", "channels-set")
UNSUPPORTED_OPS = {
    "zcrx-register": "the agent does not drive io_uring zero-copy rx (IORING_REGISTER_ZCRX_IFQ)",
}
RAW_ATTR = re.compile(r"attr-([0-9]+)")

libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def drop_capabilities():
    """Clears the effective, permitted and inheritable capability sets of this process."""
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = ctypes.create_string_buffer(24)  # two zeroed __user_cap_data_struct
    check(libc.capset(ctypes.create_string_buffer(header, 8), data), "capset")


def errno_name(value):
    """The errno name for a positive errno value."""
    return ERRNO_NAMES.get(value) or errno.errorcode.get(value, f"E{value}")


def check(ret, what):
    """Raises OSError when a libc call returned -1."""
    if ret == -1:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


class AgentError(Exception):
    """A request the agent cannot serve; ``unsupported`` marks missing features."""

    def __init__(self, message, unsupported=False):
        super().__init__(message)
        self.unsupported = unsupported


class NetlinkFailure(Exception):
    """A netlink error answer to an agent-internal request."""

    def __init__(self, code, extack):
        super().__init__(f"{errno_name(-code)} ({code})" + (f" {extack!r}" if extack else ""))
        self.code = code
        self.extack = extack


def error_outcome(err, extack=None):
    """An ``error`` outcome for a positive errno value and optional extack fields."""
    out = {"kind": "error", "errno": errno_name(err), "code": -err}
    for key, value in (extack or {}).items():
        if value is not None:
            out[key] = value
    return out


# Ownership -------------------------------------------------------------------------------------
#
# Every device, namespace and netdevsim instance a step (or a topology link) names must be one
# that the current scenario created. The agent forwards only the attributes listed here: each is
# classified as plain data, a device (an ifindex, or a name looked up) in the namespace in scope,
# a namespace name of the scenario, or a netns id (which moves the scope of its siblings). Any
# other attribute is refused, so that nothing can name a device the check did not see.

PLAIN = "plain"          # data that names nothing
DEV = "device"           # an ifindex in the namespace in scope (0: none)
NAME = "name"            # a device name looked up in the namespace in scope
NETNS = "netns"          # a namespace of this scenario, by name
SCOPE_NETNS = "scope-netns"  # a namespace name that is also the scope of its siblings
NSID = "netns-id"        # a netns id of the namespace in scope; the scope of its siblings
NSIM_DEV = "nsim-device"  # a device that must also be a netdevsim port of this scenario

QUEUE_ID_ATTRS = {"id": PLAIN, "type": PLAIN, "_raw": {1: "id", 3: "type"}}  # subset of queue
LEASE_ATTRS = {"ifindex": DEV, "queue": QUEUE_ID_ATTRS, "netns-id": NSID,
               "_raw": {1: "ifindex", 2: "queue", 3: "netns-id"}}
QUEUE_ATTRS = {
    "id": PLAIN, "ifindex": DEV, "type": PLAIN, "napi-id": PLAIN, "dmabuf": PLAIN,
    "io-uring": {"rx-buf-len": PLAIN, "_raw": {1: "rx-buf-len"}}, "xsk": {"_raw": {}},
    "lease": LEASE_ATTRS,
    "_raw": {1: "id", 2: "ifindex", 3: "type", 4: "napi-id", 5: "dmabuf", 6: "io-uring",
             7: "xsk", 8: "lease"},
}
DMABUF_ATTRS = {"ifindex": DEV, "queues": [QUEUE_ID_ATTRS], "fd": PLAIN, "id": PLAIN,
                "rx-page-size": PLAIN,
                "_raw": {1: "ifindex", 2: "queues", 3: "fd", 4: "id", 5: "rx-page-size"}}
PEER_INFO_ATTRS = {"ifname": PLAIN, "address": PLAIN, "num-rx-queues": PLAIN,
                   "num-tx-queues": PLAIN, "net-ns": SCOPE_NETNS, "link": DEV, "master": DEV}
NETKIT_DATA_ATTRS = {
    "peer-info": PEER_INFO_ATTRS, "primary": PLAIN, "policy": PLAIN, "peer-policy": PLAIN,
    "mode": PLAIN, "scrub": PLAIN, "peer-scrub": PLAIN, "headroom": PLAIN, "tailroom": PLAIN,
    "pairing": PLAIN,
}
NEWLINK_ATTRS = {
    "ifi-index": DEV, "ifname": PLAIN, "address": PLAIN, "mtu": PLAIN, "num-rx-queues": PLAIN,
    "num-tx-queues": PLAIN, "linkinfo": {"kind": PLAIN, "data": NETKIT_DATA_ATTRS},
    "link": DEV, "master": DEV,
}
LINK_ID_ATTRS = {"ifi-index": DEV, "ifname": NAME, "alt-ifname": NAME}
CHANNELS_ATTRS = {
    "header": {"dev-index": DEV, "dev-name": NAME, "flags": PLAIN},
    "rx-count": PLAIN, "tx-count": PLAIN, "other-count": PLAIN, "combined-count": PLAIN,
}
REQUEST_ATTRS = {
    "queue-create": QUEUE_ATTRS,
    "queue-get": QUEUE_ATTRS,
    "bind-rx": DMABUF_ATTRS,
    "bind-tx": DMABUF_ATTRS,
    "newlink": NEWLINK_ATTRS,
    "getlink": LINK_ID_ATTRS,
    "dellink": LINK_ID_ATTRS,
    "channels-set": CHANNELS_ATTRS,
    "link-set": {"ifindex": DEV, "up": PLAIN},
    "netns-move": {"ifindex": DEV, "netns": NETNS},
    "phys-remove": {"ifindex": NSIM_DEV},
    "netns-delete": {"netns": NETNS},
    "netns-set-id": {"netns": NETNS, "nsid": PLAIN},
    "zcrx-register": {"ifindex": DEV, "queue-id": PLAIN},
    "xsk-bind": {"ifindex": DEV, "queue-id": PLAIN, "mode": PLAIN},
    "close": {"binding": PLAIN},
}
# Attributes that would let a request reach another namespace than the ones the check follows.
NAMESPACE_SWITCHES = {
    "target-netnsid": "it selects a namespace by netns id",
    "link-netnsid": "it selects the namespace of `link` by netns id",
    "net-ns-pid": "it names the namespace of a process (pid 1 is the host's)",
    "net-ns-fd": "it is a file descriptor of the agent, not a namespace of the scenario",
    "new-ifindex": "the agent does not forward ifindex choices on namespace moves",
}
FOREIGN = object()  # World.nsid() answer: the id names a namespace the scenario did not create


RAW_TABLES = {"queue": QUEUE_ATTRS, "lease": LEASE_ATTRS, "queue-id": QUEUE_ID_ATTRS,
              "dmabuf": DMABUF_ATTRS}


def raw_table_problem(kernel_sets):
    """Why the raw attribute numbers of the ownership tables are not the kernel tree's
    (`kernel_sets`: attribute set name -> {number: name} from its netlink spec), or None. A
    number above the tree's highest (dmabuf rx-page-size before 7.3) is fine: that kernel
    refuses it as an unknown attribute, so it names nothing."""
    for space, attrs in RAW_TABLES.items():
        known = kernel_sets.get(space, {})
        for num, name in attrs["_raw"].items():
            have = known.get(num)
            if have is None and num > max(known, default=0):
                continue
            if have != name:
                return (f"netdev {space} attribute {num} is {have or 'unknown'}, not {name}: "
                        "update the ownership tables of agent.py")
    return None


class Refused(Exception):
    """A step or topology entry names something this scenario did not create."""


def ownership_table():
    """The attribute classification as JSON (for the host's consistency test)."""
    def strip(node):
        if isinstance(node, list):
            return [strip(node[0])]
        if isinstance(node, dict):
            return {k: strip(v) if k != "_raw" else {str(n): a for n, a in v.items()}
                    for k, v in node.items()}
        return node
    return {"ops": {op: strip(attrs) for op, attrs in REQUEST_ATTRS.items()},
            "switches": sorted(NAMESPACE_SWITCHES)}


def describe_path(path):
    """`lease.ifindex` for ["lease", "ifindex"]."""
    return ".".join(str(p) for p in path) or "request"


class OwnershipCheck:
    """Checks a request against what the scenario owns, before any system call.

    ``world`` answers, for the current scenario:
      namespaces          names of the scenario's namespaces
      device(ns, ifindex) (name, owned) of a device there, or None when there is none
      device_by_name(ns, name) (ifindex, owned), or None
      nsid(ns, id)        the scenario namespace that id names in ns, None when unassigned, or
                          FOREIGN
      nsim_owned(ns, ifindex) False when the device is a netdevsim port of an instance the
                          scenario did not create
    """

    def __init__(self, world):
        self.world = world

    def check_step(self, op, netns, request):
        """Raises Refused when the step names anything the scenario did not create."""
        self.check_netns(netns, ["netns"])
        attrs = REQUEST_ATTRS.get(op)
        if attrs is None:
            return  # the agent answers `unsupported` without a system call
        if not isinstance(request, dict):
            raise Refused(f"refusing a {op} request that is not an object")
        self.walk(op, attrs, request, netns, [])

    def check_link(self, netns, request):
        """A topology link: a NEWLINK request created in netns."""
        self.check_netns(netns, ["links", "netns"])
        self.walk("newlink", NEWLINK_ATTRS, request, netns, [])

    def check_netns(self, name, path):
        """A namespace name must be one of the scenario's."""
        if not isinstance(name, str) or name not in self.world.namespaces:
            raise Refused(f"refusing namespace {name!r} ({describe_path(path)}): "
                          "not created by this scenario")

    def walk(self, op, attrs, values, scope, path):
        """Checks one nest; `scope` is the namespace devices are looked up in (None: none)."""
        canon = {}
        for key, value in values.items():
            raw = RAW_ATTR.fullmatch(key) if isinstance(key, str) else None
            name = key
            if raw is not None and key not in attrs and "_raw" in attrs:
                name = attrs["_raw"].get(int(raw.group(1)), key)
                if name is key:
                    canon.setdefault(key, []).append((key, value, PLAIN))
                    continue
            if name in NAMESPACE_SWITCHES:
                raise Refused(f"refusing {op} attribute {describe_path(path + [key])}: "
                              f"{NAMESPACE_SWITCHES[name]}")
            kind = attrs.get(name) if name != "_raw" else None
            if kind is None:
                raise Refused(f"refusing {op} attribute {describe_path(path + [key])}: the agent "
                              "forwards only attributes whose devices it can check")
            canon.setdefault(name, []).append((key, value, kind))
        # Scope changers first: a lease's netns-id, a peer's net-ns.
        for name, entries in canon.items():
            for key, value, kind in entries:
                if kind == NSID:
                    scope = self.nsid_scope(op, scope, value, path + [key])
                elif kind == SCOPE_NETNS:
                    self.check_netns(value, path + [key])
                    scope = value
        for name, entries in canon.items():
            for key, value, kind in entries:
                where = path + [key]
                if isinstance(kind, dict):
                    if not isinstance(value, dict):
                        raise Refused(f"refusing {op} attribute {describe_path(where)}: "
                                      "expected an object")
                    self.walk(op, kind, value, scope, where)
                elif isinstance(kind, list):
                    if not isinstance(value, list):
                        raise Refused(f"refusing {op} attribute {describe_path(where)}: "
                                      "expected a list")
                    for i, item in enumerate(value):
                        if not isinstance(item, dict):
                            raise Refused(f"refusing {op} attribute {describe_path(where)}"
                                          f"[{i}]: expected an object")
                        self.walk(op, kind[0], item, scope, where + [i])
                elif kind in (DEV, NSIM_DEV):
                    self.check_device(op, scope, value, where, kind == NSIM_DEV)
                elif kind == NAME:
                    self.check_name(op, scope, value, where)
                elif kind == NETNS:
                    self.check_netns(value, where)

    def nsid_scope(self, op, scope, value, path):
        """The namespace a netns id names (negative: the scope itself)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise Refused(f"refusing {op} attribute {describe_path(path)}: not a netns id")
        if value < 0 or scope is None:
            return scope
        target = self.world.nsid(scope, value)
        if target is FOREIGN:
            raise Refused(f"refusing netns-id {value} ({describe_path(path)}, in namespace "
                          f"{scope}): it names a namespace this scenario did not create")
        return target  # None: unassigned, the kernel answers ENONET and looks nothing up

    def check_device(self, op, scope, value, path, nsim):
        """An ifindex in scope must be absent or owned."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise Refused(f"refusing {op} attribute {describe_path(path)} = {value!r}: "
                          "not an ifindex")
        if value == 0 or scope is None:
            return
        found = self.world.device(scope, value)
        if found is None:
            return  # nothing to act on: the kernel answers ENODEV
        name, owned = found
        if not owned:
            raise Refused(f"refusing to act on ifindex {value} ({name}): not created by this "
                          f"scenario ({describe_path(path)}, in namespace {scope})")
        if nsim and not self.world.nsim_owned(scope, value):
            raise Refused(f"refusing to remove {name} (ifindex {value}): its netdevsim device "
                          f"was not created by this scenario ({describe_path(path)})")

    def check_name(self, op, scope, value, path):
        """A device name in scope must be absent or owned."""
        if not isinstance(value, str):
            raise Refused(f"refusing {op} attribute {describe_path(path)} = {value!r}: "
                          "not a device name")
        if scope is None:
            return
        found = self.world.device_by_name(scope, value)
        if found is None:
            return
        ifindex, owned = found
        if not owned:
            raise Refused(f"refusing to act on ifindex {ifindex} ({value}): not created by this "
                          f"scenario ({describe_path(path)}, in namespace {scope})")


def load_ynl(src):
    """Imports the ynl library of the kernel tree and defines the extended family class."""
    sys.path.insert(0, os.path.join(src, "tools/net/ynl"))
    from pyynl.lib import YnlFamily  # pylint: disable=import-outside-toplevel

    class LcFamily(YnlFamily):
        """YnlFamily with raw ``attr-<type>`` attributes and netkit peer-info objects."""

        def _add_attr(self, space, name, value, search_attrs):
            raw = RAW_ATTR.fullmatch(name)
            if raw and name not in self.attr_sets[space].attrs:
                return self._add_attr_raw(int(raw.group(1)), struct.pack("I", value & 0xFFFFFFFF))
            if space == "linkinfo-netkit-attrs" and name == "peer-info" and isinstance(value, dict):
                nl_type = self.attr_sets[space][name].value
                return self._add_attr_raw(nl_type, self._peer_info(value))
            return super()._add_attr(space, name, value, search_attrs)

        def _peer_info(self, value):
            """struct ifinfomsg followed by link attributes (netkit and veth peer info)."""
            vals = dict(value)
            payload = self._encode_struct("ifinfomsg", vals)
            for key, sub in vals.items():
                payload += self._add_attr("link-attrs", key, sub, None)
            return payload

    return LcFamily


class Netns:
    """A network namespace: one the agent created (``fresh``), or the agent's own initial one."""

    def __init__(self, name, runtime, path, fd, sysdir, fresh=True):
        self.name = name
        self.runtime = runtime
        self.path = path
        self.fd = fd
        self.sysdir = sysdir
        self.fresh = fresh
        self.families = {}
        self.rtsock = None

    def close_sockets(self):
        """Closes the netlink sockets the agent holds in this namespace."""
        for fam in self.families.values():
            fam.sock.close()
        self.families.clear()
        if self.rtsock is not None:
            self.rtsock.close()
            self.rtsock = None


class Binding:
    """Something a step bound that lives until ``close``: a socket (AF_XDP or netlink)."""

    def __init__(self, netns, sock, keep=None, queue=None):
        self.netns = netns
        self.sock = sock
        self.keep = keep
        # AF_XDP: the (ifindex, queue id) the socket's pool was bound to, in `netns`.
        self.queue = queue

    def close(self):
        """Releases the socket and its memory."""
        self.sock.close()
        if self.keep is not None:
            try:
                self.keep.close()
            except BufferError:
                pass


class Agent:
    """Executes setup, steps and teardown; one instance per VM."""

    def __init__(self, src, share_root=False):
        self.src = src
        family = load_ynl(src)
        specs = os.path.join(src, "Documentation/netlink/specs")
        self.base = {}
        for name in ("netdev", "rt-link", "ethtool"):
            self.base[name] = family(os.path.join(specs, f"{name}.yaml"), "", process_unknown=True)
        self.check_raw_tables()
        # The agent's own initial namespace: it only creates and destroys its namespaces and
        # netdevsim instances from here, and reads sysfs (netdevsim ports the kernel returns).
        self.root_fd = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self.root = Netns("init" if share_root else "(agent)", None, None, self.root_fd, "/sys",
                          fresh=False)
        for name, fam in self.base.items():
            self.root.families[name] = fam
        # share_root (the VM's hostile-scenario test only): the scenario's `init` is the agent's
        # own namespace, so that the ownership check alone must protect what is already there.
        self.share_root = share_root
        self.seq = 0
        self.nsim_next = 10
        self.observer = None
        self.boot_taint = kernel_taint()
        self.ownership = OwnershipCheck(self)
        self.reset()

    def check_raw_tables(self):
        """The raw attribute numbers of the ownership tables must be the kernel tree's."""
        fam = self.base["netdev"]
        problem = raw_table_problem({
            space: {num: spec.name for num, spec in fam.attr_sets[space].attrs_by_val.items()}
            for space in RAW_TABLES})
        if problem:
            raise AgentError(problem)

    def reset(self):
        """Forgets the current scenario."""
        self.namespaces = {"init": self.root} if self.share_root else {}
        self.nsim = []
        self.symbols = {"lo": {"kind": "device", "ifindex": 1, "netns": "init"}}
        self.tracked = {}
        self.bindings = {}
        self.next_binding = 1
        self.race_children = []

    # What the scenario owns (the world of OwnershipCheck) ---------------------------------------

    def owned(self, ns, name):
        """A device of a scenario namespace is the scenario's own when the agent marked it (it
        created it) or when it is the loopback device of a namespace the agent created."""
        if ns.fresh and name == "lo":
            return True
        alias = self.alias(ns, name)
        return alias.startswith("lc:") and alias[3:] in self.tracked

    def device(self, ns_name, ifindex):
        """(name, owned) of the device with this ifindex in a scenario namespace, or None."""
        ns = self.namespaces[ns_name]
        name = self.name_of(ns, ifindex)
        return None if name is None else (name, self.owned(ns, name))

    def device_by_name(self, ns_name, name):
        """(ifindex, owned) of the device called name in a scenario namespace, or None."""
        ns = self.namespaces[ns_name]
        ifindex = self.links(ns).get(name)
        return None if ifindex is None else (ifindex, self.owned(ns, name))

    def nsid(self, ns_name, nsid):
        """The scenario namespace netns id `nsid` names in ns_name: its name, None when the id
        is not assigned there, or FOREIGN (RTM_GETNSID reads; they allocate no ids)."""
        ns = self.namespaces[ns_name]
        if nsid not in self.nsid_table(ns):
            return None
        for other in self.namespaces.values():
            if self.peer_nsid(ns, other) == nsid:
                return other.name
        return FOREIGN

    def nsim_owned(self, ns_name, ifindex):
        """False when the device is a port of a netdevsim instance the agent did not create."""
        ns = self.namespaces[ns_name]
        name = self.name_of(ns, ifindex)
        dev_id = self.nsim_of(ns, name) if name is not None else None
        return dev_id is None or dev_id in self.nsim

    # Namespaces ---------------------------------------------------------------------------------

    def enter(self, ns):
        """Switches the agent's network namespace."""
        check(libc.setns(ns.fd, CLONE_NEWNET), f"setns {ns.name}")

    def leave(self):
        """Returns to the agent's own initial network namespace."""
        check(libc.setns(self.root_fd, CLONE_NEWNET), "setns back")

    def in_ns(self, ns, fn, *args):
        """Calls fn(*args) inside namespace ns."""
        if ns is self.root:
            return fn(*args)
        self.enter(ns)
        try:
            return fn(*args)
        finally:
            self.leave()

    def ns(self, name):
        """The namespace of the current scenario called name."""
        try:
            return self.namespaces[name]
        except (KeyError, TypeError):
            raise Refused(f"refusing namespace {name!r}: not created by this scenario") from None

    def create_ns(self, name):
        """Creates a named namespace (like `ip netns add`) with a sysfs mount of its own."""
        self.seq += 1
        runtime = f"lc{self.seq}-{name}"[:60]
        os.makedirs("/run/netns", exist_ok=True)
        path = f"/run/netns/{runtime}"
        with open(path, "w", encoding="ascii"):
            pass
        try:
            check(libc.unshare(CLONE_NEWNET), "unshare")
            try:
                check(libc.mount(b"/proc/thread-self/ns/net", path.encode(), None, MS_BIND, None),
                      "mount netns")
                sysdir = f"/tmp/lc-sys/{runtime}"
                os.makedirs(sysdir, exist_ok=True)
                check(libc.mount(b"sysfs", sysdir.encode(), b"sysfs", 0, None), "mount sysfs")
            finally:
                self.leave()
        except OSError:
            os.unlink(path)
            raise
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        ns = Netns(name, runtime, path, fd, sysdir)
        return ns

    def observer_ns(self):
        """A private namespace that watches namespace deletions."""
        if self.observer is None:
            self.observer = self.create_ns("observer")
        return self.observer

    def destroy_ns(self, ns, timeout=10.0):
        """Deletes a namespace (like `ip netns del`) and waits until the kernel destroyed it.

        The agent first drops what it holds there (netlink sockets, the sysfs mount). To know
        when the kernel's cleanup ran, a netkit pair is created with one end in the namespace and
        the other in the observer namespace: the pair disappears when the namespace's devices
        are unregistered. Returns the seconds waited.
        """
        for key, binding in list(self.bindings.items()):
            if binding.netns is ns:
                binding.close()
                del self.bindings[key]
        ns.close_sockets()
        obs = self.observer_ns()
        self.seq += 1
        watch = f"lcw{self.seq}"
        self.in_ns(obs, self.raw_transact_ynl, obs, "rt-link", "newlink", {
            "ifname": watch,
            "linkinfo": {"kind": "netkit", "data": {
                "peer-info": {"ifname": f"lcv{self.seq}", "net-ns-fd": ns.fd}}},
        }, [NLM_F_CREATE, NLM_F_EXCL])
        check(libc.umount2(ns.sysdir.encode(), MNT_DETACH), "umount sysfs")
        os.rmdir(ns.sysdir)
        check(libc.umount2(ns.path.encode(), MNT_DETACH), "umount netns")
        os.unlink(ns.path)
        os.close(ns.fd)
        ns.fd = -1
        # The sysfs directory goes away late in unregister_netdevice_many(), after the devices
        # queued before it (those of the namespace) ran ndo_uninit (netkit drops its leases
        # there); the batch holds RTNL, so one RTNL request afterwards waits for its end.
        start = time.monotonic()
        while os.path.isdir(f"{obs.sysdir}/class/net/{watch}"):
            if time.monotonic() - start > timeout:
                raise AgentError(f"namespace {ns.name} was not destroyed within {timeout} s")
            time.sleep(0.005)
        self.setlink(obs, 1)  # RTM_NEWLINK on lo without changes: waits for RTNL
        return time.monotonic() - start

    # Devices ------------------------------------------------------------------------------------

    def links(self, ns):
        """Devices of a namespace from its sysfs: name -> ifindex."""
        out = {}
        base = f"{ns.sysdir}/class/net"
        for name in os.listdir(base):
            try:
                with open(f"{base}/{name}/ifindex", encoding="ascii") as f:
                    out[name] = int(f.read())
            except (OSError, ValueError):
                pass  # going away (sysfs answers EINVAL for devices being unregistered)
        return out

    def alias(self, ns, name):
        """The ifalias of a device, or '' when it has none or is gone."""
        try:
            with open(f"{ns.sysdir}/class/net/{name}/ifalias", encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            return ""

    def set_alias(self, ns, name, alias):
        """Marks a device with an ifalias (kept across namespace moves)."""
        with open(f"{ns.sysdir}/class/net/{name}/ifalias", "w", encoding="utf-8") as f:
            f.write(alias)

    def name_of(self, ns, ifindex):
        """The name of the device with this ifindex in ns, or None."""
        for name, idx in self.links(ns).items():
            if idx == ifindex:
                return name
        return None

    def snapshot(self):
        """(namespace name, device name) -> ifindex for every scenario namespace."""
        out = {}
        for ns in self.namespaces.values():
            for name, idx in self.links(ns).items():
                out[(ns.name, name)] = idx
        return out

    def track(self, symbol, ns, name):
        """Gives a device a symbol: marks it and records where it is."""
        self.set_alias(ns, name, f"lc:{symbol}")
        self.tracked[symbol] = True
        self.symbols[symbol] = {"kind": "device", "ifindex": self.links(ns)[name],
                                "netns": ns.name}

    def resolve(self):
        """Re-reads where each tracked device is now; gone devices keep their last value."""
        for ns in self.namespaces.values():
            for name, idx in self.links(ns).items():
                alias = self.alias(ns, name)
                if alias.startswith("lc:"):
                    sym = alias[3:]
                    if sym in self.tracked:
                        self.symbols[sym] = {"kind": "device", "ifindex": idx, "netns": ns.name}
        return dict(self.symbols)

    def nsim_of(self, ns, name):
        """The netdevsim bus id of a device, or None when it is not a netdevsim port."""
        try:
            target = os.readlink(f"{ns.sysdir}/class/net/{name}/device")
        except OSError:
            return None
        m = re.fullmatch(r"netdevsim([0-9]+)", os.path.basename(target))
        return int(m.group(1)) if m else None

    # Netlink ------------------------------------------------------------------------------------

    def family(self, ns, name):
        """The ynl family `name` with a socket bound to namespace ns (created on first use)."""
        fam = ns.families.get(name)
        if fam is None:
            fam = self.in_ns(ns, self.clone_family, self.base[name])
            ns.families[name] = fam
        return fam

    @staticmethod
    def clone_family(base):
        """A copy of a parsed family with a fresh socket in the current namespace."""
        fam = copy.copy(base)
        fam.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, base.nlproto.proto_num)
        fam.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        fam.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        fam.sock.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        return fam

    def transact(self, fam, op_name, vals, flags=(), dump=False):
        """Sends one ynl request and returns the outcome (reply or error with extack)."""
        op = fam.ops[op_name]
        flags = list(flags) + ([0x300] if dump else [])  # NLM_F_DUMP = ROOT | MATCH
        self.seq += 1
        seq = self.seq & 0x7FFFFFFF
        try:
            msg = fam._encode_message(op, copy.deepcopy(vals), flags, seq)
        except Exception as e:  # pylint: disable=broad-except
            # An attribute this kernel's spec does not have (rx-page-size before 7.3): the
            # request cannot be expressed here, which is not a kernel answer.
            return {"kind": "unsupported",
                    "reason": f"ynl cannot encode {op_name} with this kernel's spec: "
                              f"{type(e).__name__}: {e}"}
        fam.sock.send(msg, 0)
        replies = []
        while True:
            data = fam.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                length, nl_type, nl_flags, nl_seq, _ = struct.unpack_from("IHHII", data, off)
                if length < 16:
                    raise AgentError("malformed netlink reply")
                body = data[off + 16:off + length]
                off += (length + 3) & ~3
                if nl_seq != seq:
                    continue
                if nl_type in (NLMSG_ERROR, NLMSG_DONE):
                    code = struct.unpack_from("i", body, 0)[0]
                    if code < 0:
                        tlv = 20 if nl_type == NLMSG_ERROR else 4
                        if nl_type == NLMSG_ERROR and not nl_flags & 0x100:  # not CAPPED
                            tlv = 4 + struct.unpack_from("I", body, 4)[0]
                        extack = self.extack(fam, op, vals, msg, body[tlv:]
                                             if nl_flags & NLM_F_ACK_TLVS else b"")
                        return error_outcome(-code, extack)
                    if dump:
                        return {"kind": "reply", "reply": replies}
                    if not replies:
                        return {"kind": "reply", "reply": None}
                    return {"kind": "reply",
                            "reply": replies[0] if len(replies) == 1 else replies}
                replies.append(self.decode(fam, op, body))

    def raw_transact_ynl(self, ns, fam_name, op_name, vals, flags=()):
        """transact() that raises NetlinkFailure on errors (agent-internal requests)."""
        out = self.transact(self.family(ns, fam_name), op_name, vals, flags)
        if out["kind"] == "error":
            raise NetlinkFailure(out["code"], out.get("extack"))
        return out["reply"]

    @staticmethod
    def decode(fam, op, body):
        """Decodes one reply message (fixed header and attributes) like ynl does."""
        hdr = 4 if fam.proto != "netlink-raw" else 0
        fixed = fam.struct_size(op.fixed_header)
        from pyynl.lib.ynl import NlAttrs  # pylint: disable=import-outside-toplevel
        out = {}
        if op.fixed_header:
            out.update(fam._decode_struct(body[hdr:hdr + fixed], op.fixed_header))
        out.update(fam._decode(NlAttrs(body[hdr + fixed:]), op.attr_set.name))
        return out

    def extack(self, fam, op, vals, request, tlvs):
        """Extack fields as ynl prints them: msg, bad-attr path, miss-type name, miss-nest path."""
        out = {}
        offs = miss_type = miss_nest = None
        pos = 0
        while pos + 4 <= len(tlvs):
            length, kind = struct.unpack_from("HH", tlvs, pos)
            if length < 4:
                break
            payload = tlvs[pos + 4:pos + length]
            pos += (length + 3) & ~3
            if kind == NLMSGERR_ATTR_MSG:
                out["extack"] = payload.rstrip(b"\0").decode("utf-8", "replace")
            elif kind == 2:  # NLMSGERR_ATTR_OFFS
                offs = struct.unpack("I", payload[:4])[0]
            elif kind == 5:  # NLMSGERR_ATTR_MISS_TYPE
                miss_type = struct.unpack("I", payload[:4])[0]
            elif kind == 6:  # NLMSGERR_ATTR_MISS_NEST
                miss_nest = struct.unpack("I", payload[:4])[0]
        start = fam.nlproto.msghdr_size() + fam.struct_size(op.fixed_header)
        attrs = request[start:]
        if offs is not None:
            found = self.attr_path(fam, attrs, op.attr_set.name, start, offs, [vals])
            out["badAttr"] = found[0] if found else f"offset {offs}"
        space = op.attr_set.name
        if miss_nest is not None:
            found = self.attr_path(fam, attrs, op.attr_set.name, start, miss_nest, [vals])
            if found:
                out["missNest"] = found[0]
                space = found[1]
            else:
                out["missNest"] = f"offset {miss_nest}"
                space = None
        if miss_type is not None:
            spec = fam.attr_sets[space].attrs_by_val.get(miss_type) if space else None
            out["missType"] = spec.name if spec is not None else f"attr-{miss_type}"
        return out

    def attr_path(self, fam, data, space, base, target, scopes):
        """The dotted path of the attribute at byte offset target, and its nested space."""
        pos = 0
        attr_set = fam.attr_sets.get(space) if space else None
        while pos + 4 <= len(data):
            length, nl_type = struct.unpack_from("HH", data, pos)
            if length < 4:
                return None
            start = base + pos
            full = (length + 3) & ~3
            spec = attr_set.attrs_by_val.get(nl_type & NLA_TYPE_MASK) if attr_set else None
            name = spec.name if spec is not None else f"attr-{nl_type & NLA_TYPE_MASK}"
            sub_space = None
            sub_skip = 0
            label = name
            if spec is not None and spec["type"] == "nest":
                sub_space = spec["nested-attributes"]
            elif spec is not None and spec["type"] == "sub-message":
                selector = None
                for scope in scopes:
                    if isinstance(scope, dict) and spec.selector in scope:
                        selector = scope[spec.selector]
                        break
                fmt = fam.sub_msgs[spec.sub_message].formats.get(selector)
                if fmt is not None:
                    sub_space = fmt.attr_set
                    sub_skip = fam.struct_size(fmt.fixed_header) if fmt.fixed_header else 0
                label = f"{name}({selector})"
            if start == target:
                return "." + name, sub_space
            if start < target < start + full:
                if sub_space is None:
                    return "." + name, None
                inner = scopes[0].get(name) if isinstance(scopes[0], dict) else None
                found = self.attr_path(fam, data[pos + 4 + sub_skip:pos + length], sub_space,
                                       start + 4 + sub_skip, target, [inner] + scopes)
                if found is None:
                    return "." + label, None
                return "." + label + found[0], found[1]
            pos += full
        return None

    def rt_socket(self, ns):
        """The raw rtnetlink socket of namespace ns (created on first use)."""
        if ns.rtsock is None:
            def make():
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
                s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
                s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
                return s
            ns.rtsock = self.in_ns(ns, make)
        return ns.rtsock

    def rtnl(self, ns, msg_type, flags, body, attrs=b""):
        """A raw rtnetlink request from namespace ns; raises NetlinkFailure on error."""
        self.rt_socket(ns)
        self.seq += 1
        seq = self.seq & 0x7FFFFFFF
        payload = body + attrs
        msg = struct.pack("IHHII", 16 + len(payload), msg_type,
                          NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0) + payload
        ns.rtsock.send(msg)
        while True:
            data = ns.rtsock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                length, nl_type, nl_flags, nl_seq, _ = struct.unpack_from("IHHII", data, off)
                body_in = data[off + 16:off + length]
                off += (length + 3) & ~3
                if nl_seq != seq or nl_type != NLMSG_ERROR:
                    continue
                code = struct.unpack_from("i", body_in, 0)[0]
                if code == 0:
                    return
                msg_text = None
                if nl_flags & NLM_F_ACK_TLVS:
                    tlvs = body_in[20:]
                    pos = 0
                    while pos + 4 <= len(tlvs):
                        alen, akind = struct.unpack_from("HH", tlvs, pos)
                        if alen < 4:
                            break
                        if akind == NLMSGERR_ATTR_MSG:
                            msg_text = tlvs[pos + 4:pos + alen].rstrip(b"\0").decode()
                        pos += (alen + 3) & ~3
                raise NetlinkFailure(code, {"extack": msg_text} if msg_text else None)

    def rtnl_read(self, ns, msg_type, flags, body, attrs=b""):
        """A raw rtnetlink get (or dump with NLM_F_DUMP): the payloads of its answers."""
        self.rt_socket(ns)
        self.seq += 1
        seq = self.seq & 0x7FFFFFFF
        payload = body + attrs
        ns.rtsock.send(struct.pack("IHHII", 16 + len(payload), msg_type,
                                   NLM_F_REQUEST | flags, seq, 0) + payload)
        out = []
        while True:
            data = ns.rtsock.recv(65536)
            off = 0
            while off + 16 <= len(data):
                length, nl_type, _, nl_seq, _ = struct.unpack_from("IHHII", data, off)
                body_in = data[off + 16:off + length]
                off += (length + 3) & ~3
                if nl_seq != seq:
                    continue
                if nl_type == NLMSG_ERROR:
                    code = struct.unpack_from("i", body_in, 0)[0]
                    if code:
                        raise NetlinkFailure(code, None)
                    return out
                if nl_type == NLMSG_DONE:
                    return out
                out.append(body_in)
                if not flags & NLM_F_DUMP:
                    return out

    @staticmethod
    def nsid_attr(payload):
        """NETNSA_NSID of an RTM_NEWNSID payload (after its 4-byte rtgenmsg), or None."""
        pos = 4
        while pos + 4 <= len(payload):
            alen, akind = struct.unpack_from("HH", payload, pos)
            if alen < 4:
                break
            if akind & NLA_TYPE_MASK == NETNSA_NSID:
                return struct.unpack_from("i", payload, pos + 4)[0]
            pos += (alen + 3) & ~3
        return None

    def nsid_table(self, ns):
        """Every netns id assigned in ns (RTM_GETNSID dump)."""
        ids = set()
        for payload in self.rtnl_read(ns, RTM_GETNSID, NLM_F_DUMP, struct.pack("Bxxx", 0)):
            nsid = self.nsid_attr(payload)
            if nsid is not None and nsid >= 0:
                ids.add(nsid)
        return ids

    def peer_nsid(self, ns, other):
        """The id ns has for namespace other (-1 when none; RTM_GETNSID allocates nothing)."""
        for payload in self.rtnl_read(ns, RTM_GETNSID, 0, struct.pack("Bxxx", 0),
                                      self.nla(NETNSA_FD, struct.pack("I", other.fd))):
            nsid = self.nsid_attr(payload)
            if nsid is not None:
                return nsid
        return -1

    @staticmethod
    def nla(kind, payload):
        """One netlink attribute."""
        return struct.pack("HH", 4 + len(payload), kind) + payload + b"\0" * (-len(payload) % 4)

    def setlink(self, ns, ifindex, up=None, attrs=b""):
        """RTM_NEWLINK on an existing device: flags and attributes (`ip link set`)."""
        flags = IFF_UP if up else 0
        change = IFF_UP if up is not None else 0
        body = struct.pack("BxHiII", 0, 0, ifindex, flags, change)
        self.rtnl(ns, RTM_NEWLINK, 0, body, attrs)

    def dellink(self, ns, ifindex):
        """RTM_DELLINK by ifindex."""
        self.rtnl(ns, RTM_DELLINK, 0, struct.pack("BxHiII", 0, 0, ifindex, 0, 0))

    # Setup --------------------------------------------------------------------------------------

    def setup(self, topo):
        """Builds a topology; returns the symbol table."""
        if any(ns.fresh for ns in self.namespaces.values()) or self.nsim or self.bindings:
            self.teardown()
        self.reset()
        # The kernel log from here on is the scenario's: teardown reports its splats.
        self.kmsg = KernelLog.open()
        for phys in topo.get("physical", []):
            if phys.get("kind") != "netdevsim":
                raise AgentError(f"the kernel adapter has no {phys.get('kind')} hardware "
                                 f"(device {phys.get('name')})", unsupported=True)
        # Every namespace is created for the scenario, `init` too (unless share_root).
        names = ["init"] + [d["name"] for d in topo.get("namespaces", []) if d["name"] != "init"]
        for name in names:
            if name not in self.namespaces:
                if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", name):
                    raise Refused(f"refusing namespace name {name!r}")
                self.namespaces[name] = self.create_ns(name)
        for decl in topo.get("namespaces", []):
            ns = self.ns(decl["name"])
            for peer, nsid in decl.get("nsids", {}).items():
                body = struct.pack("Bxxx", 0)
                attrs = self.nla(NETNSA_NSID, struct.pack("i", nsid))
                attrs += self.nla(NETNSA_FD, struct.pack("I", self.ns(peer).fd))
                self.rtnl(ns, RTM_NEWNSID, NLM_F_CREATE | NLM_F_EXCL, body, attrs)
        for phys in topo.get("physical", []):
            self.setup_physical(phys)
        for link in topo.get("links", []):
            self.setup_link(link)
        return self.resolve()

    def setup_physical(self, phys):
        """A netdevsim device with one port, moved into its namespace as the symbol, channels
        set, up.

        The device is created in the agent's own (initial) namespace and then moved, as a real
        NIC starts in init_net: its devlink instance stays there. Created inside a scenario
        namespace, its devlink instance would live there, and deleting that namespace would
        reload it into init_net (devlink_pernet_pre_exit): the port unregisters, taking the
        netkits that lease from it, and comes back as a new device, where the model (NS-5)
        moves the NIC back with its leases. The port gets the ifindex the namespace would
        allocate next (its lowest free one after those in use), so ifindexes are as the model
        numbers them."""
        ns = self.ns(phys.get("netns", "init"))
        queues = phys["queues"]
        max_channels = max(phys.get("maxChannels") or queues, queues)
        dev_id = self.free_nsim_id()
        before = set(self.links(self.root))
        with open("/sys/bus/netdevsim/new_device", "w", encoding="ascii") as f:
            f.write(f"{dev_id} 1 {max_channels}")
        self.nsim.append(dev_id)
        new = None
        for _ in range(400):
            created = [n for n in self.links(self.root)
                       if n not in before and self.nsim_of(self.root, n) == dev_id]
            if created:
                new = created[0]
                break
            time.sleep(0.005)
        if new is None:
            raise AgentError(f"netdevsim{dev_id} created no port")
        if ns is self.root:
            # share_root (the hostile-scenario test): the scenario's init is this namespace.
            ifindex = self.links(ns)[new]
            if new != phys["name"]:
                self.setlink(ns, ifindex,
                             attrs=self.nla(IFLA_IFNAME, phys["name"].encode() + b"\0"))
        else:
            taken = self.links(ns)
            if phys["name"] in taken:
                raise AgentError(f"{ns.name} has a device named {phys['name']} already")
            ifindex = max(taken.values(), default=0) + 1
            attrs = self.nla(IFLA_NET_NS_FD, struct.pack("I", ns.fd))
            attrs += self.nla(IFLA_IFNAME, phys["name"].encode() + b"\0")
            attrs += self.nla(IFLA_NEW_IFINDEX, struct.pack("i", ifindex))
            self.setlink(self.root, self.links(self.root)[new], attrs=attrs)
            if self.links(ns).get(phys["name"]) != ifindex:
                raise AgentError(f"netdevsim{dev_id} did not reach {ns.name} as {phys['name']}")
        if queues != max_channels:
            fam = self.family(ns, "ethtool")
            out = self.transact(fam, "channels-set",
                                {"header": {"dev-index": ifindex}, "combined-count": queues})
            if out["kind"] == "error":
                raise AgentError(f"cannot set {queues} channels on {phys['name']}: {out}")
        self.track(phys["name"], ns, phys["name"])
        if phys.get("up", True):
            self.setlink(ns, ifindex, up=True)

    def free_nsim_id(self):
        """The next netdevsim id that no netdevsim device (the host's included) uses."""
        while os.path.exists(f"/sys/bus/netdevsim/devices/netdevsim{self.nsim_next}"):
            self.nsim_next += 1
        self.nsim_next += 1
        return self.nsim_next - 1

    def created_devices(self, before, caller):
        """Devices created since snapshot `before`: (primary, peer) as (ns, name) pairs."""
        after = self.snapshot()
        new = sorted((idx, key) for key, idx in after.items() if key not in before)
        if not new:
            return None, None
        here = [item for item in new if item[1][0] == caller.name]
        if len(new) == 1:
            return new[0][1], None
        if len(here) == 2 or (len(here) != 1 and len(new) == 2):
            pair = here if len(here) == 2 else new
            return pair[1][1], pair[0][1]
        if len(here) == 1:
            other = [item for item in new if item[1][0] != caller.name]
            return here[0][1], other[0][1]
        return new[-1][1], None

    def setup_link(self, link):
        """A device from an rt-link NEWLINK request; the peer moved and both brought up."""
        ns = self.ns(link.get("netns", "init"))
        self.ownership.check_link(ns.name, link["request"])
        if link.get("peer") is not None:
            self.ns(link["peer"].get("netns", link.get("netns", "init")))
        request = self.translate_newlink(link["request"])
        before = self.snapshot()
        fam = self.family(ns, "rt-link")
        out = self.transact(fam, "newlink", request, [NLM_F_CREATE, NLM_F_EXCL])
        self.close_fds(request)
        if out["kind"] == "error":
            kind = link["request"].get("linkinfo", {}).get("kind")
            if out["code"] == -errno.EOPNOTSUPP and out.get("extack", "").startswith("Unknown"):
                raise AgentError(f"this kernel has no {kind} devices: {out.get('extack')}",
                                 unsupported=True)
            raise AgentError(f"cannot create link {link['name']}: {json.dumps(out)}")
        primary, peer = self.created_devices(before, ns)
        if primary is None:
            raise AgentError(f"link {link['name']} created no device")
        self.track(link["name"], self.ns(primary[0]), primary[1])
        peer_decl = link.get("peer")
        if peer_decl is not None:
            if peer is None:
                raise AgentError(f"link {link['name']} has no peer to call {peer_decl['name']}")
            self.track(peer_decl["name"], self.ns(peer[0]), peer[1])
            target = self.ns(peer_decl.get("netns", link.get("netns", "init")))
            src = self.ns(peer[0])
            if target is not src:
                attrs = self.nla(IFLA_NET_NS_FD, struct.pack("I", target.fd))
                if peer[1] in self.links(target):
                    # `nk0` is taken there (the peer of an earlier link): use the symbol's name.
                    attrs += self.nla(IFLA_IFNAME, peer_decl["name"].encode() + b"\0")
                self.setlink(src, self.links(src)[peer[1]], attrs=attrs)
        self.resolve()
        for sym, up in ((link["name"], link.get("up", True)),
                        (peer_decl["name"] if peer_decl else None,
                         peer_decl.get("up", True) if peer_decl else False)):
            if sym is None or not up:
                continue
            where = self.symbols[sym]
            self.setlink(self.ns(where["netns"]), where["ifindex"], up=True)

    def translate_newlink(self, request):
        """Replaces peer-info `net-ns` names by open namespace fds (`net-ns-fd`)."""
        request = copy.deepcopy(request)
        data = request.get("linkinfo", {}).get("data")
        if isinstance(data, dict):
            for key in ("peer-info", "peer"):
                info = data.get(key)
                if isinstance(info, dict) and "net-ns" in info:
                    name = info.pop("net-ns")
                    info["net-ns-fd"] = os.open(self.ns(name).path or "/proc/self/ns/net",
                                                os.O_RDONLY | os.O_CLOEXEC)
        return request

    @staticmethod
    def close_fds(request):
        """Closes fds translate_newlink opened."""
        data = request.get("linkinfo", {}).get("data")
        if isinstance(data, dict):
            for key in ("peer-info", "peer"):
                info = data.get(key)
                if isinstance(info, dict) and "net-ns-fd" in info:
                    os.close(info["net-ns-fd"])

    # Steps --------------------------------------------------------------------------------------

    def apply(self, step):
        """Runs one step; returns the outcome and the symbols after it."""
        return {"outcome": self.outcome_of(step), "symbols": self.resolve()}

    def apply_many(self, steps):
        """Runs steps one after the other (a race's observation); returns their outcomes and
        the symbols after the last (read once: re-reading every device after every step is most
        of a step's cost in the VM)."""
        return {"outcomes": [self.outcome_of(step) for step in steps], "symbols": self.resolve()}

    def outcome_of(self, step, checked=False):
        """Runs one step; returns its outcome. ``checked``: its ownership was checked already (a
        race checks every step before the release: during the race a device another thread is
        deleting would look foreign)."""
        op = step["op"]
        # Before any system call that acts: everything the step names must be the scenario's.
        if not checked:
            self.ownership.check_step(op, step.get("netns", "init"), step.get("request", {}))
        if op in UNSUPPORTED_OPS:
            outcome = {"kind": "unsupported", "reason": UNSUPPORTED_OPS[op]}
        else:
            ns = self.ns(step.get("netns", "init"))
            if step.get("capNetAdmin", True):
                outcome = self.run_step(ns, step)
            else:
                outcome = self.unprivileged(ns, step)
        return outcome

    def unprivileged(self, ns, step):
        """Runs a step in a child without capabilities in the initial user namespace (root in
        a container's user namespace): it drops every capability, then creates its sockets.
        (unshare(CLONE_NEWUSER) is refused inside the guest's chroot.)"""
        if step["op"] not in ("queue-create", "queue-get", "bind-rx", "bind-tx", "getlink",
                              "newlink", "dellink", "channels-set", "xsk-bind"):
            return {"kind": "unsupported",
                    "reason": f"cap-net-admin: false is not supported for {step['op']}"}
        rfd, wfd = os.pipe()
        if ns is not self.root:
            self.enter(ns)
        pid = -1
        try:
            pid = os.fork()
        finally:
            if ns is not self.root and pid != 0:
                self.leave()
        if pid == 0:  # child
            os.close(rfd)
            try:
                drop_capabilities()
                child_ns = Netns(ns.name, ns.runtime, ns.path, ns.fd, ns.sysdir, ns.fresh)
                for name, base in self.base.items():
                    child_ns.families[name] = self.clone_family(base)
                result = self.run_step(child_ns, step, in_child=True)
            except Exception as e:  # pylint: disable=broad-except
                result = {"agent-error": f"{type(e).__name__}: {e}"}
            os.write(wfd, json.dumps(result, default=to_json).encode())
            os._exit(0)
        os.close(wfd)
        result = json.loads(read_all(rfd) or b"{}")
        os.waitpid(pid, 0)
        if "agent-error" in result or not result:
            raise AgentError(result.get("agent-error", "the unprivileged child died"))
        return result

    # Races ----------------------------------------------------------------------------------------

    # Operations that change the agent's own records of the scenario (its namespaces, bindings,
    # devices it named): a race thread with one runs in the agent itself, not in a child.
    RACE_IN_AGENT = ("netns-delete", "close", "xsk-bind", "newlink")
    RACE_READY_TIMEOUT = 60.0

    def race(self, threads, jitter_us, seed):
        """Runs the threads at once: each in a forked child with netlink sockets of its own
        (opened before the release), released together through one pipe, each after a random
        delay of up to jitter_us microseconds; at most one thread whose operations change the
        agent's records runs in the agent itself. Children keep what their steps bound until
        teardown. Returns every thread's outcomes and the symbols after the race."""
        for t in threads:
            for step in t["steps"]:
                self.ownership.check_step(step["op"], step.get("netns", "init"),
                                          step.get("request", {}))
                if step["op"] in UNSUPPORTED_OPS:
                    return self.race_unsupported(threads, UNSUPPORTED_OPS[step["op"]])
        inside = [t for t in threads
                  if any(s["op"] in self.RACE_IN_AGENT or not s.get("capNetAdmin", True)
                         for s in t["steps"])]
        if len(inside) > 1:
            return self.race_unsupported(
                threads, "at most one thread of a race may create or delete namespaces, devices "
                         "or bindings the agent keeps records of")
        go_r, go_w = os.pipe()
        children = []
        try:
            for k, t in enumerate(threads):
                if t in inside:
                    continue
                ready_r, ready_w = os.pipe()
                res_r, res_w = os.pipe()
                exit_r, exit_w = os.pipe()
                pid = os.fork()
                if pid == 0:  # child
                    code = 0
                    try:
                        for fd in (ready_r, res_r, exit_w, go_w):
                            os.close(fd)
                        self.race_child(t, k, seed, jitter_us, go_r, ready_w, res_w, exit_r)
                    except BaseException:  # pylint: disable=broad-except
                        code = 1
                    finally:
                        os._exit(code)  # pylint: disable=protected-access
                for fd in (ready_w, res_w, exit_r):
                    os.close(fd)
                self.race_children.append((pid, exit_w))
                children.append((t, ready_r, res_r))
            for t, ready_r, _ in children:
                ready, _, _ = select.select([ready_r], [], [], self.RACE_READY_TIMEOUT)
                if not ready or os.read(ready_r, 1) != b"r":
                    raise AgentError(f"race thread {t['thread']} did not get ready")
                os.close(ready_r)
            os.write(go_w, b"g" * max(1, len(children)))
            outcomes = {}
            for t in inside:
                self.race_delay(seed, threads.index(t), jitter_us)
                outcomes[t["thread"]] = [self.outcome_of(step, checked=True)
                                         for step in t["steps"]]
            removed = set()
            for t, _, res_r in children:
                result = json.loads(read_all(res_r) or b"{}")
                if "agent-error" in result or "outcomes" not in result:
                    raise AgentError(f"race thread {t['thread']} failed: "
                                     f"{result.get('agent-error', 'the child died')}")
                outcomes[t["thread"]] = result["outcomes"]
                removed |= set(self.nsim) - set(result["nsim"])
            self.nsim = [d for d in self.nsim if d not in removed]
        finally:
            os.close(go_r)
            os.close(go_w)
        return {"outcomes": outcomes, "symbols": self.resolve()}

    def race_unsupported(self, threads, reason):
        """Every thread's every step unsupported, for the reason."""
        return {"outcomes": {t["thread"]: [{"kind": "unsupported", "reason": reason}
                                           for _ in t["steps"]] for t in threads},
                "symbols": self.resolve()}

    @staticmethod
    def race_delay(seed, k, jitter_us):
        """Thread k's delay after the release: busy-waits (sleep is too coarse) a random
        0..jitter_us microseconds, the same for the same seed."""
        delay = random.Random(seed * 7919 + k).uniform(0, jitter_us) / 1e6
        end = time.perf_counter() + delay
        while time.perf_counter() < end:
            pass

    def race_child(self, t, k, seed, jitter_us, go_r, ready_w, res_w, exit_r):
        """One thread of a race, in a forked child (see ``race``)."""
        # The parent's sockets are the parent's: drop this process's copies (which releases
        # nothing of the parent's), then open this thread's own before the release.
        for ns in self.namespaces.values():
            ns.close_sockets()
        for binding in self.bindings.values():
            binding.sock.close()
        self.bindings = {}
        self.race_children = []
        try:
            for step in t["steps"]:
                ns = self.ns(step.get("netns", "init"))
                for fam in ("netdev", "rt-link"):
                    if fam in self.base:
                        self.family(ns, fam)
                self.rt_socket(ns)
            # A namespace this thread does not act in must not be kept alive by it: another
            # thread may delete it (the copies of its fd would hold it until the child exits).
            needed = {step.get("netns", "init") for step in t["steps"]}
            needed |= {step.get("request", {}).get("netns") for step in t["steps"]
                       if step["op"] == "netns-move"}
            for name, ns in self.namespaces.items():
                if name not in needed and ns is not self.root and ns.fd >= 0:
                    os.close(ns.fd)
                    ns.fd = -1
            os.write(ready_w, b"r")
            os.close(ready_w)
            if os.read(go_r, 1) != b"g":
                raise AgentError("the race was called off before the release")
            self.race_delay(seed, k, jitter_us)
            outcomes = [self.run_step(self.ns(step.get("netns", "init")), step)
                        for step in t["steps"]]
            result = {"outcomes": outcomes, "nsim": self.nsim}
        except Exception as e:  # pylint: disable=broad-except
            result = {"agent-error": f"{type(e).__name__}: {e}"}
        # Hold nothing that keeps a namespace alive but what the steps bound (a namespace
        # another thread deletes goes when its last reference does).
        for ns in self.namespaces.values():
            ns.close_sockets()
            if ns.fd >= 0 and ns is not self.root:
                os.close(ns.fd)
                ns.fd = -1
        write_all(res_w, json.dumps(result, default=to_json).encode())
        os.close(res_w)
        os.read(exit_r, 1)  # until teardown: the bindings made here live until then

    def end_race_children(self):
        """Lets the race children go (their bindings with them) and waits for them."""
        for pid, exit_w in self.race_children:
            os.close(exit_w)
        for pid, _ in self.race_children:
            os.waitpid(pid, 0)
        self.race_children = []

    def run_step(self, ns, step, in_child=False):
        """Dispatches one step (the agent is in the initial namespace unless in_child)."""
        op = step["op"]
        req = step.get("request", {})
        enter = (lambda fn, *a: fn(*a)) if in_child else (lambda fn, *a: self.in_ns(ns, fn, *a))
        if op in PLAIN_YNL_OPS:
            ynl = CATALOGUE[op]["ynl"]
            dump = bool(step.get("dump"))
            return self.transact(self.family(ns, ynl["family"]), ynl["dump" if dump else "do"], req,
                                 dump=dump)
        if op == "getlink":
            return self.transact(self.family(ns, "rt-link"), "getlink", req)
        if op == "dellink":
            return self.transact(self.family(ns, "rt-link"), "dellink", req)
        if op == "newlink":
            return self.step_newlink(ns, step)
        if op in ("bind-rx", "bind-tx"):
            # The binding lives as long as the socket that made it: a socket of its own.
            fam = enter(self.clone_family, self.base["netdev"])
            out = self.transact(fam, op, req)
            if out["kind"] == "reply" and not in_child:
                self.add_binding(step, Binding(ns, fam.sock))
            else:
                fam.sock.close()
            return out
        if op == "xsk-bind":
            return enter(self.xsk_bind, ns, step)
        if op == "close":
            binding = self.bindings.pop(req.get("binding"), None)
            if binding is None:
                return error_outcome(errno.EBADF)
            binding.close()
            if binding.queue is not None:
                self.settle_xsk_release(binding)
            return {"kind": "reply", "reply": None}
        if op == "link-set":
            return self.netlink_action(lambda: self.setlink(ns, req["ifindex"], up=req["up"]))
        if op == "netns-move":
            target = self.ns(req["netns"])
            return self.netlink_action(lambda: self.setlink(
                ns, req["ifindex"], attrs=self.nla(IFLA_NET_NS_FD, struct.pack("I", target.fd))))
        if op == "phys-remove":
            name = self.name_of(ns, req["ifindex"])
            if name is None:
                return error_outcome(errno.ENODEV)
            dev_id = self.nsim_of(ns, name)
            if dev_id is None:
                return {"kind": "unsupported", "reason": f"{name} is not a netdevsim port"}
            if dev_id not in self.nsim:
                raise Refused(f"refusing to remove netdevsim{dev_id} ({name}): not created by "
                              "this scenario")
            with open("/sys/bus/netdevsim/del_device", "w", encoding="ascii") as f:
                f.write(str(dev_id))
            if dev_id in self.nsim:
                self.nsim.remove(dev_id)
            return {"kind": "reply", "reply": None}
        if op == "netns-set-id":
            # `ip -n NS netns set PEER ID`: RTM_NEWNSID from ns, the peer named by a file.
            peer = self.ns(req["netns"])
            body = struct.pack("Bxxx", 0)
            attrs = self.nla(NETNSA_NSID, struct.pack("i", req["nsid"]))
            attrs += self.nla(NETNSA_FD, struct.pack("I", peer.fd))
            return self.netlink_action(lambda: self.rtnl(ns, RTM_NEWNSID, 0, body, attrs))
        if op == "netns-delete":
            target = self.ns(req["netns"])
            if target.name == "init":
                return {"kind": "unsupported", "reason": "the initial namespace cannot be deleted"}
            held = sorted(k for k, b in self.bindings.items() if b.netns is target)
            if held:
                # A socket holds a reference on the namespace it was created in: while the
                # scenario's binding is open the namespace would not be destroyed, and closing
                # it first would be a step the scenario does not have.
                return {"kind": "unsupported",
                        "reason": f"binding(s) {', '.join(map(str, held))} were made in "
                                  f"{target.name}: their sockets keep it alive, so it cannot be "
                                  "destroyed without closing them first"}
            ports = self.nsim_ports(target)
            self.destroy_ns(target)
            del self.namespaces[target.name]
            self.take_back(ports)
            return {"kind": "reply", "reply": None}
        return {"kind": "unsupported", "reason": f"the agent has no operation {op}"}

    @staticmethod
    def netlink_action(fn):
        """Runs an agent-internal netlink request; its error becomes the outcome."""
        try:
            fn()
        except NetlinkFailure as e:
            return error_outcome(-e.code, e.extack)
        return {"kind": "reply", "reply": None}

    def step_newlink(self, ns, step):
        """NEWLINK: create (CREATE|EXCL), or change the device `ifi-index` names."""
        req = self.translate_newlink(step.get("request", {}))
        fam = self.family(ns, "rt-link")
        try:
            if "ifi-index" in req:
                return self.transact(fam, "newlink", req)
            before = self.snapshot()
            out = self.transact(fam, "newlink", req, [NLM_F_CREATE, NLM_F_EXCL])
        finally:
            self.close_fds(req)
        if out["kind"] == "reply":
            primary, peer = self.created_devices(before, ns)
            defines = step.get("defines", {})
            for sym, dev in ((defines.get("device"), primary), (defines.get("peer"), peer)):
                if dev is not None:
                    self.seq += 1
                    self.track(sym or f"~{self.seq}", self.ns(dev[0]), dev[1])
        return out

    def add_binding(self, step, binding):
        """Records a binding under the step's `defines.binding` symbol."""
        bid = self.next_binding
        self.next_binding += 1
        self.bindings[bid] = binding
        sym = step.get("defines", {}).get("binding")
        if sym:
            self.symbols[sym] = {"kind": "binding", "id": bid}

    def xsk_bind(self, ns, step):
        """An AF_XDP socket with a umem, fill/completion and rx rings, bound to ifindex/queue."""
        req = step.get("request", {})
        try:
            sock = socket.socket(AF_XDP, socket.SOCK_RAW, 0)
        except OSError as e:
            return error_outcome(e.errno)
        size = 16 * 4096
        umem = mmap.mmap(-1, size)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(umem))
        try:
            reg = struct.pack("QQIIII", addr, size, 4096, 0, 0, 0)
            sock.setsockopt(SOL_XDP, XDP_UMEM_REG, reg)
            for opt in (XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING, XDP_RX_RING):
                sock.setsockopt(SOL_XDP, opt, 64)
            mode = req.get("mode")
            flags = XDP_COPY if mode == "copy" else XDP_ZEROCOPY if mode == "zerocopy" else 0
            sxdp = struct.pack("HHIII", AF_XDP, flags, req["ifindex"], req["queue-id"], 0)
            buf = ctypes.create_string_buffer(sxdp)
            check(libc.bind(sock.fileno(), buf, len(sxdp)), "bind AF_XDP")
            opts = sock.getsockopt(SOL_XDP, XDP_OPTIONS, 4)
            zero_copy = bool(struct.unpack("I", opts)[0] & XDP_OPTIONS_ZEROCOPY)
        except OSError as e:
            sock.close()
            return error_outcome(e.errno)
        self.add_binding(step, Binding(ns, sock, umem, (req["ifindex"], req["queue-id"])))
        return {"kind": "reply", "reply": {"zero-copy": zero_copy}}

    def settle_xsk_release(self, binding, timeout=10.0):
        """Waits until the closed AF_XDP socket's pool left its queue (fact XSK-10).

        Closing the socket only schedules the pool's release: xsk_destruct -> xp_put_pool ->
        schedule_work(xp_release_deferred), which takes RTNL and clears the queue's pool
        (xp_clear_dev -> xsk_clear_pool_at_qid, the leased physical queue too). Until that work
        ran, queue-get still shows `xsk` on the queue. The model's close is the settled state, so
        the agent waits for it, up to `timeout`; the race itself is not certified. The work
        waits for RTNL, which a backlog of namespace cleanups (a race corpus deletes a thousand
        namespaces) can hold for seconds: 2 s was seen to be too short on 7.2.13 in CI."""
        ifindex, queue = binding.queue
        fam = self.family(binding.netns, "netdev")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.transact(fam, "queue-get", {"ifindex": ifindex, "id": queue, "type": "rx"})
            if out["kind"] != "reply" or "xsk" not in (out.get("reply") or {}):
                return
            time.sleep(0.005)

    # Teardown -----------------------------------------------------------------------------------

    def teardown(self):
        """Deletes everything the scenario created; returns what it did and what was left.

        Its netdevsim devices go first: a namespace holding one of their ports would otherwise
        hand the port to the agent's own initial namespace when it is destroyed (NS-5).
        """
        report = {"waited": 0.0, "left": []}
        self.end_race_children()
        for binding in self.bindings.values():
            binding.close()
        self.bindings.clear()
        for dev_id in self.nsim:
            try:
                with open("/sys/bus/netdevsim/del_device", "w", encoding="ascii") as f:
                    f.write(str(dev_id))
            except OSError as e:
                report["left"].append(f"netdevsim{dev_id}: {e}")
        self.nsim = []
        for ns in list(self.namespaces.values()):
            if ns.fresh:
                report["waited"] += self.destroy_ns(ns)
        if self.share_root:
            # Only what the scenario created in the shared namespace: devices it marked.
            for name, idx in sorted(self.links(self.root).items(), key=lambda kv: -kv[1]):
                if self.owned(self.root, name):
                    try:
                        self.dellink(self.root, idx)
                    except NetlinkFailure:
                        pass  # already gone with its pair
        for name in self.links(self.root):
            alias = self.alias(self.root, name)
            if alias.startswith("lc:") and alias[3:] in self.tracked:
                report["left"].append(f"{name} ({alias}) in the agent's own namespace")
        self.reset()
        kmsg, self.kmsg = getattr(self, "kmsg", None), None
        if kmsg is not None:
            report["kernel_log"] = kmsg.splats()
        # Only taint the kernel took since the agent started (what a scenario did to it).
        now = kernel_taint()
        report["tainted"] = (now & ~self.boot_taint
                             if now is not None and self.boot_taint is not None else 0)
        self.boot_taint = now if now is not None else self.boot_taint
        return report

    def nsim_ports(self, ns):
        """(name, ifindex, netdevsim id, ifalias) of the scenario's netdevsim ports in ns."""
        return [(name, idx, self.nsim_of(ns, name), self.alias(ns, name))
                for name, idx in self.links(ns).items() if self.nsim_of(ns, name) in self.nsim]

    def take_back(self, ports, timeout=5.0):
        """After a scenario namespace was destroyed, the kernel moved its netdevsim ports into
        the agent's own initial namespace (default_device_exit_net: devices without
        rtnl_link_ops go to init_net). The agent moves each back into the scenario's `init`,
        giving it the ifindex and name the kernel would have given it there: its ifindex when
        free, its name when free, else `dev<ifindex>`, else `dev%d`.

        A netdevsim device created inside the deleted namespace has its devlink instance there:
        devlink_pernet_pre_exit() reloads it into init_net, which re-creates the port (a new
        device, without the agent's mark). It is still a port of the scenario's netdevsim
        instance, so the agent marks it again."""
        if self.share_root:
            return  # the scenario's init is the initial namespace: the kernel's own result
        init = self.namespaces["init"]
        for name, ifindex, dev_id, alias in ports:
            start = time.monotonic()
            here = None
            while here is None:
                here = next((n for n in self.links(self.root)
                             if self.nsim_of(self.root, n) == dev_id), None)
                if here is None:
                    if time.monotonic() - start > timeout:
                        raise AgentError(f"netdevsim{dev_id} ({name}) did not come back")
                    time.sleep(0.005)
            taken = self.links(init)
            desired = name
            if desired in taken:
                desired = f"dev{ifindex}" if f"dev{ifindex}" not in taken else "dev%d"
            attrs = self.nla(IFLA_NET_NS_FD, struct.pack("I", init.fd))
            attrs += self.nla(IFLA_IFNAME, desired.encode() + b"\0")
            if ifindex not in taken.values():
                attrs += self.nla(IFLA_NEW_IFINDEX, struct.pack("i", ifindex))
            self.setlink(self.root, self.links(self.root)[here], attrs=attrs)
            back = next((n for n in self.links(init) if self.nsim_of(init, n) == dev_id), None)
            if back is None:
                raise AgentError(f"netdevsim{dev_id} ({name}) did not reach {init.name}")
            if alias and self.alias(init, back) != alias:
                self.set_alias(init, back, alias)

    # Test fixtures (the VM's hostile-scenario test) -----------------------------------------------

    FIXTURES = ("hostnic0", "hostnk0")

    def make_fixtures(self):
        """Devices a scenario must never touch, in the agent's own namespace, made before any
        scenario: a netdevsim port `hostnic0` with 4 channels (a host NIC) and a netkit device
        `hostnk0` in single mode (a production netkit, as Cilium's). The project's kernel has no
        dummy driver (CONFIG_DUMMY is off)."""
        dev_id = 99
        before = set(self.links(self.root))
        with open("/sys/bus/netdevsim/new_device", "w", encoding="ascii") as f:
            f.write(f"{dev_id} 1 4")
        for _ in range(400):
            new = [n for n in self.links(self.root)
                   if n not in before and self.nsim_of(self.root, n) == dev_id]
            if new:
                break
            time.sleep(0.005)
        else:
            raise AgentError("the fixture netdevsim device created no port")
        idx = self.links(self.root)[new[0]]
        self.setlink(self.root, idx, attrs=self.nla(IFLA_IFNAME, b"hostnic0\0"))
        self.raw_transact_ynl(self.root, "rt-link", "newlink", {
            "ifname": "hostnk0", "linkinfo": {"kind": "netkit", "data": {"pairing": "single"}},
        }, [NLM_F_CREATE, NLM_F_EXCL])
        for name in self.FIXTURES:
            # No IPv6 autoconfiguration: its router solicitations would change the counters.
            with open(f"/proc/sys/net/ipv6/conf/{name}/disable_ipv6", "w", encoding="ascii") as f:
                f.write("1")
            self.setlink(self.root, self.links(self.root)[name], up=True)

    def fixtures(self):
        """Everything the kernel says about the fixtures and the agent's own namespace: the
        full GETLINK of each fixture, hostnic0's channels, and the namespace's device list."""
        out = {"links": self.links(self.root)}
        for name in self.FIXTURES:
            out[name] = self.transact(self.family(self.root, "rt-link"), "getlink",
                                      {"ifname": name})
        out["hostnic0-channels"] = self.transact(self.family(self.root, "ethtool"),
                                                 "channels-get", {"header": {"dev-name": "hostnic0"}})
        return out

    def hello(self):
        """Identification and capabilities."""
        return {
            "agent": AGENT_VERSION,
            "release": os.uname().release,
            "ops": OPS,
            "kernel_log": KernelLog.readable(),
            "unsupported": UNSUPPORTED_OPS,
            "physical": ["netdevsim"],
            # Every scenario namespace, `init` included, is created for the scenario.
            "isolation": "shared-root" if self.share_root else "scenario-namespaces",
        }


def read_all(fd):
    """Everything a pipe gives until its writers close it; closes fd."""
    chunks = []
    try:
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def kernel_taint():
    """The kernel's taint flags (/proc/sys/kernel/tainted; 0: clean), or None if unreadable."""
    try:
        with open("/proc/sys/kernel/tainted", encoding="ascii") as f:
            return int(f.read().strip() or "0")
    except (OSError, ValueError):
        return None


class KernelLog:
    """The kernel log from the moment it is opened (/dev/kmsg, read without blocking): what the
    kernel reported during a scenario. ``splats`` keeps the lines that say the kernel found a bug
    in itself: a WARN or BUG, a lockdep report, KASAN, a refcount or ref_tracker warning, a hung
    task, a device whose references never went (``unregister_netdevice: waiting for``)."""

    SPLAT = re.compile(
        r"WARNING:|BUG:|Oops|general protection fault|KASAN|UBSAN|possible circular locking|"
        r"possible recursive locking|inconsistent lock state|suspicious RCU usage|"
        r"refcount_t:|ref_tracker|unregister_netdevice: waiting for|blocked for more than|"
        r"kernel BUG at|Call Trace:")
    MAX_LINES = 40

    def __init__(self, fd):
        self.fd = fd

    @staticmethod
    def readable():
        """Whether /dev/kmsg can be read here (hello says so; the report names it)."""
        try:
            os.close(os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK))
            return True
        except OSError:
            return False

    @classmethod
    def open(cls):
        """Opened at the end of the log; None when /dev/kmsg cannot be read (then nothing is
        reported, and hello's ``kernel_log: false`` puts "not checked" in the report)."""
        try:
            fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return None
        os.lseek(fd, 0, os.SEEK_END)
        return cls(fd)

    def splats(self):
        """The splat lines logged since ``open`` (at most MAX_LINES); closes the log."""
        out = []
        try:
            while True:
                try:
                    record = os.read(self.fd, 8192)
                except BlockingIOError:
                    break
                except BrokenPipeError:
                    out.append("(kernel log records were overwritten before they were read)")
                    continue
                if not record:
                    break
                text = record.decode("utf-8", "replace")
                message = text.split(";", 1)[1] if ";" in text else text
                line = message.split("\n", 1)[0].strip()
                if self.SPLAT.search(line) and len(out) < self.MAX_LINES:
                    out.append(line)
        finally:
            os.close(self.fd)
        return out


class DescribedWorld:
    """An OwnershipCheck world from JSON (tests): {"namespaces": {name: {"devices":
    {ifindex: {"name": ..., "owned": bool, "nsim": id}}, "nsids": {id: name | null}}},
    "nsim": [ids]}; an nsid mapped to null is FOREIGN."""

    def __init__(self, desc):
        self.desc = desc
        self.namespaces = set(desc["namespaces"])

    def _devices(self, ns):
        return self.desc["namespaces"][ns].get("devices", {})

    def device(self, ns, ifindex):
        d = self._devices(ns).get(str(ifindex))
        return None if d is None else (d["name"], d["owned"])

    def device_by_name(self, ns, name):
        for idx, d in self._devices(ns).items():
            if d["name"] == name:
                return int(idx), d["owned"]
        return None

    def nsid(self, ns, nsid):
        table = self.desc["namespaces"][ns].get("nsids", {})
        if str(nsid) not in table:
            return None
        return table[str(nsid)] if table[str(nsid)] is not None else FOREIGN

    def nsim_owned(self, ns, ifindex):
        d = self._devices(ns).get(str(ifindex), {})
        return d.get("nsim") is None or d["nsim"] in self.desc.get("nsim", [])


def check_cases(infile, outfile):
    """Runs {"world", "cases": [{"op", "netns", "request"}]} through OwnershipCheck; prints one
    result per case: {"ok": true} or {"refused": message}."""
    doc = json.load(infile)
    checker = OwnershipCheck(DescribedWorld(doc["world"]))
    out = []
    for case in doc["cases"]:
        try:
            if case.get("link"):
                checker.check_link(case["netns"], case["request"])
            else:
                checker.check_step(case["op"], case["netns"], case["request"])
            out.append({"ok": True})
        except Refused as e:
            out.append({"refused": str(e)})
    json.dump(out, outfile)
    return 0


def open_channel(args):
    """The (read fd, write fd) of the request channel."""
    if args.stdio:
        return sys.stdin.fileno(), sys.stdout.fileno()
    deadline = time.monotonic() + 30
    while True:
        base = "/sys/class/virtio-ports"
        for port in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            with open(f"{base}/{port}/name", encoding="ascii") as f:
                if f.read().strip() == args.port:
                    fd = os.open(f"/dev/{port}", os.O_RDWR)
                    return fd, fd
        if time.monotonic() > deadline:
            raise SystemExit(f"agent: no virtio port named {args.port}")
        time.sleep(0.05)


def to_json(value):
    """JSON for values ynl decodes into non-JSON types: sets (flags), bytes (binary)."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_reply(reply):
    """One JSON line; a reply that cannot be encoded becomes an error reply."""
    try:
        return json.dumps(reply, default=to_json).encode() + b"\n"
    except (TypeError, ValueError) as e:
        return json.dumps({"id": reply.get("id"), "ok": False, "unsupported": False,
                           "error": f"cannot encode the reply: {e}"}).encode() + b"\n"


def write_all(fd, data):
    """Writes all of data to fd."""
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [], 1.0)
            continue
        view = view[n:]


def serve(args):
    """The request loop."""
    rfd, wfd = open_channel(args)
    agent = None
    init_error = None
    started = time.monotonic()
    try:
        agent = Agent(args.src, share_root=args.share_root_netns)
        if args.test_fixtures:
            agent.make_fixtures()
    except Exception as e:  # pylint: disable=broad-except
        init_error = f"agent start failed: {type(e).__name__}: {e}\n{traceback.format_exc()}"
    ready = time.monotonic() - started
    buf = b""
    while True:
        while b"\n" not in buf:
            chunk = os.read(rfd, 65536)
            if not chunk:
                if args.stdio:
                    return 0
                time.sleep(0.05)  # host not connected
                continue
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        if not line.strip():
            continue
        reply = {"id": None, "ok": False}
        try:
            req = json.loads(line)
            reply["id"] = req.get("id")
            cmd = req.get("cmd")
            t0 = time.monotonic()
            if init_error is not None:
                raise AgentError(init_error)
            if cmd == "hello":
                result = dict(agent.hello(), start=ready)
            elif cmd == "setup":
                result = {"symbols": agent.setup(req["topology"])}
            elif cmd == "apply":
                result = agent.apply(req["step"])
            elif cmd == "apply_many":
                result = agent.apply_many(req["steps"])
            elif cmd == "race":
                result = agent.race(req["threads"], int(req.get("jitter_us", 0)),
                                    int(req.get("seed", 0)))
            elif cmd == "teardown":
                result = agent.teardown()
            elif cmd == "fixtures" and args.test_fixtures:
                result = agent.fixtures()
            elif cmd == "kmsg" and args.test_fixtures:
                # Test only: a line in the kernel log, as a splat would be (KernelLog).
                with open("/dev/kmsg", "w", encoding="utf-8") as f:
                    f.write(str(req["line"]) + "\n")
                result = {}
            elif cmd == "exit":
                write_all(wfd, json.dumps({"id": reply["id"], "ok": True, "result": {}}).encode()
                          + b"\n")
                return 0
            else:
                raise AgentError(f"unknown command {cmd!r}")
            reply = {"id": reply["id"], "ok": True, "result": result,
                     "seconds": round(time.monotonic() - t0, 4)}
        except Refused as e:
            reply.update(error=str(e), unsupported=False, refused=True)
        except AgentError as e:
            reply.update(error=str(e), unsupported=e.unsupported)
        except Exception as e:  # pylint: disable=broad-except
            reply.update(error=f"{type(e).__name__}: {e}", unsupported=False,
                         trace=traceback.format_exc())
        write_all(wfd, encode_reply(reply))


def load_catalogue(path):
    """Reads the operation catalogue; every operation is one the agent performs or explains."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    CATALOGUE.clear()
    CATALOGUE.update({o["name"]: o for o in doc["operations"]})
    OPS[:] = [name for name in CATALOGUE if name not in UNSUPPORTED_OPS]


def default_catalogue():
    """operations.json next to this file (the VM's copy), else the repository's spec/."""
    here = os.path.dirname(os.path.abspath(__file__))
    beside = os.path.join(here, "operations.json")
    if os.path.exists(beside):
        return beside
    return os.path.join(here, "..", "spec", "operations.json")


def main():
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--src", help="kernel source tree (for the ynl library)")
    parser.add_argument("--port", default="lc.agent", help="virtio-serial port name")
    parser.add_argument("--catalogue", default=None,
                        help="the operation catalogue (default: operations.json beside the agent)")
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout")
    parser.add_argument("--share-root-netns", action="store_true",
                        help="tests in the VM only: the scenario's init is the agent's own "
                             "namespace, so that only the ownership check protects it")
    parser.add_argument("--test-fixtures", action="store_true",
                        help="tests in the VM only: make devices in the agent's own namespace "
                             "that scenarios must not touch, and answer `fixtures`")
    parser.add_argument("--ownership-table", action="store_true",
                        help="print the attribute classification of the ownership check")
    parser.add_argument("--check-raw-tables", action="store_true",
                        help="check a JSON {set: {number: name}} from stdin against the "
                             "ownership tables' raw numbers (tests)")
    parser.add_argument("--check-ownership", action="store_true",
                        help="check JSON cases from stdin against a described world (tests)")
    args = parser.parse_args()
    load_catalogue(args.catalogue or default_catalogue())
    if args.ownership_table:
        print(json.dumps(ownership_table(), sort_keys=True))
        return 0
    if args.check_ownership:
        return check_cases(sys.stdin, sys.stdout)
    if args.check_raw_tables:
        sets = {space: {int(n): name for n, name in nums.items()}
                for space, nums in json.load(sys.stdin).items()}
        print(json.dumps({"problem": raw_table_problem(sets)}))
        return 0
    if args.src is None:
        parser.error("--src is required")
    if (args.share_root_netns or args.test_fixtures) and args.stdio:
        parser.error("--share-root-netns and --test-fixtures are for the certification VM "
                     "only, never a host")
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
