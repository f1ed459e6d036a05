// manifest.json of a cache entry: what was built from what, and the digests
// that let a later run detect a damaged entry.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "base/error.hpp"

namespace ktstr::kernel {

struct Manifest {
  std::string key;             // cache key, also the entry directory name
  std::string version;         // kernel release from the tree's Makefile, e.g. "6.12.117"
  std::string source;          // what was built: tarball path, source dir or "kernel.org 6.12.3"
  std::string source_digest;   // see source.hpp for how it is computed
  std::string fragment_hash;   // sha256 of the kconfig fragment built with (kconfig_spec.hpp)
  std::string extra_fragments; // "" (ktstr.kconfig alone) or what was appended, e.g. "debug"
  std::string date;            // UTC build completion, ISO 8601
  bool sched_ext = false;      // CONFIG_SCHED_CLASS_EXT=y in the final .config
  double build_seconds = 0;    // wall time of the cold build
  std::map<std::string, std::uint64_t> sizes;    // entry-relative path -> bytes
  std::map<std::string, std::string> sha256;     // entry-relative path -> digest (bzImage, vmlinux)
  // mtime (ns since the epoch) of each hashed file when its digest was taken.
  // Validation re-hashes a file only when its mtime differs: any write to it
  // changes the mtime, and a hit stays well under 2 s (hashing vmlinux,
  // ~110 MB, costs far more than the rest of a hit on a loaded machine).
  std::map<std::string, std::int64_t> hashed_mtime;
};

Result<Manifest> read_manifest(const std::filesystem::path& entry_dir);
Result<void> write_manifest(const std::filesystem::path& entry_dir, const Manifest& m);

// Files every complete entry has (relative to the entry directory).
inline constexpr const char* kEntryFiles[] = {
    "bzImage", "vmlinux", ".config", "build.log", "manifest.json", "bin/bpftool", "lib/libbpf.a",
    "include/bpf/libbpf.h", "include/linux/sched.h", "include/scx/common.bpf.h", "include/vmlinux.h",
    "schedulers/scx_simple",
};

// Files whose sha256 the manifest records and validation re-checks.
inline constexpr const char* kHashedFiles[] = {"bzImage", "vmlinux"};

// Checks an entry: manifest readable, every kEntryFiles present, sizes of
// kHashedFiles as recorded, and their sha256 when their mtime changed since
// hashing (or always with full). The error says what is damaged.
Result<Manifest> validate_entry(const std::filesystem::path& entry_dir, bool full = false);

// Fills sizes/sha256 of m from the files in entry_dir (used when installing).
Result<void> record_digests(const std::filesystem::path& entry_dir, Manifest& m);

}  // namespace ktstr::kernel
