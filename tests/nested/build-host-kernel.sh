#!/bin/sh
# Builds the nested rig's host kernel: tinyconfig + kconfig/ktstr.kconfig +
# kconfig/host-kvm.kconfig, out of tree. One build at a time; ~10 min on 2 cores.
#   build-host-kernel.sh [SOURCE_DIR] [OUT_DIR]
# Without SOURCE_DIR the newest /usr/src/linux-source-6.*.tar.xz is extracted
# into OUT_DIR.src first.
set -eu
out=${2:-/tmp/kvmhost}
src=${1:-}
if [ -z "$src" ]; then
  tarball=$(ls -1 /usr/src/linux-source-6.*.tar.xz 2>/dev/null | sort -V | tail -1)
  [ -n "$tarball" ] || { echo "no SOURCE_DIR and no /usr/src/linux-source-6.*.tar.xz (apt-get install linux-source-6.12)" >&2; exit 1; }
  src=$out.src/$(basename "$tarball" .tar.xz)
  [ -f "$src/Makefile" ] || { mkdir -p "$out.src" && tar -C "$out.src" -xf "$tarball"; }
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
make -s -C "$src" O="$out" tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
  "$here/kconfig/ktstr.kconfig" "$here/kconfig/host-kvm.kconfig" >/dev/null
make -s -C "$src" O="$out" olddefconfig
# Every =y of the host fragment must have survived olddefconfig.
missing=0
for opt in $(grep -E '^CONFIG_[A-Z0-9_]+=y' "$here/kconfig/host-kvm.kconfig" | cut -d= -f1); do
  grep -qx "$opt=y" "$out/.config" || { echo "host kernel config lost $opt=y (unmet dependency?)" >&2; missing=1; }
done
[ "$missing" = 0 ] || exit 1
make -s -C "$src" O="$out" -j2 bzImage
echo "$out/arch/x86/boot/bzImage"
