// Builds a cache entry at most once per key, across processes: the build
// runs in a temp dir inside the cache dir under <key>.lock and is renamed
// into place only when complete, so readers never see a partial entry.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "host/kernel/manifest.hpp"

namespace ktstr::kernel {

// Fills temp_dir with a complete entry (every kEntryFiles except
// manifest.json) and returns the manifest fields it knows (version, source,
// sched_ext, ...). build_once adds key, digests, sizes and date.
using BuildStep = std::function<Result<Manifest>(const std::filesystem::path& temp_dir)>;

struct BuildOnceOptions {
  bool force = false;  // rebuild even when a valid entry exists
  // Called with a one-line note when an existing entry is damaged and rebuilt.
  std::function<void(const std::string&)> note;
};

struct BuildOnceResult {
  std::filesystem::path dir;
  Manifest manifest;
  bool cache_hit = false;
};

// Returns the valid entry for key, building it with step when absent,
// damaged or forced. On failure (or interrupt) the temp dir is removed and
// the lock released; no entry appears.
Result<BuildOnceResult> build_once(const std::filesystem::path& cache_dir, const std::string& key,
                                   const BuildStep& step, const BuildOnceOptions& opts = {});

// Hit check without building: the validated entry, or an error saying why not.
Result<BuildOnceResult> lookup_entry(const std::filesystem::path& cache_dir, const std::string& key);

}  // namespace ktstr::kernel
