// What a --kernel / KTSTR_KERNEL argument names, and checks on kernel trees.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::kernel {

enum class SourceKind {
  kVersion,      // "6.12" or "6.12.3": downloaded from kernel.org (or the mirror)
  kTarball,      // a local linux tarball (.tar.xz/.tar.gz/.tar.zst/.tar.bz2/.tar)
  kSourceDir,    // a local kernel source tree (Makefile + kernel/)
  kBuiltKernel,  // an existing build: a bzImage file, or a dir with bzImage (or arch/x86/boot/bzImage)
  kCacheKey,     // the key of an existing cache entry
};

struct SourceSpec {
  SourceKind kind;
  std::string text;              // the argument as given (version or key)
  std::filesystem::path path;    // absolute path for tarball, dir and built kernel
};

// Classifies spec. Existing paths win over keys, keys over versions; an
// argument that is none of these is an error that lists what is accepted.
Result<SourceSpec> classify_source(std::string_view spec, const std::filesystem::path& cache_dir);

// "6.12.117" from the VERSION/PATCHLEVEL/SUBLEVEL/EXTRAVERSION lines of a
// kernel's top-level Makefile.
Result<std::string> parse_makefile_version(std::string_view makefile_text);

// True when version (e.g. "6.12.3", "6.13-rc1") is at least major.minor.
bool version_at_least(std::string_view version, int major, int minor);

// Reads the tree's version and fails unless it is >= 6.12 and has
// kernel/sched/ext.c (sched_ext was merged in 6.12).
Result<std::string> check_sched_ext_tree(const std::filesystem::path& src);

// Version label from a tarball name: linux-6.12.3.tar.xz -> "6.12.3",
// linux-source-6.12.tar.xz -> "6.12"; "" when the name carries none.
std::string version_from_filename(const std::filesystem::path& tarball);

}  // namespace ktstr::kernel
