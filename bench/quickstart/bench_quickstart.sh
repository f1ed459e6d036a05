#!/usr/bin/env bash
# The quick start's own build, timed: runs scripts/quickstart.sh into a fresh
# build directory (ccache off: a fresh machine has none) with every top-level
# command of the script time-stamped (bash xtrace, PS4 with
# $EPOCHREALTIME), and reports
#   total      script start -> the example tests' `ctest` starting
#   deps       scripts/setup-deps.sh (package installs; excluded)
#   kernel     `cmake --build ... --target kernel` (a cache hit when the
#              current kernel is cached; excluded: bench_kernel.sh times it)
#   own build  total - deps - kernel: configure, build, install, the
#              examples' configure and build
# and exits 1 when the own build misses its goal (<= 240 s), 2 on bad input,
# 70 when the quick start fails before its example tests. The example
# tests' own result is printed, not judged. CTest: `ctest -L bench_cold`.
# Never in CI: a cold build takes every core for minutes.
#
#   bench/quickstart/bench_quickstart.sh [QUICKSTART_SCRIPT]
#   (default: scripts/quickstart.sh of this checkout)
set -euo pipefail
goal_s=240
root=$(cd "$(dirname "$0")/../.." && pwd)
script=${1:-$root/scripts/quickstart.sh}
die() { echo "bench_quickstart: $1" >&2; exit "${2:-2}"; }
[[ -f $script ]] || die "no quick start script at $script"
((BASH_VERSINFO[0] >= 5)) || die "bash >= 5 needed (\$EPOCHREALTIME)"

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-bench-quickstart.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
export KTSTR_BUILD_DIR=$work/build KTSTR_PREFIX=$work/install CCACHE_DISABLE=1

echo "bench_quickstart: $script into $work/build (log: $work/trace.log)" >&2
status=0
# xtrace lines start with "+[qs T] ", one "+" per level: "+" is the `.`
# below, "++" the script's own top-level commands, "+++"... nested ones.
LC_ALL=C bash -c 'PS4="+[qs \${EPOCHREALTIME}] "; set -x; . "$0"' "$script" > "$work/trace.log" 2>&1 || status=$?

# First stamp, and the stamps where deps, kernel and the example ctest start
# and where the step after each of deps and kernel starts.
read -r t0 deps deps_end kernel kernel_end tests < <(awk '
  match($0, /^\+\+\[qs [0-9.]+\] /) {
    t = substr($0, 7, RLENGTH - 8); cmd = substr($0, RLENGTH + 1)
    if (t0 == "") t0 = t
    if (in_deps) { deps_end = t; in_deps = 0 }
    if (in_kernel) { kernel_end = t; in_kernel = 0 }
    if (cmd ~ /setup-deps\.sh/) { deps = t; in_deps = 1 }
    if (cmd ~ /--target kernel/) { kernel = t; in_kernel = 1 }
    if (cmd ~ /^ctest / && tests == "") tests = t
  }
  END { printf "%s %s %s %s %s %s\n", t0, deps, deps_end, kernel, kernel_end, tests }' "$work/trace.log")
if [[ -z ${tests:-} || -z ${kernel_end:-} || -z ${deps_end:-} ]]; then
  tail -30 "$work/trace.log" >&2
  die "the quick start ended (status $status) before its example tests started" 70
fi
awk -v t0="$t0" -v d0="$deps" -v d1="$deps_end" -v k0="$kernel" -v k1="$kernel_end" -v t="$tests" \
    -v goal="$goal_s" -v status="$status" 'BEGIN {
  total = t - t0; deps = d1 - d0; kernel = k1 - k0; own = total - deps - kernel
  printf "to the first example test : %7.1f s\n", total
  printf "  setup-deps (excluded)   : %7.1f s\n", deps
  printf "  kernel step (excluded)  : %7.1f s\n", kernel
  printf "  own build               : %7.1f s\n", own
  printf "example tests             : %s\n", status == 0 ? "passed" : "exit " status " (not judged here)"
  met = own <= goal
  printf "own build / %d s goal: ratio %.3f (goal <= 1.00): %s\n", goal, own / goal, met ? "met" : "MISSED"
  exit met ? 0 : 1
}'
