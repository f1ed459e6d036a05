#!/bin/sh
# Kernel build benchmark, all in one invocation:
#   reference: the bare kernel build ktstr wraps (extract the tarball,
#              tinyconfig + kconfig/ktstr.kconfig, olddefconfig, make bzImage)
#   ktstr:     `ktstr kernel build` of the same source into a fresh temp cache
#              (the same steps plus headers, libbpf, bpftool, the example
#              schedulers, manifest and atomic install)
#   cache hit: the same command again
# and prints the ratios. Not run in CI: the two cold builds take ~20 min and
# all cores on a 2-core machine.
#
#   bench/kernel/bench_kernel.sh [KTSTR_BIN] [SOURCE_TARBALL]
#   (defaults: build/bin/ktstr, /usr/src/linux-source-6.12.tar.xz)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
ktstr=${1:-$root/build/bin/ktstr}
source=${2:-/usr/src/linux-source-6.12.tar.xz}
[ -x "$ktstr" ] || { echo "bench_kernel: no ktstr binary at $ktstr" >&2; exit 2; }
[ -f "$source" ] || { echo "bench_kernel: no kernel tarball at $source" >&2; exit 2; }
jobs=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
now() { date +%s.%N; }

echo "bench_kernel: reference build (bare make, -j$jobs) in $work/ref" >&2
t0=$(now)
mkdir -p "$work/ref/src" "$work/ref/out"
tar -C "$work/ref/src" -xf "$source"
src=$(find "$work/ref/src" -mindepth 1 -maxdepth 1 -type d | head -1)
make -s -C "$src" O="$work/ref/out" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$work/ref/out" "$work/ref/out/.config" "$root/kconfig/ktstr.kconfig" >/dev/null
make -s -C "$src" O="$work/ref/out" olddefconfig >/dev/null
make -s -C "$src" O="$work/ref/out" -j"$jobs" bzImage >/dev/null 2>&1
t1=$(now)
rm -rf "$work/ref"

echo "bench_kernel: ktstr kernel build into a fresh cache" >&2
export KTSTR_CACHE_DIR="$work/cache"
"$ktstr" kernel build --kernel "$source" > "$work/cold.out" 2>&1
t2=$(now)
"$ktstr" kernel build --kernel "$source" > "$work/hit.out" 2>&1
t3=$(now)

awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" 'BEGIN {
  ref = t1 - t0; cold = t2 - t1; hit = t3 - t2
  printf "reference (bare make bzImage) : %8.1f s\n", ref
  printf "ktstr kernel build, cold      : %8.1f s  ratio to reference %.2f\n", cold, cold / ref
  printf "ktstr kernel build, cache hit : %8.3f s  ratio to reference %.5f\n", hit, hit / ref
}'
