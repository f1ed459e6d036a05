#!/bin/sh
# Kernel build benchmark: one cold build into a fresh temp cache, then the
# cache hit of the same key; prints both and their ratio next to the
# reference (a tinyconfig+fragment bzImage took ~5.5 min on 2 cores here,
# DESIGN.md). Not run in CI: the cold build takes minutes and all cores.
#
#   bench/kernel/bench_kernel.sh [KTSTR_BIN] [SOURCE]
#   (defaults: build/bin/ktstr, /usr/src/linux-source-6.12.tar.xz)
set -eu
ktstr=${1:-build/bin/ktstr}
source=${2:-/usr/src/linux-source-6.12.tar.xz}
[ -x "$ktstr" ] || { echo "bench_kernel: no ktstr binary at $ktstr" >&2; exit 2; }
[ -e "$source" ] || { echo "bench_kernel: no kernel source at $source" >&2; exit 2; }

cache=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench-cache.XXXXXX")
trap 'rm -rf "$cache"' EXIT INT TERM
export KTSTR_CACHE_DIR="$cache"

now() { date +%s.%N; }
t0=$(now)
"$ktstr" kernel build --kernel "$source" > "$cache/cold.out"
t1=$(now)
"$ktstr" kernel build --kernel "$source" > "$cache/hit.out"
t2=$(now)

awk -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  cold = t1 - t0; hit = t2 - t1; ref = 5.5 * 60
  printf "cold build : %8.1f s  (reference %.0f s, ratio %.2f)\n", cold, ref, cold / ref
  printf "cache hit  : %8.3f s  (target < 2 s)\n", hit
  printf "cold / hit : %8.0fx\n", cold / hit
}'
