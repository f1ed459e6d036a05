// The kernel cache directory: one subdirectory per key holding a complete,
// validated build (see manifest.hpp), plus <key>.lock files and transient
// .tmp-<key>-<pid> build directories.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "host/kernel/manifest.hpp"

namespace ktstr::kernel {

// $KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels, else
// $HOME/.cache/ktstr/kernels (XDG Base Directory Specification).
std::filesystem::path default_cache_dir();

// An installed entry as listed from the cache directory.
struct CacheEntry {
  std::filesystem::path dir;
  Manifest manifest;
  std::uint64_t total_bytes = 0;
};

// Entries whose manifest parses, newest (by manifest date, then mtime) first.
// Does not re-hash files; use validate_entry before handing one out.
std::vector<CacheEntry> list_entries(const std::filesystem::path& cache_dir);

// The entry directory for key if it exists (complete or not).
std::optional<std::filesystem::path> find_entry_dir(const std::filesystem::path& cache_dir, const std::string& key);

// Removes an entry (or temp dir) recursively; the error names the path.
Result<void> remove_tree(const std::filesystem::path& dir);

// Removes all but the newest keep entries, plus stale temp dirs not locked
// by a running build. Returns the removed entry keys.
Result<std::vector<std::string>> clean_cache(const std::filesystem::path& cache_dir, std::size_t keep);

}  // namespace ktstr::kernel
