// Which kernel a command uses. The chain, first match wins:
//   1. ResolveOptions::kernel (--kernel, or the CMake variable KTSTR_KERNEL)
//   2. the environment variable KTSTR_KERNEL
//   3. the newest valid cache entry built with the requested kconfig fragment
//      (ResolveOptions::kconfig: ktstr.kconfig, plus debug/extra fragments)
//   4. the newest /usr/src/linux-source-6.*.tar.xz (Debian's linux-source-6.x), built
//   5. the newest valid cache entry built with an older ktstr.kconfig and no
//      extras (when 4 is absent or building is disabled; its origin says so;
//      never for a request with extras: a debug kernel is no stand-in)
//   6. an error saying how to get a kernel
// 1 and 2 accept a version, tarball, source tree, cache key, or an already
// built kernel (bzImage file, or a dir holding bzImage or
// arch/x86/boot/bzImage), which is used as-is without the cache.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "host/kernel/build.hpp"
#include "host/kernel/kconfig_spec.hpp"

namespace ktstr::kernel {

// A resolved kernel. Paths are absolute. Tool paths are empty for kernels
// that are not cache entries (an external build has no bpftool/libbpf of ours).
struct KernelEntry {
  std::filesystem::path dir;             // cache entry dir, or the external kernel's dir
  std::filesystem::path bzimage;
  std::filesystem::path vmlinux;         // empty if an external kernel has none next to it
  std::filesystem::path config;          // .config; empty if unknown
  std::string key;                       // cache key; "" for external kernels
  std::string version;                   // e.g. "6.12.117"; "" if unknown
  std::string origin;                    // "--kernel", "KTSTR_KERNEL", "newest cache entry", tarball path
  std::string extras;                    // extra kconfig fragments ("debug"...); "" for ktstr.kconfig alone
  bool cache_hit = false;                // an existing entry or external kernel; false: built just now
  std::filesystem::path bpftool;         // dir/bin/bpftool
  std::filesystem::path libbpf;          // dir/lib/libbpf.a
  std::filesystem::path include_dir;     // dir/include: uapi, bpf/*.h, scx/*.h, vmlinux.h
  std::filesystem::path schedulers_dir;  // dir/schedulers: scx_simple, scx_qmap, scx_central, scx_flatcg

  // One line: what was resolved, from where, hit or built.
  [[nodiscard]] std::string describe() const;
};

// Builds (or finds) a cache entry for a source; build_kernel unless a test injects another.
using Builder = std::function<Result<BuildOnceResult>(const SourceSpec&, const BuildOptions&)>;

struct ResolveOptions {
  std::string kernel;                                  // step 1; "" skips it
  bool use_env = true;                                 // step 2 reads $KTSTR_KERNEL
  std::filesystem::path cache_dir;                     // "" = default_cache_dir()
  std::filesystem::path debian_src_dir = "/usr/src";   // step 4 looks here
  bool allow_build = true;                             // false: steps 1/2/4 never start a build
  bool force = false;                                  // rebuild the source of step 1/2/4
  bool announce = true;                                // print describe() to progress.out
  Progress progress;                                   // build progress and the announcement
  std::string mirror;                                  // kernel.org mirror ("" = default)
  std::filesystem::path reuse_build;                   // BuildOptions::reuse_build for step 1
  KconfigSpec kconfig = base_kconfig();                // the fragment built with (steps 3-5 match on it)
  Builder builder;                                     // empty = build_kernel
};

Result<KernelEntry> resolve_kernel(const ResolveOptions& opts);

// What the chain picks before anything is built: a source (steps 1, 2, 4:
// spec and origin) or a valid cache entry (steps 3, 5: entry). Never builds;
// errors as resolve_kernel's steps 5-6. allow_build false skips step 4.
struct KernelChoice {
  std::string spec;                  // --kernel / KTSTR_KERNEL value or tarball path; "" with entry
  std::string origin;
  std::optional<KernelEntry> entry;  // steps 3 and 5
};
Result<KernelChoice> choose_kernel(const ResolveOptions& opts);

// The entry view of an installed cache entry.
KernelEntry entry_from_cache(const BuildOnceResult& r, std::string origin);

}  // namespace ktstr::kernel
