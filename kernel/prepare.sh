#!/usr/bin/env bash
# Builds Linux kernels for certifying the model against the real thing. Two sources:
#
#  - Debian's `linux-source-7.N` (>= 7.1): the newest version of a series across the Debian
#    suites in $LEASECHECK_SUITES (default: sid trixie-backports experimental forky), each read
#    through a private apt configuration of its own (the machine's apt sources are never
#    changed). Unpacked under $cache/src/KEY and built there.
#  - A kernel developer's own tree (--tree PATH, e.g. net-next with a patch under review): built
#    out of tree (make O=$cache/obj/KEY), so the tree itself is never written to. KEY comes from
#    `git describe` plus a hash of the uncommitted changes, or, without git, a hash of the content.
#
# Both get the same configuration (netkit, netdevsim, AF_XDP, io_uring, devmem, 9p) and a busybox
# initramfs that mounts the host's root read-only over 9p. Each build is cached under
# $LEASECHECK_CACHE (default /var/cache/leasecheck):
#
#   apt/SUITE/             private apt configuration, package lists and downloads of one suite
#   src/KEY/               an unpacked Debian source (leasecheck's own; built in place)
#   src/KEY-debug/         a second unpacked copy of it for the --debug build (never src/KEY)
#   obj/KEY/               the object tree of a --tree build
#   kernel/KEY/            bzImage, initramfs.cpio.gz, build.log, kernelrelease, build.info,
#                          src/ (the ynl library and netlink specs of that very tree, which the
#                          guest agent uses)
#   locks/                 flock(1) files: concurrent runs wait for each other
#
# KEY is `linux-source-SERIES-VERSION` for Debian (VERSION with `~` and `:` written `_`, since
# guest paths allow only letters, digits and ._/+-) and `tree-DESCRIBE[-dirty-HASH]` or
# `tree-VERSION-content-HASH` for a tree; a --debug build of a Debian source is KEY-debug.
#
# Usage: kernel/prepare.sh [--kernel SERIES[,SERIES...]|all] [--debug] [--max-builds N] [--force]
#                          [--initramfs-only]
#        kernel/prepare.sh --tree PATH [--force] [--key]
#   --kernel 7.3      the newest Debian source of that series (default: the newest series)
#   --kernel all      the newest source of every series >= 7.1 any suite has
#   --tree PATH       build that kernel source tree (out of tree; the tree is only read)
#   --key             with --tree: print the cache key of the tree as it is now; build nothing
#   --debug           the debug variant of each Debian build (KEY-debug): the same configuration
#                     plus lockdep, DEBUG_NET, KASAN and DEBUG_OBJECTS (DEBUG_CONFIG_ARGS below),
#                     from its own unpacked source; the normal build is left as it is
#   --max-builds N    build at most N kernels in this run: a series whose newest version is not
#                     built yet but that has an older build uses that build (and says so); CI
#                     passes 1 to stay within its time budget (a build takes 10 to 75 minutes)
#   --force           refresh the package lists and rebuild
#   --initramfs-only  rebuild only the initramfs of every cached build (offline, seconds)
# Prints each kernel directory on stdout when done.
set -euo pipefail

cache=${LEASECHECK_CACHE:-/var/cache/leasecheck}
read -r -a suites <<<"${LEASECHECK_SUITES:-sid trixie-backports experimental forky}"
mirror=${LEASECHECK_MIRROR:-http://deb.debian.org/debian}
usage='usage: kernel/prepare.sh [--kernel SERIES[,SERIES...]|all] [--debug] [--max-builds N] [--force] [--initramfs-only]
       kernel/prepare.sh --tree PATH [--force] [--key]'
say() { printf 'kernel:prepare: %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}
usage_error() {
  printf 'kernel/prepare.sh: %s\n%s\n' "$1" "$usage" >&2
  exit 2
}

force=0
max_builds=""
builds_done=0
initramfs_only=0
key_only=0
debug=0
kernels=""
tree=""
while (($#)); do
  case $1 in
    --force) force=1 ;;
    --initramfs-only) initramfs_only=1 ;;
    --key) key_only=1 ;;
    --debug) debug=1 ;;
    --kernel | --tree | --max-builds)
      (($# >= 2)) || usage_error "$1 needs a value"
      case $1 in
        --kernel) kernels=$2 ;;
        --tree) tree=$2 ;;
        *) max_builds=$2 ;;
      esac
      shift
      ;;
    --max-builds=*) max_builds=${1#--max-builds=} ;;
    --kernel=*) kernels=${1#--kernel=} ;;
    --tree=*) tree=${1#--tree=} ;;
    -h | --help)
      printf '%s\n' "$usage"
      exit 0
      ;;
    *) usage_error "unknown argument \"$1\"" ;;
  esac
  shift
done
[[ -n $tree && -n $kernels ]] && usage_error "--kernel and --tree exclude each other"
[[ -z $max_builds || $max_builds =~ ^[0-9]+$ ]] || usage_error "--max-builds needs a number, not \"$max_builds\""
((key_only)) && [[ -z $tree ]] && usage_error "--key needs --tree PATH"
((initramfs_only)) && [[ -n $tree || -n $kernels ]] && usage_error "--initramfs-only takes no --kernel or --tree"
((debug)) && [[ -n $tree ]] && usage_error "--debug builds Debian sources only (--kernel), not --tree"
((debug && initramfs_only)) && usage_error "--initramfs-only takes no --debug (it rebuilds every cached initramfs)"
# The suffix of a debug build's key and folders.
variant=""
((debug)) && variant=-debug
if [[ -n $kernels ]]; then
  IFS=, read -r -a wanted <<<"$kernels"
  for s in "${wanted[@]}"; do
    [[ $s == all || $s =~ ^[0-9]+\.[0-9]+$ ]] ||
      usage_error "--kernel takes a series such as 7.3, a comma list, or all; not \"$s\""
  done
fi

# ---------------------------------------------------------------------------------------------
# Keys and locks

# A Debian version as a path component: `~` and `:` (never `_` in a Debian version) become `_`.
sanitise_version() { printf '%s' "${1//[~:]/_}"; }

declare -A lock_fds=()
lock() { # $1 = name; held until `unlock $1` or the end of the script
  local fd
  mkdir -p "$cache/locks" 2>/dev/null || die "cannot create $cache/locks (run as root, or set LEASECHECK_CACHE)"
  command -v flock >/dev/null 2>&1 || return 0
  exec {fd}>"$cache/locks/$1"
  lock_fds[$1]=$fd
  if ! flock -n "$fd"; then
    say "waiting for another kernel/prepare.sh working on $1"
    flock "$fd"
  fi
}
unlock() { # $1 = name
  local fd=${lock_fds[$1]:-}
  [[ -n $fd ]] || return 0
  exec {fd}>&-
  unset "lock_fds[$1]"
}

path_part() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }

# The key of a tree as it is now, in $tree_key_value. Also sets tree_kind (git|content),
# tree_describe and tree_version.
compute_tree_key() { # $1 = absolute tree path
  local t=$1 top dirty_hash hash
  tree_version=$(sed -n -E 's/^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION) = ?(.*)$/\2/p' "$t/Makefile" |
    head -n 4 | paste -sd ' ' | awk '{ printf "%s.%s.%s%s", $1, $2, $3, $4 }')
  command -v sha256sum >/dev/null 2>&1 || die "sha256sum missing (Debian package coreutils)"
  if [[ -e $t/.git ]]; then
    command -v git >/dev/null 2>&1 || die "$t is a git checkout and git is missing (Debian package git)"
    top=$(git -C "$t" rev-parse --show-toplevel 2>/dev/null) || die "git cannot read the checkout $t"
  else
    top=""
  fi
  if [[ -n $top && $(realpath "$top") == "$t" ]]; then
    tree_kind=git
    git -C "$t" rev-parse --verify -q HEAD >/dev/null || die "the checkout $t has no commit yet"
    # --no-optional-locks: git writes nothing (not even a refreshed index) into the tree.
    tree_describe=$(git --no-optional-locks -C "$t" describe --tags --always --abbrev=12)
    dirty_hash=$({
      git --no-optional-locks -C "$t" diff HEAD --binary
      git --no-optional-locks -C "$t" ls-files --others --exclude-standard -z |
        (cd "$t" && xargs -0 -r sha256sum --)
    } | sha256sum | cut -c1-12) || die "cannot hash the uncommitted changes of $t"
    # e3b0c44298fc...: the hash of nothing (no uncommitted change, no untracked file).
    tree_key_value=tree-$(path_part "$tree_describe")
    [[ $dirty_hash == e3b0c44298fc ]] || tree_key_value+=-dirty-$dirty_hash
  else
    tree_kind=content
    tree_describe=""
    hash=$(cd "$t" && {
      find . -type f -print0 | xargs -0 -r -P "$(nproc)" -n 2000 sha256sum -- | LC_ALL=C sort -k 2
      find . -type l -printf '%p -> %l\n' | LC_ALL=C sort
    } | sha256sum | cut -c1-12) || die "cannot hash the content of $t"
    tree_key_value=tree-$(path_part "$tree_version")-content-$hash
  fi
}

if [[ -n $tree ]]; then
  [[ -d $tree ]] || die "--tree $tree: no such directory"
  tree=$(realpath "$tree")
  [[ -f $tree/Makefile && -f $tree/Kconfig && -d $tree/arch/x86 ]] ||
    die "--tree $tree is not a Linux kernel source tree (no Makefile, Kconfig and arch/x86)"
  [[ -f $tree/tools/net/ynl/pyynl/lib/ynl.py && -f $tree/Documentation/netlink/specs/netdev.yaml ]] ||
    die "--tree $tree has no tools/net/ynl/pyynl (the guest agent needs the tree's ynl library; Linux 7.1+)"
  if ((key_only == 0)) && [[ -e $tree/.config || -d $tree/include/config || -d $tree/arch/x86/include/generated ]]; then
    die "--tree $tree has been configured or built in place (.config, include/config or arch/x86/include/generated exist), and kbuild refuses out-of-tree builds of such a tree; leasecheck never cleans a tree it did not write: run \`make mrproper\` there yourself, or use a clean checkout (git worktree add)"
  fi
  if ((key_only)); then
    compute_tree_key "$tree"
    echo "$tree_key_value"
    exit 0
  fi
fi

# ---------------------------------------------------------------------------------------------
# The initramfs: busybox; mounts the host root read-only over 9p (tag hostroot), a writable share
# (tag results), proc/sys/dev, a tmpfs on /tmp and /run (for `ip netns`) and debugfs inside it,
# then runs the command named by lc.cmd= (%20 = space) inside a chroot of the host root, writes
# its output to /results/guest.log and its status to /results/exit-code, and powers off.
# Bump when /init changes: cached initramfs images of another version are rebuilt.
INITRAMFS_VERSION=2

build_initramfs() { # $1 = output directory
  local rd
  command -v busybox >/dev/null 2>&1 || die "busybox missing (Debian package busybox-static)"
  command -v cpio >/dev/null 2>&1 || die "cpio missing (Debian package cpio)"
  rd=$(mktemp -d)
  mkdir -p "$rd"/{bin,dev,proc,sys,host,results,tmp}
  cp "$(command -v busybox)" "$rd/bin/busybox"
  for tool in sh mount umount mkdir cat echo poweroff sleep chroot ls ip sed; do
    ln -s busybox "$rd/bin/$tool"
  done
  cat >"$rd/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=524288 hostroot /host
mount -t 9p -o trans=virtio,version=9p2000.L results /results 2>/dev/null
for fs in proc sys dev; do mount --bind /$fs /host/$fs; done
mount -t tmpfs tmp /host/tmp
mount -t tmpfs run /host/run
# The results share also carries the agent (the repository may live under /tmp, hidden above).
mkdir -p /host/run/lc && mount --bind /results /host/run/lc
mount -t debugfs none /host/sys/kernel/debug 2>/dev/null
cmd=$(sed -n 's/.*lc\.cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -n "$cmd" ]; then
  chroot /host /bin/sh -c "$(echo "$cmd" | sed 's/%20/ /g')" >/results/guest.log 2>&1
  echo $? >/results/exit-code
else
  echo "leasecheck guest: no lc.cmd on the kernel command line"
fi
poweroff -f
INIT
  chmod +x "$rd/init"
  (cd "$rd" && find . | cpio -o -H newc --quiet | gzip -9 >"$1/initramfs.cpio.gz.new")
  mv "$1/initramfs.cpio.gz.new" "$1/initramfs.cpio.gz"
  echo "$INITRAMFS_VERSION" >"$1/initramfs.version"
  rm -rf "$rd"
}

# The guest agent's view of a tree: its ynl library and netlink specs, copied next to the kernel
# built from it (a later change to the tree, or removing it, does not change what this build is
# certified with; the guest reads the copy, and Python's caches land in the copy too).
snapshot_ynl() { # $1 = source tree, $2 = kernel directory
  local tmp=$2/src.new
  rm -rf "$tmp"
  mkdir -p "$tmp/tools/net" "$tmp/Documentation"
  cp -a "$1/tools/net/ynl" "$tmp/tools/net/ynl"
  cp -a "$1/Documentation/netlink" "$tmp/Documentation/netlink"
  find "$tmp" -name __pycache__ -prune -exec rm -rf {} +
  rm -rf "$2/src"
  mv "$tmp" "$2/src"
}

# A cached build is complete when its kernel, initramfs and ynl copy are there. An initramfs of
# another version is rebuilt; a build of an earlier prepare.sh (no src/ copy, no build.info: the
# 7.2.13 build of the first layout) gets both, from its cached source, without a rebuild.
complete() { # $1 = kernel directory
  [[ -s $1/bzImage && -s $1/initramfs.cpio.gz ]]
}
refresh_cached() { # $1 = kernel directory, $2 = its source tree (for a missing ynl copy)
  if [[ $(cat "$1/initramfs.version" 2>/dev/null) != "$INITRAMFS_VERSION" ]]; then
    say "rebuilding the initramfs of $1 (version $INITRAMFS_VERSION)"
    build_initramfs "$1"
  fi
  if [[ ! -f $1/src/tools/net/ynl/pyynl/lib/ynl.py ]]; then
    [[ -f $2/tools/net/ynl/pyynl/lib/ynl.py ]] ||
      die "$1 has no copy of its tree's ynl library and its source $2 is gone: rebuild with --force"
    say "copying the ynl library of $2 into $1/src"
    snapshot_ynl "$2" "$1"
  fi
}

if ((initramfs_only)); then
  found=0
  for d in "$cache"/kernel/*/; do
    d=${d%/}
    complete "$d" || continue
    build_initramfs "$d"
    say "rebuilt $d/initramfs.cpio.gz"
    echo "$d"
    found=1
  done
  ((found)) || die "no cached kernel under $cache/kernel (run kernel/prepare.sh first)"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Tools. Each missing one is named with the Debian package that provides it.

need=(
  "make:make" "gcc:gcc" "flex:flex" "bison:bison" "bc:bc" "cpio:cpio" "xz:xz-utils"
  "busybox:busybox-static" "qemu-system-x86_64:qemu-system-x86" "apt-get:apt" "dpkg-deb:dpkg"
  "sha256sum:coreutils" "realpath:coreutils" "flock:util-linux"
)
missing=()
for pair in "${need[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
for header in /usr/include/libelf.h /usr/include/openssl/ssl.h; do
  [[ -e $header ]] || missing+=("$([[ $header == *libelf* ]] && echo libelf-dev || echo libssl-dev)")
done
# The guest agent runs the kernel tree's ynl library with Debian's python3.
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
for module in yaml:python3-yaml jsonschema:python3-jsonschema; do
  /usr/bin/python3 -c "import ${module%%:*}" 2>/dev/null || missing+=("${module#*:}")
done
if ((${#missing[@]})); then
  read -r -a missing <<<"$(printf '%s\n' "${missing[@]}" | sort -u | paste -sd ' ')"
  if [[ $(id -u) -eq 0 ]]; then
    say "installing missing build tools: ${missing[*]}"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      die "cannot install ${missing[*]} (apt-get install failed)"
  else
    die "missing tools; install the Debian packages: ${missing[*]}"
  fi
fi
file /usr/bin/busybox 2>/dev/null | grep -q 'statically linked' || [[ -x /bin/busybox ]] ||
  die "busybox must be statically linked (Debian package busybox-static)"

# ---------------------------------------------------------------------------------------------
# Configuration and build: the same for every source.

# The options certification needs on top of defconfig + kvm_guest.config.
CONFIG_ARGS=(
  -e NETKIT -e NETDEVSIM -e VETH -e DEBUG_FS -e XDP_SOCKETS -e IO_URING -e NET_DEVMEM -e DMA_SHARED_BUFFER
  -e NET_NS -e DEVTMPFS -e DEVTMPFS_MOUNT -e BPF_SYSCALL -e NET_9P -e NET_9P_VIRTIO -e 9P_FS
  -e 9P_FS_POSIX_ACL -e VIRTIO_PCI -e VIRTIO_CONSOLE -e PAGE_POOL -e NET_DEV_REFCNT_TRACKER
  -e GENERIC_PHY -e UDMABUF -e TMPFS -e BLK_DEV_INITRD -e RD_GZIP
  -d DRM -d SOUND -d USB_SUPPORT -d WLAN -d WIRELESS -d CFG80211 -d MEDIA_SUPPORT -d INPUT_JOYSTICK
  -d INPUT_TABLET -d INPUT_TOUCHSCREEN -d HID -d NFS_FS -d CIFS -d AGP -d FB -d SECURITY_SELINUX
  -d DEBUG_INFO -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d ETHERNET
)

# --debug: the kernel checks its own invariants (issue 12). Lockdep (PROVE_LOCKING selects
# DEBUG_LOCK_ALLOC, LOCKDEP and PROVE_RCU), the networking DEBUG_NET_WARN_ON_ONCE checks, generic
# KASAN with inline checks (about twice as fast as outline; the text grows, which only costs
# build time) and shadow for vmalloc memory, and debugobjects for work items and timers. Every
# report they print is one the agent's kernel-log check (KernelLog in kernel/agent.py) fails a
# scenario with. Not included: DEBUG_KMEMLEAK (its reports come only from a scan of all memory,
# on a 10-minute timer or on demand through debugfs, which the agent never asks for).
DEBUG_CONFIG_ARGS=(
  -e DEBUG_KERNEL -e PROVE_LOCKING -e DEBUG_LOCK_ALLOC -e LOCKDEP -e DEBUG_NET
  -e KASAN -e KASAN_GENERIC -e KASAN_INLINE -d KASAN_OUTLINE -e KASAN_VMALLOC
  -e DEBUG_OBJECTS -e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_TIMERS
)
# What must still be on after olddefconfig (a dependency it lacks turns an option off silently).
DEBUG_CHECK=(PROVE_LOCKING DEBUG_LOCK_ALLOC LOCKDEP PROVE_RCU DEBUG_NET KASAN KASAN_GENERIC
  KASAN_INLINE KASAN_VMALLOC DEBUG_OBJECTS DEBUG_OBJECTS_WORK DEBUG_OBJECTS_TIMERS)

# Configures and builds $1 into $3; objects go to $2 (empty: in the tree itself, for the Debian
# sources leasecheck unpacked). Sets build_seconds.
build_kernel() { # $1 = source tree, $2 = object directory or "", $3 = kernel directory
  local src=$1 obj=$2 out=$3 config start jobs
  local -a mk=(make -C "$src")
  [[ -n $obj ]] && mk+=("O=$obj")
  config=${obj:-$src}/.config
  mkdir -p "$out" ${obj:+"$obj"}
  say "configuring"
  "${mk[@]}" -s defconfig >/dev/null
  "${mk[@]}" -s kvm_guest.config >/dev/null
  "$src/scripts/config" --file "$config" "${CONFIG_ARGS[@]}"
  ((debug)) && "$src/scripts/config" --file "$config" "${DEBUG_CONFIG_ARGS[@]}"
  "${mk[@]}" -s olddefconfig >/dev/null
  local -a check=(NETKIT NETDEVSIM VETH XDP_SOCKETS IO_URING NET_DEVMEM NET_9P_VIRTIO 9P_FS)
  ((debug)) && check+=("${DEBUG_CHECK[@]}")
  for option in "${check[@]}"; do
    grep -q "^CONFIG_$option=y" "$config" || die "CONFIG_$option did not stay enabled after olddefconfig"
  done
  cp "$config" "$out/config"
  jobs=$(nproc)
  say "building bzImage with $jobs jobs (10 to 40 minutes on 2 cores)"
  start=$(date +%s)
  if ! "${mk[@]}" -j"$jobs" bzImage >"$out/build.log" 2>&1; then
    tail -n 30 "$out/build.log" >&2
    die "the kernel build failed (log: $out/build.log)"
  fi
  build_seconds=$(($(date +%s) - start))
  cp "${obj:-$src}/arch/x86/boot/bzImage" "$out/bzImage.new"
  mv "$out/bzImage.new" "$out/bzImage"
  "${mk[@]}" -s kernelrelease >"$out/kernelrelease"
  say "built $(cat "$out/kernelrelease") in $build_seconds s"
  snapshot_ynl "$src" "$out"
  build_initramfs "$out"
}

# build.info: what the build is, as key=value lines (read by kernel/vm.ts).
write_info() { # $1 = kernel directory, then key=value arguments
  local dir=$1
  shift
  printf '%s\n' "$@" "release=$(cat "$dir/kernelrelease" 2>/dev/null || true)" >"$dir/build.info.new"
  mv "$dir/build.info.new" "$dir/build.info"
}
info_field() { # $1 = build.info, $2 = key
  [[ -f $1 ]] || return 0
  sed -n "s/^$2=//p" "$1" | head -n 1
}

# ---------------------------------------------------------------------------------------------
# A developer's tree.

if [[ -n $tree ]]; then
  say "hashing $tree"
  compute_tree_key "$tree"
  key=$tree_key_value
  [[ $tree_kind == git ]] ||
    say "$tree is not a git checkout: its cache key is a hash of its whole content ($key)"
  lock "$key"
  out=$cache/kernel/$key
  if ((force == 0)) && complete "$out"; then
    say "using the cached build of $tree ($key)"
    refresh_cached "$out" "$tree"
    echo "$out"
    exit 0
  fi
  obj=$cache/obj/$key
  rm -rf "$obj" "$out"
  build_kernel "$tree" "$obj" "$out"
  describe=$tree_describe
  compute_tree_key "$tree"
  if [[ $tree_key_value != "$key" ]]; then
    say "warning: $tree changed during the build (now $tree_key_value): this build is of its state at the start ($key); run again to build the current state"
  fi
  write_info "$out" origin=tree "tree=$tree" "key-source=$tree_kind" "describe=$describe" \
    "version=$tree_version" "series=$(cut -d. -f1,2 <<<"$tree_version")" \
    "build-seconds=$build_seconds" "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "$out"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# Debian: one private apt configuration per suite.

# The first layout had one configuration (sid) directly under apt/: it becomes apt/sid.
if [[ -f $cache/apt/sources.list && ! -e $cache/apt/sid ]]; then
  mkdir -p "$cache/apt/sid"
  for entry in lists archives; do
    [[ -e $cache/apt/$entry ]] && mv "$cache/apt/$entry" "$cache/apt/sid/$entry"
  done
  rm -f "$cache/apt/sources.list" "$cache/apt/apt.conf"
  say "moved the apt configuration of Debian unstable to $cache/apt/sid"
fi

setup_suite() { # $1 = suite; sets APT_CONFIG for it
  local dir=$cache/apt/$1
  mkdir -p "$dir/lists/partial" "$dir/archives/partial"
  echo "deb $mirror $1 main" >"$dir/sources.list"
  cat >"$dir/apt.conf" <<EOF
Dir::Etc::SourceList "$dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$dir/lists";
Dir::Cache::Archives "$dir/archives";
Dir::State::status "/dev/null";
APT::Sandbox::User "root";
EOF
  export APT_CONFIG=$dir/apt.conf
}

# Refreshes each suite's package list (daily, or with --force). A suite that cannot be read
# (mirror down) keeps its old list; one that never was read is left out.
readable_suites=()
for suite in "${suites[@]}"; do
  lock "apt-$suite"
  setup_suite "$suite"
  lists=$cache/apt/$suite/lists
  if ((force)) || [[ -z $(find "$lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1) ]]; then
    say "refreshing the package list of Debian $suite (private apt configuration)"
    apt-get update -qq >/dev/null 2>&1 || say "warning: cannot refresh Debian $suite"
  fi
  if [[ -n $(find "$lists" -maxdepth 1 -name '*Packages*' 2>/dev/null | head -n 1) ]]; then
    readable_suites+=("$suite")
  else
    say "warning: no package list of Debian $suite ($mirror unreachable?): left out"
  fi
  unlock "apt-$suite"
done

# Every (series, version, suite) of linux-source-7.N, N >= 1, as lines "series version suite".
candidates=$(for suite in "${readable_suites[@]}"; do
  setup_suite "$suite"
  apt-cache search --names-only '^linux-source-[0-9]+\.[0-9]+$' 2>/dev/null | awk '{print $1}' |
    while read -r package; do
      series=${package#linux-source-}
      apt-cache madison "$package" 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
        while read -r version; do echo "$series $version $suite"; done
    done
done | awk '{ split($1, v, "."); if (v[1] > 7 || (v[1] == 7 && v[2] >= 1)) print }')

# The newest "version suite" of a series.
newest_of() { # $1 = series
  local best="" best_suite="" series version suite
  while read -r series version suite; do
    [[ $series == "$1" ]] || continue
    if [[ -z $best ]] || dpkg --compare-versions "$version" gt "$best"; then
      best=$version
      best_suite=$suite
    fi
  done <<<"$candidates"
  [[ -n $best ]] && echo "$best $best_suite"
}

# The newest cached build of a series (when no suite can be read), of this run's variant: a
# debug build (KEY-debug) stands in only for a debug build, a normal one only for a normal one.
cached_of() { # $1 = series
  local d
  for d in "$cache/kernel/linux-source-$1-"*/; do
    d=${d%/}
    if [[ -n $variant ]]; then [[ $d == *-debug ]] || continue; else [[ $d != *-debug ]] || continue; fi
    if complete "$d"; then echo "$d"; fi
  done | sort -V | tail -n 1
}

# Series with a cached build (when no suite can be read).
cached_series() {
  local d
  for d in "$cache"/kernel/linux-source-*/; do
    if complete "${d%/}"; then basename "$d"; fi
  done | sed -E 's/^linux-source-([0-9]+\.[0-9]+)-.*/\1/' | sort -u -t. -k1,1n -k2,2n
}

all_series=$(awk 'NF { print $1 }' <<<"$candidates" | sort -u -t. -k1,1n -k2,2n)
known_series=${all_series:-$(cached_series)}
if [[ -z $kernels ]]; then
  wanted=("$(tail -n 1 <<<"$known_series")")
  [[ -n ${wanted[0]} ]] || die "no linux-source-7.x package found in ${suites[*]} and no kernel is cached"
elif [[ " ${wanted[*]} " == *" all "* ]]; then
  read -r -a wanted <<<"$(paste -sd ' ' <<<"$known_series")"
  ((${#wanted[@]})) || die "no linux-source-7.x package found in ${suites[*]} and no kernel is cached"
fi

prepare_debian() { # $1 = series; prints the kernel directory
  local series=$1 found version suite package key out src tarball deb dl
  local minor=${series#*.}
  ((${series%%.*} > 7 || minor >= 1)) || die "linux-source-$series is older than 7.1 (queue-create appeared in 7.1)"
  found=$(newest_of "$series" || true)
  if [[ -z $found ]]; then
    out=$(cached_of "$series")
    if ((force == 0)) && [[ -n $out ]]; then
      if ((${#readable_suites[@]})); then
        say "warning: no suite of ${readable_suites[*]} offers linux-source-$series now; using the cached build $out"
      else
        say "warning: no Debian suite could be read; using the cached build $out"
      fi
      refresh_cached "$out" "$cache/src/$(basename "$out")"
      echo "$out"
      return
    fi
    ((${#readable_suites[@]})) || die "no Debian suite could be read ($mirror) and linux-source-$series is not cached"
    die "no suite of ${readable_suites[*]} has linux-source-$series (found: $(paste -sd ' ' <<<"$all_series"))"
  fi
  read -r version suite <<<"$found"
  package=linux-source-$series
  key=$package-$(sanitise_version "$version")$variant
  out=$cache/kernel/$key
  src=$cache/src/$key
  lock "$key"
  local recorded
  recorded=$(info_field "$out/build.info" version)
  if [[ -n $recorded && $recorded != "$version" ]]; then
    die "$out holds $package $recorded, not $version (the versions differ only in ~ or :); move it away"
  fi
  if ((force == 0)) && complete "$out"; then
    say "using the cached ${variant:+debug }build of $package $version ($suite)"
    refresh_cached "$out" "$src"
    [[ -f $out/build.info ]] ||
      write_info "$out" origin=debian "package=$package" "series=$series" "version=$version" "suite=$suite"
    echo "$out"
    return
  fi
  if [[ -n $max_builds ]] && ((builds_done >= max_builds)); then
    local older
    older=$(cached_of "$series")
    if [[ -n $older ]]; then
      say "warning: $package $version ($suite) is not built and --max-builds $max_builds is spent; using the cached build $older (run kernel/prepare.sh --kernel $series${variant:+ --debug} to build $version)"
      refresh_cached "$older" "$cache/src/$(basename "$older")"
      echo "$older"
      return
    fi
    say "no build of linux-source-$series at all: building $version despite --max-builds $max_builds"
  fi
  builds_done=$((builds_done + 1))
  mkdir -p "$out"
  if [[ ! -f $src/Makefile ]]; then
    setup_suite "$suite"
    dl=$cache/apt/$suite/archives
    # The .deb of an earlier build (the normal one, for a --debug build) is used again.
    deb=""
    for candidate in "$dl/${package}_"*.deb; do
      [[ -f $candidate && $(dpkg-deb -f "$candidate" Version 2>/dev/null) == "$version" ]] && deb=$candidate
    done
    if [[ -z $deb ]]; then
      say "downloading $package $version from Debian $suite"
      (cd "$dl" && apt-get download -qq "$package=$version" >/dev/null 2>&1) ||
        die "apt-get download $package=$version ($suite) failed"
      deb=$(ls -t "$dl/${package}_"*.deb | head -n 1)
    fi
    rm -rf "$cache/src/extract-$key" && mkdir -p "$cache/src/extract-$key"
    dpkg-deb -x "$deb" "$cache/src/extract-$key"
    tarball=$(find "$cache/src/extract-$key" -name 'linux-source-*.tar.*' | head -n 1)
    [[ -n $tarball ]] || die "$deb holds no source tarball"
    say "unpacking $(basename "$tarball")"
    rm -rf "$src" && mkdir -p "$src"
    tar -xf "$tarball" -C "$src" --strip-components=1
    rm -rf "$cache/src/extract-$key"
  fi
  build_kernel "$src" "" "$out"
  local -a extra=()
  ((debug)) && extra=(variant=debug)
  write_info "$out" origin=debian "package=$package" "series=$series" "version=$version" \
    "suite=$suite" "${extra[@]}" "build-seconds=$build_seconds" "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "$out"
}

for series in "${wanted[@]}"; do
  prepare_debian "$series"
done
