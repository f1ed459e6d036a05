#!/bin/bash
# Builds the kernel's sched_ext selftests (tools/testing/selftests/sched_ext)
# into OUT_DIR/runner and lists the tests that tree declares in
# OUT_DIR/expected_tests.txt (selftest_gate.sh requires each to pass). Cached:
# does nothing when OUT_DIR/runner is newer than the vmlinux it was built
# against and the list exists.
#
# usage: build_selftests.sh OUT_DIR KTSTR_CLI
# exit: 0 built (or cached), 77 no kernel source/vmlinux here (reason on stdout),
#       1 the build failed (log in OUT_DIR/build.log)
#
# Inputs, first found wins:
#   vmlinux (BTF for vmlinux.h): $KTSTR_KERNEL (dir holding vmlinux, or a bzImage
#     whose dir or ../../.. holds one), else `KTSTR_CLI kernel path`/vmlinux.
#   source: $KTSTR_KERNEL_SRC, else the parts the build needs (tools/,
#     include/, scripts/, arch/x86/, kernel/bpf/) extracted once from the newest
#     /usr/src/linux-source-6.*.tar.xz into OUT_DIR/src.
#   bpftool: the kernel cache entry's bin/bpftool when present, else the
#     selftests Makefile builds its own.
# The recipe (clang-19 for the BPF side, gcc for the runner, libzstd-dev for
# the static libbpf link) is the one the selftests Makefile documents
# (tools/testing/selftests/sched_ext/Makefile: CLANG, LLVM_STRIP, VMLINUX_BTF).
set -euo pipefail
out=$(realpath -m "$1")
cli=${2:-}
mkdir -p "$out"

vmlinux=""
entry=""
if [[ -n "${KTSTR_KERNEL:-}" ]]; then
  k=$KTSTR_KERNEL
  [[ -f $k ]] && k=$(dirname "$k")
  for c in "$k/vmlinux" "$k/../../../vmlinux"; do
    [[ -f $c ]] && { vmlinux=$(realpath "$c"); break; }
  done
fi
if [[ -z $vmlinux && -n $cli && -x $cli ]]; then
  # `kernel path` never builds; a kernel being built elsewhere holds the
  # cache lock, so bound the wait.
  if entry=$(timeout 20 "$cli" kernel path 2>/dev/null) && [[ -f $entry/vmlinux ]]; then
    vmlinux=$entry/vmlinux
  else
    entry=""
  fi
fi
if [[ -z $vmlinux ]]; then
  echo "SKIP: no vmlinux with BTF: set KTSTR_KERNEL or build one with 'ktstr kernel build'"
  exit 77
fi

if [[ -x $out/runner && $out/runner -nt $vmlinux && -s $out/expected_tests.txt ]]; then
  exit 0
fi

src=${KTSTR_KERNEL_SRC:-}
if [[ -z $src ]]; then
  tarball=$(ls -1 /usr/src/linux-source-6.*.tar.xz 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z $tarball ]]; then
    echo "SKIP: no kernel source: set KTSTR_KERNEL_SRC or install linux-source-6.12"
    exit 77
  fi
  top=$(basename "$tarball" .tar.xz)
  if [[ ! -d $out/src/$top/tools/testing/selftests/sched_ext ]]; then
    mkdir -p "$out/src"
    echo "extracting the selftests' sources from $tarball into $out/src"
    tar -C "$out/src" -xf "$tarball" "$top/tools" "$top/include" "$top/scripts" "$top/arch/x86" \
      "$top/kernel/bpf" "$top/Makefile"
  fi
  src=$out/src/$top
fi

mkdir -p "$out/build"
args=(CC=gcc CLANG=clang-19 LLVM_STRIP=llvm-strip-19 O="$out/build" OUTPUT="$out/build"
      VMLINUX_BTF="$vmlinux")
[[ -n $entry && -x $entry/bin/bpftool ]] && args+=(BPFTOOL="$entry/bin/bpftool")
echo "building sched_ext selftests from $src against $vmlinux (log: $out/build.log)"
# The force-include goes in through GENFLAGS, a variable only the selftests
# Makefile reads (its own CFLAGS line; it normally holds -DHAVE_GENHDR when
# include/generated/autoconf.h exists), so the libbpf and bpftool sub-makes
# never see it (CFLAGS from the environment leaked into them and broke the
# bpftool bootstrap build).
here=$(dirname "$(realpath "$0")")
genflags="-include $here/runner_linebuf.h"
[[ -f $src/include/generated/autoconf.h ]] && genflags+=" -DHAVE_GENHDR"
if ! make -C "$src/tools/testing/selftests/sched_ext" -j2 "${args[@]}" GENFLAGS="$genflags" >"$out/build.log" 2>&1; then
  tail -20 "$out/build.log"
  exit 1
fi
# The tests the tree declares: each of the Makefile's auto-test-targets is a
# <target>.c registering one struct scx_test; its .name is what the runner
# prints (test_example.c registers "example").
dir=$src/tools/testing/selftests/sched_ext
targets=$(awk '/^auto-test-targets[ \t]*:=/ {on = 1; sub(/^[^=]*=/, "")}
               on {cont = ($0 ~ /\\[ \t]*$/); gsub(/\\/, ""); printf "%s ", $0; if (!cont) exit}' "$dir/Makefile")
: >"$out/expected_tests.tmp"
for t in $targets; do
  name=$(sed -n '/struct scx_test [A-Za-z_0-9]* = {/,/};/s/.*\.name[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/$t.c")
  if [[ -z $name ]]; then
    echo "no struct scx_test .name in $dir/$t.c: cannot list the expected tests"
    exit 1
  fi
  echo "$name" >>"$out/expected_tests.tmp"
done
mv "$out/expected_tests.tmp" "$out/expected_tests.txt"
cp "$out/build/runner" "$out/runner.tmp" && mv "$out/runner.tmp" "$out/runner"
echo "built $out/runner ($(grep -c . "$out/expected_tests.txt") tests declared)"
