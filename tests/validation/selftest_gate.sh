#!/bin/bash
# The gate of validation/sched_ext_selftests: judges a sched_ext selftest
# runner log against the list of tests the kernel tree declares, so a run in
# which tests skip, fail or never start cannot pass.
#
# usage: selftest_gate.sh LOG EXPECTED
#   LOG       the runner's output (tools/testing/selftests/sched_ext/runner.c:
#             per test "ok N NAME # " (passed), "ok N NAME # SKIP" or
#             "not ok N NAME #", then "PASSED: n" / "SKIPPED: n" / "FAILED: n")
#   EXPECTED  one test name per line (build_selftests.sh writes it from the
#             source: every auto-test-target's struct scx_test .name)
# exit: 0 every expected test passed and none failed; 1 otherwise, with one
#       line per missing test saying what happened to it instead.
set -uo pipefail
log=$1
expected=$2

if [[ ! -s $expected ]]; then
  echo "sched_ext selftests: no expected-test list ($expected): rebuild with build_selftests.sh"
  exit 1
fi
want=$(grep -c . "$expected")
passed=$(sed -n 's/^ok [0-9]* \([^ ]*\) # *$/\1/p' "$log" | sort -u)
skipped=$(sed -n 's/^ok [0-9]* \([^ ]*\) # SKIP.*/\1/p' "$log" | sort -u)
failed=$(sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p' "$log" | sort -u)
count() { [[ -z $1 ]] && echo 0 || grep -c . <<<"$1"; }

# Reason of a failed test: the runner's SCX_ERR lines ("ERR: <file>.c:<line>"
# then the message) go to stderr, which `ktstr run` streams separately, so
# they can land after the test's block: match them by the test's source file
# (each selftest lives in <name>.c; test_example.c registers "example").
reason_of() {
  local r
  r=$(grep -A1 -E "^ERR: (test_)?$1\.c:" "$log" | tr '\n' ' ' | sed 's/ -- / | /g')
  echo "${r:-no ERR line in the log}"
}

missing=0
while read -r name; do
  [[ -z $name ]] && continue
  grep -qxF "$name" <<<"$passed" && continue
  missing=$((missing + 1))
  if grep -qxF "$name" <<<"$failed"; then
    echo "  missing: $name: failed: $(reason_of "$name")"
  elif grep -qxF "$name" <<<"$skipped"; then
    echo "  missing: $name: skipped"
  else
    echo "  missing: $name: never ran (not in the runner's output)"
  fi
done <"$expected"
# Tests the list does not know (a newer tree): reported, judged by their result.
extra_failed=0
for name in $failed; do
  grep -qxF "$name" "$expected" || { echo "  FAILED (not in the expected list): $name: $(reason_of "$name")"; extra_failed=$((extra_failed + 1)); }
done

echo "sched_ext selftests: $(count "$passed") passed of $want expected (SKIPPED $(count "$skipped"), FAILED $(count "$failed"))"
[[ $missing -eq 0 && $extra_failed -eq 0 ]] || exit 1
exit 0
