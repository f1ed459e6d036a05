#!/usr/bin/env bash
# Installs every Debian package ktstr needs. Idempotent: when all packages are
# present it only runs `dpkg -s` and exits in well under a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  doctest-dev libfmt-dev libcurl4-openssl-dev libarchive-dev libcli11-dev
  nlohmann-json3-dev libelf-dev libbpf-dev zlib1g-dev libzstd-dev libssl-dev libcap-dev liblzma-dev
  clang-19 llvm-19 lld-19 flex bison bc dwarves cpio xz-utils zstd lz4 rsync
  qemu-system-x86 busybox-static linux-source-6.12 acpica-tools
  python3 file
  libexpat1-dev chromium  # the timeline tests: SVG parsed with expat, rendered in headless Chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "setup-deps: missing packages: ${missing[*]}; run this script as root (or install them with apt-get)" >&2
  exit 1
fi
echo "setup-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-deps: done"
