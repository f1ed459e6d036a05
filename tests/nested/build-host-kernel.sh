#!/bin/sh
# Builds the nested rig's host kernel: tinyconfig + kconfig/ktstr.kconfig +
# kconfig/host-kvm.kconfig, out of tree. One build at a time; ~10 min on 2 cores.
#   build-host-kernel.sh [SOURCE_DIR] [OUT_DIR]
set -eu
src=${1:-/tmp/kexp/linux-source-6.12}
out=${2:-/tmp/kvmhost}
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
