// Where the host's dynamic loader looks for libraries besides RPATH/RUNPATH:
// /etc/ld.so.cache, the ld.so.conf directories and the built-in default dirs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/error.hpp"

namespace ktstr::initramfs {

// A snapshot of the loader's search configuration (ld.so(8) "search order").
struct LoaderConfig {
  // x86-64 library name -> path, first (highest-priority) baseline entry of
  // ld.so.cache; glibc-hwcaps subdirectory variants are skipped so the closure
  // runs on any x86-64 guest CPU.
  std::unordered_map<std::string, std::string> cache;
  // Directories from ld.so.conf and its includes, in file order. ld.so itself
  // only sees them through the cache; they are searched as a fallback for a
  // stale or missing cache.
  std::vector<std::string> conf_dirs;
  // The loader's compiled-in trusted directories (Debian multiarch glibc).
  std::vector<std::string> default_dirs;

  // The cache entry for name, if any.
  [[nodiscard]] std::optional<std::string> cache_lookup(const std::string& name) const {
    auto it = cache.find(name);
    if (it == cache.end()) return std::nullopt;
    return it->second;
  }
};

// Reads conf (following "include" globs) and cache. A missing file yields an
// empty part; a cache in an unknown format is ignored (the conf dirs cover it).
Result<LoaderConfig> load_loader_config(const std::filesystem::path& conf = "/etc/ld.so.conf",
                                        const std::filesystem::path& cache = "/etc/ld.so.cache");

// Parses the "glibc-ld.so.cache1.1" format (glibc elf/cache.c,
// sysdeps/generic/dl-cache.h) into name -> path for x86-64 libraries.
Result<std::unordered_map<std::string, std::string>> parse_ld_so_cache(std::string_view bytes);

}  // namespace ktstr::initramfs
