#!/bin/sh
# Kernel build benchmark, all in one invocation:
#   reference: the bare kernel build ktstr wraps (extract the tarball,
#              tinyconfig + kconfig/ktstr.kconfig, olddefconfig, make bzImage)
#   ktstr:     a cold `ktstr kernel build` of the same source into a fresh
#              temp cache (the same steps plus headers, libbpf, bpftool, the
#              example schedulers, manifest and atomic install)
#   cache hit: the same command again
# Prints the cold build against its goal (<= 360 s wall) and against the
# reference, and exits 1 when the goal is missed (2 on bad input, the failing
# step's status when a build fails). CTest: `ctest -L bench_cold`. Never in
# CI: the two cold builds take ~20 min and every core of a 2-core machine.
#
#   bench/kernel/bench_kernel.sh [KTSTR_BIN] [SOURCE_TARBALL]
#   (defaults: build/bin/ktstr, /usr/src/linux-source-6.12.tar.xz)
set -eu
goal_s=360
root=$(cd "$(dirname "$0")/../.." && pwd)
ktstr=${1:-$root/build/bin/ktstr}
source=${2:-/usr/src/linux-source-6.12.tar.xz}
die() { echo "bench_kernel: $*" >&2; exit 2; }
[ -x "$ktstr" ] || die "no ktstr binary at $ktstr (build it, or pass KTSTR_BIN)"
[ -f "$source" ] || die "no kernel tarball at $source (Debian package linux-source-6.12, or pass SOURCE_TARBALL)"
jobs=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench-kernel.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }

echo "bench_kernel: reference build (bare make, -j$jobs) in $work/ref" >&2
t0=$(now)
mkdir -p "$work/ref/src" "$work/ref/out"
tar -C "$work/ref/src" -xf "$source" || die "cannot extract $source: not a kernel source tarball?"
src=$(find "$work/ref/src" -mindepth 1 -maxdepth 1 -type d | head -1)
[ -n "$src" ] && [ -f "$src/Makefile" ] || die "$source holds no kernel source tree"
make -s -C "$src" O="$work/ref/out" tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$work/ref/out" "$work/ref/out/.config" "$root/kconfig/ktstr.kconfig" >/dev/null
make -s -C "$src" O="$work/ref/out" olddefconfig >/dev/null
make -s -C "$src" O="$work/ref/out" -j"$jobs" bzImage >/dev/null 2>&1
t1=$(now)
rm -rf "$work/ref"

echo "bench_kernel: ktstr kernel build into a fresh cache" >&2
export KTSTR_CACHE_DIR="$work/cache"
"$ktstr" kernel build --kernel "$source" > "$work/cold.out" 2>&1 || { tail -20 "$work/cold.out" >&2; exit 1; }
t2=$(now)
"$ktstr" kernel build --kernel "$source" > "$work/hit.out" 2>&1 || { tail -20 "$work/hit.out" >&2; exit 1; }
t3=$(now)

awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v goal="$goal_s" -v jobs="$jobs" 'BEGIN {
  ref = t1 - t0; cold = t2 - t1; hit = t3 - t2
  printf "reference (bare make bzImage, -j%d) : %8.1f s\n", jobs, ref
  printf "ktstr kernel build, cold          : %8.1f s  ratio to reference %.2f\n", cold, cold / ref
  printf "ktstr kernel build, cache hit     : %8.3f s  ratio to reference %.5f\n", hit, hit / ref
  met = cold <= goal
  printf "cold build / %d s goal: ratio %.3f (goal <= 1.00): %s\n", goal, cold / goal, met ? "met" : "MISSED"
  exit met ? 0 : 1
}'
