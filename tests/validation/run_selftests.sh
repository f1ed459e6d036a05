#!/bin/bash
# ctest entry validation/sched_ext_selftests: builds (cached) and runs the
# kernel's sched_ext selftest runner as the payload of a 4-vCPU guest via
# `ktstr run`, prints its PASSED/SKIPPED/FAILED counts and fails if any test
# failed, listing each with its reason line.
#
# usage: run_selftests.sh KTSTR_CLI OUT_DIR
# exit: 0 no failures, 1 failures (or no summary), 77 no kernel/source here.
set -uo pipefail
cli=$1
out=$2
here=$(dirname "$(realpath "$0")")

"$here/build_selftests.sh" "$out" "$cli"
rc=$?
[[ $rc -eq 0 ]] || exit $rc

# The kernel to boot: $KTSTR_KERNEL, the kernel cache (`kernel path` never
# builds; bounded because a build elsewhere holds the cache lock). Never let `ktstr run` fall through to building one.
kernel=${KTSTR_KERNEL:-}
if [[ -z $kernel ]]; then
  if p=$(timeout 20 "$cli" kernel path 2>/dev/null) && [[ -f $p/bzImage ]]; then
    kernel=$p/bzImage
  else
    echo "SKIP: no kernel: set KTSTR_KERNEL or build one with 'ktstr kernel build'"
    exit 77
  fi
fi

log=$out/selftests.log
# 1n2l2c1t: 4 vCPUs over 2 LLCs; several selftests (hotplug, dsp_local_on)
# need more than one CPU. The runner took ~45 s in such a TCG guest; the
# timeout leaves room for a loaded 2-core host.
"$cli" run --kernel "$kernel" --topology 1n2l2c1t --timeout 1200 -- "$out/runner" 2>&1 | tee "$log"
run_rc=${PIPESTATUS[0]}

# Runner output (tools/testing/selftests/sched_ext/runner.c): per test a
# "===== START =====" block ending in "ok N name # [SKIP ]" or "not ok N name #",
# then "PASSED:  n" / "SKIPPED: n" / "FAILED:  n". It exits 0 even when tests
# fail, so the counts are the verdict.
passed=$(sed -n 's/^PASSED: *\([0-9]*\).*/\1/p' "$log" | tail -1)
skipped=$(sed -n 's/^SKIPPED: *\([0-9]*\).*/\1/p' "$log" | tail -1)
failed=$(sed -n 's/^FAILED: *\([0-9]*\).*/\1/p' "$log" | tail -1)
echo
if [[ -z $passed || -z $skipped || -z $failed ]]; then
  echo "sched_ext selftests: no summary from the runner (ktstr run exit $run_rc); log: $log"
  exit 1
fi
echo "sched_ext selftests: PASSED $passed, SKIPPED $skipped, FAILED $failed (ktstr run exit $run_rc)"
# Skipped tests, by name (the runner skips what the kernel does not support).
awk '/^ok [0-9]+ .* # SKIP/ {print "  skipped: " $3}' "$log"
if [[ $failed -ne 0 ]]; then
  # Reason: the runner's SCX_ERR lines ("ERR: <file>.c:<line>" then the
  # message) go to stderr, which `ktstr run` streams separately, so they can
  # land after the verdict line: match them by the test's source file name
  # (each selftest lives in <name>.c) rather than by position.
  for name in $(sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p' "$log" | sort -u); do
    reason=$(grep -A1 "^ERR: ${name}\.c:" "$log" | tr '\n' ' ' | sed 's/ -- / | /g')
    echo "  FAILED: $name: ${reason:-no ERR line (see $log)}"
  done
  exit 1
fi
[[ $run_rc -eq 0 ]] || { echo "ktstr run exited $run_rc"; exit 1; }
exit 0
