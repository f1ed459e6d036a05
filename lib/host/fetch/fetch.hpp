// Kernel source acquisition: resolve a version against kernel.org's releases
// list, download the tarball with resume and sha256 verification, and extract
// archives safely (no entry may escape the destination).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::fetch {

// Where and how to download. An empty mirror means $KTSTR_KERNEL_MIRROR, or
// https://cdn.kernel.org/pub/linux/kernel when that is unset.
struct DownloadOptions {
  std::string mirror;
  bool progress = false;  // progress bar on stderr, only when stderr is a tty
  // Polled during transfers; returning true aborts with an "interrupted"
  // error (the .part is kept for a later resume). E.g. kernel::interrupted.
  std::function<bool()> cancelled;
};

// Options for extract_archive.
struct ExtractOptions {
  // Polled between entries; returning true aborts with an "interrupted"
  // error and removes everything extracted so far.
  std::function<bool()> cancelled;
};

// One concrete kernel release: full version ("6.12.3"), tarball URL and the
// expected sha256 (lower-case hex) taken from the mirror's sha256sums.asc.
struct KernelRelease {
  std::string version;
  std::string url;
  std::string sha256;
};

// Resolves "6.12.3" exactly or "6.12" to the newest 6.12.N the mirror offers
// (releases.json first, then the v6.x/ directory listing). Fails for unknown
// versions and for versions older than 6.12 (no sched_ext).
Result<KernelRelease> resolve_version(std::string_view version, const DownloadOptions&);

// Downloads release.url into dest_dir (via <name>.part, resuming a partial
// file with a Range request), verifies release.sha256 and renames to the
// final name, which it returns. An intact file already there is reused; a
// checksum mismatch deletes the download. Interrupted transfers that made
// progress are resumed a few times; a .part left by a failure is resumed by
// the next call.
Result<std::filesystem::path> download_release(const KernelRelease&, const std::filesystem::path& dest_dir,
                                               const DownloadOptions&);

// Extracts a tar archive (xz/gz/zst/bz2/none) into dest_dir, refusing entries
// that would land outside it. Extraction happens in a temp dir inside dest_dir
// that is renamed into place when complete. Returns the single top-level
// directory of the archive (e.g. dest_dir/linux-6.12.3).
Result<std::filesystem::path> extract_archive(const std::filesystem::path& archive,
                                              const std::filesystem::path& dest_dir);
Result<std::filesystem::path> extract_archive(const std::filesystem::path& archive,
                                              const std::filesystem::path& dest_dir, const ExtractOptions& opts);

}  // namespace ktstr::fetch
