// build() and build_to_string(): resolve the spec, then either reuse a current
// archive (stamp match) or write a new one atomically.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "base/fd.hpp"
#include "base/temp_dir.hpp"
#include "initramfs/cpio_writer.hpp"
#include "initramfs/initramfs.hpp"
#include "initramfs/layout.hpp"
#include "initramfs/stamp.hpp"
#include "initramfs/strip.hpp"

namespace ktstr::initramfs {
namespace {

namespace fs = std::filesystem;

// The stamp records the digest and the archive's size, so an archive that was
// truncated or replaced behind our back is rebuilt too.
std::string stamp_text(const std::string& digest, uint64_t size) {
  return fmt::format("{} {}\n", digest, size);
}

bool stamp_matches(const fs::path& out, const fs::path& stamp, const std::string& digest) {
  struct stat st;
  if (::stat(out.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  auto text = read_file(stamp);
  return text && *text == stamp_text(digest, static_cast<uint64_t>(st.st_size));
}

// Writes the archive to a temp file next to out and renames it into place.
Result<uint64_t> write_archive_file(const std::vector<Entry>& entries, const fs::path& out,
                                    const BuildOptions& options) {
  fs::path tmp = out;
  tmp += fmt::format(".tmp.{}", ::getpid());
  uint64_t written = 0;
  auto result = [&]() -> Result<void> {
    auto fd = KTSTR_TRY(open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    KTSTR_TRY_VOID(write_cpio(entries, [&](std::string_view bytes) -> Result<void> {
      written += bytes.size();
      return write_all(fd.get(), bytes);
    }, options));
    if (!options.throwaway && ::fsync(fd.get()) != 0) return fail_errno(fmt::format("fsync {}", tmp.string()));
    if (::rename(tmp.c_str(), out.c_str()) != 0)
      return fail_errno(fmt::format("rename {} -> {}", tmp.string(), out.string()));
    return {};
  }();
  if (!result) {
    ::unlink(tmp.c_str());
    KTSTR_TRY_CTX(std::move(result), "writing {}", out.string());
  }
  return written;
}

// Points program entries at debug-stripped copies when options ask for it;
// the copies live in the returned directory until the archive is written.
Result<std::optional<TempDir>> strip_if_asked(std::vector<Entry>& entries, const BuildOptions& options) {
  if (!options.strip_debug) return std::optional<TempDir>{};
  auto scratch = KTSTR_TRY(TempDir::create("ktstr-strip-"));
  KTSTR_TRY(strip_debug_info(entries, scratch.path()));
  return std::optional<TempDir>{std::move(scratch)};
}

}  // namespace

Result<bool> build(const Spec& spec, const fs::path& out) { return build(spec, out, BuildOptions{}); }

Result<bool> build(const Spec& spec, const fs::path& out, const BuildOptions& options) {
  auto entries = KTSTR_TRY(resolve_layout(spec));
  if (options.throwaway) {
    const auto scratch = KTSTR_TRY(strip_if_asked(entries, options));
    KTSTR_TRY(write_archive_file(entries, out, options));
    return true;
  }
  auto digest = KTSTR_TRY(layout_digest(entries));
  if (options.compression == Compression::kZstd) digest += fmt::format("+zstd{}", options.zstd_level);
  if (options.strip_debug) digest += "+strip-debug";
  fs::path stamp = out;
  stamp += ".stamp";
  if (stamp_matches(out, stamp, digest)) return false;
  if (out.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(out.parent_path(), ec);
    if (ec) return fail("create directory {}: {}", out.parent_path().string(), ec.message());
  }
  // Drop the old stamp first: a crash between the archive and stamp writes
  // must leave "rebuild needed", never a stale match.
  ::unlink(stamp.c_str());
  const auto scratch = KTSTR_TRY(strip_if_asked(entries, options));
  auto size = KTSTR_TRY(write_archive_file(entries, out, options));
  KTSTR_TRY_VOID(write_file_atomic(stamp, stamp_text(digest, size)));
  return true;
}

Result<std::string> build_to_string(const Spec& spec) { return build_to_string(spec, BuildOptions{}); }

Result<std::string> build_to_string(const Spec& spec, const BuildOptions& options) {
  auto entries = KTSTR_TRY(resolve_layout(spec));
  const auto scratch = KTSTR_TRY(strip_if_asked(entries, options));
  std::string out;
  KTSTR_TRY_VOID(write_cpio(entries, [&](std::string_view bytes) -> Result<void> {
    out.append(bytes);
    return {};
  }, options));
  return out;
}

}  // namespace ktstr::initramfs
