#!/bin/bash
# Unit test of selftest_gate.sh (label unit, no VM): runner logs in the
# runner's format (tools/testing/selftests/sched_ext/runner.c) for every way a
# run can fall short of "all expected tests passed".
set -uo pipefail
gate=$(dirname "$(realpath "$0")")/selftest_gate.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'create_dsq\nhotplug\nexample\n' >"$tmp/expected"
bad=0

# block NUM NAME RESULT: one test's block; RESULT is pass, skip or fail.
block() {
  printf '===== START =====\nTEST: %s\nOUTPUT:\n' "$2"
  case $3 in
    pass) printf 'ok %s %s # \n' "$1" "$2" ;;
    skip) printf 'ok %s %s # SKIP\n' "$1" "$2" ;;
    fail) printf 'not ok %s %s # \n' "$1" "$2" ;;
  esac
  printf '=====  END  =====\n\n'
}
summary() { printf '\n\n=============================\n\nRESULTS:\n\nPASSED:  %s\nSKIPPED: %s\nFAILED:  %s\n' "$@"; }

# expect NAME WANT_RC PATTERN...: runs the gate on $tmp/NAME.log, checks the
# exit code and that each pattern (grep -E) is in its output.
expect() {
  local name=$1 want=$2 out rc
  shift 2
  out=$("$gate" "$tmp/$name.log" "${expected:-$tmp/expected}")
  rc=$?
  if [[ $rc -ne $want ]]; then
    echo "FAIL $name: exit $rc, want $want:"; echo "$out"; bad=1; return
  fi
  for p in "$@"; do
    grep -qE -- "$p" <<<"$out" || { echo "FAIL $name: no line matching '$p' in:"; echo "$out"; bad=1; }
  done
  echo "ok $name"
}

{ block 1 create_dsq pass; block 2 hotplug pass; block 3 example pass; summary 3 0 0; } >"$tmp/all_pass.log"
expect all_pass 0 '^sched_ext selftests: 3 passed of 3 expected \(SKIPPED 0, FAILED 0\)$'

{ block 1 create_dsq skip; block 2 hotplug skip; block 3 example skip; summary 0 3 0; } >"$tmp/all_skip.log"
expect all_skip 1 '^  missing: create_dsq: skipped$' '^  missing: hotplug: skipped$' '^  missing: example: skipped$' \
  '^sched_ext selftests: 0 passed of 3 expected \(SKIPPED 3, FAILED 0\)$'

{ block 1 create_dsq pass; block 2 hotplug fail; block 3 example fail; summary 1 0 2
  printf 'ERR: hotplug.c:42\nExpected hotplug to fail\nERR: test_example.c:7\nbad example\n'; } >"$tmp/failed.log"
expect failed 1 '^  missing: hotplug: failed: ERR: hotplug.c:42 Expected hotplug to fail' \
  '^  missing: example: failed: ERR: test_example.c:7 bad example'

# The runner died after its first test: no summary, two tests never ran.
block 1 create_dsq pass >"$tmp/cut_short.log"
expect cut_short 1 '^  missing: hotplug: never ran' '^  missing: example: never ran' \
  '^sched_ext selftests: 1 passed of 3 expected'

# A failing test the list does not know still fails the gate.
{ block 1 create_dsq pass; block 2 hotplug pass; block 3 example pass; block 4 newer_test fail; summary 3 0 1; } \
  >"$tmp/extra.log"
expect extra 1 '^  FAILED \(not in the expected list\): newer_test'

# No expected list: the gate cannot judge, so it fails.
expected=$tmp/none expect all_pass 1 'no expected-test list'

exit $bad
