#!/usr/bin/env bash
# Builds a Linux kernel for certifying the model against the real thing (issue: certify the real
# Linux kernel). Fetches the newest Debian `linux-source-7.x` (>= 7.1) through a private apt
# configuration (the machine's own apt sources are never changed), builds a bzImage with netkit,
# netdevsim, AF_XDP, io_uring and devmem, and a busybox initramfs that mounts the host's root
# read-only over 9p. Results are cached by version under $LEASECHECK_CACHE (default
# /var/cache/leasecheck) and reused when present.
#
# Usage: kernel/prepare.sh [--force | --initramfs-only]
#   --force           rebuild everything (refresh the package list, rebuild the kernel)
#   --initramfs-only  rebuild only the initramfs of the newest cached kernel (offline, seconds)
# Prints the kernel directory on stdout when done.
set -euo pipefail

cache=${LEASECHECK_CACHE:-/var/cache/leasecheck}
force=0
initramfs_only=0
case ${1:-} in
  --force) force=1 ;;
  --initramfs-only) initramfs_only=1 ;;
  "") ;;
  *) printf 'usage: kernel/prepare.sh [--force | --initramfs-only]\n' >&2; exit 2 ;;
esac
say() { printf 'kernel:prepare: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

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

# A cached build is usable when its kernel is there; an initramfs of another version is rebuilt.
use_cached() { # $1 = kernel directory
  if [[ $(cat "$1/initramfs.version" 2>/dev/null) != "$INITRAMFS_VERSION" ]]; then
    say "rebuilding the initramfs of $1 (version $INITRAMFS_VERSION)"
    build_initramfs "$1"
  fi
  echo "$1"
  exit 0
}

if ((initramfs_only)); then
  out=$(ls -td "$cache"/kernel/*/ 2>/dev/null | while read -r d; do
    [[ -s $d/bzImage ]] && echo "${d%/}" && break
  done)
  [[ -n $out ]] || die "no cached kernel under $cache/kernel (run kernel/prepare.sh first)"
  build_initramfs "$out"
  say "rebuilt $out/initramfs.cpio.gz"
  echo "$out"
  exit 0
fi

# 1. Tools. Each missing one is named with the Debian package that provides it.
need=(
  "make:make" "gcc:gcc" "flex:flex" "bison:bison" "bc:bc" "cpio:cpio" "xz:xz-utils"
  "busybox:busybox-static" "qemu-system-x86_64:qemu-system-x86" "apt-get:apt" "dpkg-deb:dpkg"
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

# 2. Private apt configuration naming Debian unstable, to find linux-source-7.x.
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
echo "deb http://deb.debian.org/debian sid main" >"$apt_dir/sources.list"
cat >"$apt_dir/apt.conf" <<EOF
Dir::Etc::SourceList "$apt_dir/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$apt_dir/lists";
Dir::Cache::Archives "$apt_dir/archives";
EOF
export APT_CONFIG=$apt_dir/apt.conf
if [[ $force -eq 1 || -z $(find "$apt_dir/lists" -name '*sid*Packages*' -mmin -1440 2>/dev/null | head -n 1) ]]; then
  say "refreshing the package list of Debian unstable (private apt configuration)"
  if ! apt-get update -qq -o APT::Sandbox::User=root >/dev/null 2>&1; then
    # The mirror is unreachable: a cached build still certifies (say so), nothing else can.
    cached=$(ls -d "$cache"/kernel/linux-source-7.*/ 2>/dev/null | sort -V | tail -n 1)
    if [[ $force -eq 0 && -n $cached && -s $cached/bzImage && -s $cached/initramfs.cpio.gz ]]; then
      say "warning: cannot refresh Debian unstable; using the cached build ${cached%/}"
      use_cached "${cached%/}"
    fi
    die "apt-get update of Debian unstable failed and no kernel is cached"
  fi
fi
package=$(apt-cache search --names-only '^linux-source-7\.[0-9]+$' 2>/dev/null | awk '{print $1}' |
  sort -t. -k2,2n | tail -n 1)
[[ -n $package ]] || die "no linux-source-7.x package found in Debian unstable"
minor=${package##*.}
((minor >= 1)) || die "$package is older than 7.1 (queue-create appeared in 7.1)"
version=$(apt-cache policy "$package" | awk '/Candidate:/ {print $2}')
key=$package-$version
out=$cache/kernel/$key
if [[ $force -eq 0 && -s $out/bzImage && -s $out/initramfs.cpio.gz ]]; then
  say "using the cached build of $package $version"
  use_cached "$out"
fi
mkdir -p "$out"

# 3. Source.
src=$cache/src/$key
if [[ ! -f $src/Makefile ]]; then
  say "downloading $package $version"
  (cd "$apt_dir/archives" && apt-get download -qq -o APT::Sandbox::User=root "$package=$version" >/dev/null 2>&1) ||
    die "apt-get download $package failed"
  deb=$(ls -t "$apt_dir/archives/${package}_"*.deb | head -n 1)
  rm -rf "$cache/src/extract-$key" && mkdir -p "$cache/src/extract-$key"
  dpkg-deb -x "$deb" "$cache/src/extract-$key"
  tarball=$(find "$cache/src/extract-$key" -name 'linux-source-*.tar.*' | head -n 1)
  [[ -n $tarball ]] || die "$deb holds no source tarball"
  say "unpacking $(basename "$tarball")"
  rm -rf "$src" && mkdir -p "$src"
  tar -xf "$tarball" -C "$src" --strip-components=1
  rm -rf "$cache/src/extract-$key"
fi

# 4. Configuration: defconfig + kvm_guest + what the feature and the tests need.
say "configuring"
cd "$src"
make -s defconfig >/dev/null
make -s kvm_guest.config >/dev/null
./scripts/config \
  -e NETKIT -e NETDEVSIM -e VETH -e DEBUG_FS -e XDP_SOCKETS -e IO_URING -e NET_DEVMEM -e DMA_SHARED_BUFFER \
  -e NET_NS -e DEVTMPFS -e DEVTMPFS_MOUNT -e BPF_SYSCALL -e NET_9P -e NET_9P_VIRTIO -e 9P_FS \
  -e 9P_FS_POSIX_ACL -e VIRTIO_PCI -e VIRTIO_CONSOLE -e PAGE_POOL -e NET_DEV_REFCNT_TRACKER \
  -e GENERIC_PHY -e UDMABUF -e TMPFS -e BLK_DEV_INITRD -e RD_GZIP \
  -d DRM -d SOUND -d USB_SUPPORT -d WLAN -d WIRELESS -d CFG80211 -d MEDIA_SUPPORT -d INPUT_JOYSTICK \
  -d INPUT_TABLET -d INPUT_TOUCHSCREEN -d HID -d NFS_FS -d CIFS -d AGP -d FB -d SECURITY_SELINUX \
  -d DEBUG_INFO -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d ETHERNET
make -s olddefconfig >/dev/null
for option in NETKIT NETDEVSIM VETH XDP_SOCKETS IO_URING NET_DEVMEM NET_9P_VIRTIO 9P_FS; do
  grep -q "^CONFIG_$option=y" .config || die "CONFIG_$option did not stay enabled after olddefconfig"
done

# 5. Build.
jobs=$(nproc)
say "building bzImage with $jobs jobs (about 10 minutes on 2 cores)"
start=$(date +%s)
if ! make -j"$jobs" bzImage >"$out/build.log" 2>&1; then
  tail -n 30 "$out/build.log" >&2
  die "the kernel build failed (log: $out/build.log)"
fi
cp arch/x86/boot/bzImage "$out/bzImage"
make -s kernelrelease >"$out/kernelrelease"
say "built $(cat "$out/kernelrelease") in $(($(date +%s) - start)) s"

# 6. Initramfs.
build_initramfs "$out"
echo "$out"
