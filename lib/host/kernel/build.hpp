// `ktstr kernel build`: turn a source (version, tarball, source dir) into a
// validated cache entry, building it at most once per key.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "base/error.hpp"
#include "host/kernel/build_once.hpp"
#include "host/kernel/kconfig_spec.hpp"
#include "host/kernel/logged_command.hpp"
#include "host/kernel/source.hpp"

namespace ktstr::kernel {

struct BuildOptions {
  std::filesystem::path cache_dir;  // empty: default_cache_dir()
  bool force = false;               // rebuild even on a valid entry
  Progress progress;
  std::string mirror;               // kernel.org mirror for versions ("" = default)
  int jobs = 0;                     // 0: one per CPU
  // Source trees only: an existing O= build of that same tree to start from
  // (see PipelineInput::reuse_build). Does not change the cache key.
  std::filesystem::path reuse_build;
  KconfigSpec kconfig = base_kconfig();  // the fragment (part of the cache key)
};

// The cache key a source maps to, without building (resolves versions over
// the network, hashes tarballs once).
Result<std::string> cache_key_for(const SourceSpec& spec, const BuildOptions& opts);

// Builds spec (kVersion, kTarball, kSourceDir) or returns its valid cache
// entry; kCacheKey validates that entry. kBuiltKernel is an error (nothing to build).
Result<BuildOnceResult> build_kernel(const SourceSpec& spec, const BuildOptions& opts);

}  // namespace ktstr::kernel
