#!/bin/sh
# Runs a CTest entry only when it was selected; exits 77 (CTest
# SKIP_RETURN_CODE) with the reason otherwise. CTest cannot register a test
# that runs "only when selected", so the entry checks the selection itself:
# KTSTR_<WORD>=1 in the environment (WORD upper-cased: KTSTR_GAUNTLET), or the
# invoking ctest's command line (our parent, /proc/$PPID/cmdline) selecting a
# label (-L/--label-regex) or names (-R/--tests-regex) containing WORD.
# KTSTR_<WORD>=0 always skips. WORD is "gauntlet" (gauntlet variants) unless
# given with --select=WORD (ktstr's own opt-in tests: --select=product_cold).
# Usage: ktstr_gauntlet_gate.sh [--select=WORD] COMMAND [ARGS...]
word=gauntlet
case "${1:-}" in
  --select=*) word=${1#--select=}; shift ;;
esac
var=KTSTR_$(printf '%s' "$word" | tr '[:lower:]' '[:upper:]')
noun=entry
[ "$word" = gauntlet ] && noun=variant
eval "value=\${$var:-}"
case "$value" in
  1|on|yes|true) exec "$@" ;;
  0|off|no|false) echo "ktstr: $word $noun skipped: $var=$value"; exit 77 ;;
esac
if [ -r "/proc/$PPID/cmdline" ]; then
  # NUL-separated argv -> one argument per line.
  args=$(tr '\0' '\n' < "/proc/$PPID/cmdline")
  prev=""
  for a in $args; do
    case "$prev" in
      -L|--label-regex|-R|--tests-regex)
        case "$a" in *"$word"*) exec "$@" ;; esac ;;
    esac
    case "$a" in
      -L*"$word"*|--label-regex=*"$word"*|-R*"$word"*|--tests-regex=*"$word"*) exec "$@" ;;
    esac
    prev=$a
  done
fi
echo "ktstr: $word $noun not selected: run it with \`ctest -L $word\` (or $var=1 ctest ...)"
exit 77
