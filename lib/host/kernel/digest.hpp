// Cache keys: <version>-<first 12 hex of sha256(source digest + fragment hash)>.
//
// Source digests:
//  - tarball: sha256 of the file. Remembered in <cache>/.digests.json keyed
//    by absolute path + size + mtime, so a cache hit does not re-read 150 MB.
//  - source dir: sha256 over the tree's version and, for every regular file
//    (sorted, .git excluded), "relative path \t size \t mtime ns \n". Touching
//    or editing any file therefore changes the key; content is not read, so
//    a cache hit on a 90k-file tree costs a directory walk, not a full read.
//  - kernel.org version: the release's published sha256.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::kernel {

// sha256 of the embedded kconfig fragment alone (kconfig/ktstr.kconfig):
// base_kconfig().hash() (kconfig_spec.hpp has the fragments with extras).
std::string fragment_hash();

// The cache key for a build of version from source_digest with fragment_hash.
std::string make_cache_key(std::string_view version, std::string_view source_digest, std::string_view fragment_hash);

// Digest of a tarball, using and updating the sidecar in cache_dir.
Result<std::string> tarball_digest(const std::filesystem::path& tarball, const std::filesystem::path& cache_dir);

// Digest of a source tree (see above); version is part of the digest.
Result<std::string> source_dir_digest(const std::filesystem::path& dir, std::string_view version);

}  // namespace ktstr::kernel
