#!/bin/sh
# Runs a gauntlet CTest entry only when gauntlet runs were asked for; exits 77
# (CTest SKIP_RETURN_CODE) with the reason otherwise. CTest cannot register a
# test that runs "only when selected", so the entry checks the selection
# itself: KTSTR_GAUNTLET=1 in the environment, or the invoking ctest's command
# line (our parent, /proc/$PPID/cmdline) selecting label "gauntlet" (-L/--label-regex)
# or gauntlet names (-R/--tests-regex). KTSTR_GAUNTLET=0 always skips.
# Usage: ktstr_gauntlet_gate.sh COMMAND [ARGS...]
case "${KTSTR_GAUNTLET:-}" in
  1|on|yes|true) exec "$@" ;;
  0|off|no|false) echo "ktstr: gauntlet variant skipped: KTSTR_GAUNTLET=${KTSTR_GAUNTLET}"; exit 77 ;;
esac
if [ -r "/proc/$PPID/cmdline" ]; then
  # NUL-separated argv -> one argument per line.
  args=$(tr '\0' '\n' < "/proc/$PPID/cmdline")
  prev=""
  for a in $args; do
    case "$prev" in
      -L|--label-regex|-R|--tests-regex)
        case "$a" in *gauntlet*) exec "$@" ;; esac ;;
    esac
    case "$a" in
      -L*gauntlet*|--label-regex=*gauntlet*|-R*gauntlet*|--tests-regex=*gauntlet*) exec "$@" ;;
    esac
    prev=$a
  done
fi
echo "ktstr: gauntlet variant not selected: run it with \`ctest -L gauntlet\` (or KTSTR_GAUNTLET=1 ctest ...)"
exit 77
