#!/usr/bin/env bash
# README quick start, first command: installs what ktstr needs (Debian 12, root),
# builds ktstr and the cached sched_ext kernel, installs ktstr to a local prefix,
# then builds the example scheduler project against it and runs its tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KTSTR_BUILD_DIR:-$root/build}
prefix=${KTSTR_PREFIX:-$root/build/install}

"$root/scripts/setup-deps.sh"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
# Only what a scheduler project uses (the programs, the libraries, the CMake
# package): ktstr's own test suite is built by scripts/test.sh, not here, so
# the example tests run as early as possible.
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKTSTR_BUILD_TESTS=OFF -DKTSTR_BUILD_BENCH=OFF
fi
cmake --build "$build" -j "$(nproc)"
cmake --build "$build" --target kernel
if [[ -f $root/examples/CMakeLists.txt ]]; then
  cmake --install "$build" --prefix "$prefix" >/dev/null
  ex=$build/examples
  cmake -S "$root/examples" -B "$ex" "${generator[@]}" -DCMAKE_PREFIX_PATH="$prefix"
  cmake --build "$ex" -j "$(nproc)"
  cd "$ex" && ctest -j2 --output-on-failure -R 'ktstr/'
fi
