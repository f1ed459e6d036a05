// `ktstr kernel plan`: what `ktstr kernel build` with the same options would
// do, without building or downloading anything: the source the resolution
// chain picks, its cache key when that is known offline, and whether the
// cache already holds it. CMake prints it at configure time (one line per
// kernel), so a configure never waits for a kernel.
#pragma once

#include <optional>
#include <string>

#include "base/error.hpp"
#include "host/kernel/resolve.hpp"

namespace ktstr::kernel {

struct KernelPlan {
  std::string source;              // tarball, source dir, "kernel.org 6.12" or built kernel; "" for a cached entry
  std::string origin;              // the chain step that chose it
  std::string key;                 // cache key; "" when unknown offline (versions) or not cached (built kernels)
  std::string extras;              // extra fragments ("debug"...)
  std::optional<KernelEntry> hit;  // the valid cache entry a build reuses
  bool prebuilt = false;           // an already built kernel, used as is

  // One line: source, origin, key, and "cache hit (DIR)" or what a build will do.
  [[nodiscard]] std::string describe() const;
};

// The plan for opts (allow_build is ignored: a plan reports what a build would do).
Result<KernelPlan> plan_kernel(const ResolveOptions& opts);

}  // namespace ktstr::kernel
