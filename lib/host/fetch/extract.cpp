// extract_archive: libarchive reader -> per-entry safety checks -> disk
// writer rooted in a temp dir, then one rename into place.
#include <fcntl.h>  // AT_FDCWD
#include <stdio.h>  // renameat2, RENAME_NOREPLACE

#include <set>
#include <string>

#include "host/fetch/archive_handle.hpp"
#include "host/fetch/entry_check.hpp"
#include "host/fetch/fetch.hpp"
#include "host/fetch/link_guard.hpp"
#include "host/fetch/tar_reader.hpp"
#include "base/temp_dir.hpp"

namespace ktstr::fetch {
namespace {

namespace fs = std::filesystem;

// Keep modes and mtimes (make compares mtimes), never follow or replace
// symlinks already on disk, never honour ".." or absolute names even if a
// check above were to miss one (defence in depth, libarchive archive_write_disk(3)).
constexpr int kDiskFlags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                           ARCHIVE_EXTRACT_SECURE_NODOTDOT;

Result<ArchiveWriter> open_writer() {
  ArchiveWriter out(archive_write_disk_new());
  if (!out) return fail("archive_write_disk_new: out of memory");
  // No ARCHIVE_EXTRACT_OWNER and no lookup functions: files belong to the
  // extracting user, as with `tar xf` run by a non-root user.
  archive_write_disk_set_options(out.get(), kDiskFlags);
  return out;
}

// Rewrites one entry to live under root after checking that it stays inside.
// Returns its normalised relative path ("" for the archive's "./" entry).
Result<std::string> relocate_entry(archive_entry* entry, const std::string& root, LinkGuard& links) {
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) return fail("entry without a readable name");
  std::string rel = KTSTR_TRY(safe_relative_path(name));
  // A hard link's own file type is unreliable in tar (often 0); its target is what matters.
  if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
    const std::string link_rel = KTSTR_TRY_CTX(safe_relative_path(link), "hard link '{}'", name);
    KTSTR_TRY_VOID(links.check_hardlink(rel, link_rel));
    archive_entry_set_hardlink(entry, (root + "/" + link_rel).c_str());
  } else {
    switch (archive_entry_filetype(entry)) {
      case AE_IFREG:
      case AE_IFDIR:
        break;
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(entry);
        KTSTR_TRY_VOID(links.add_symlink(rel, target != nullptr ? target : ""));
        break;
      }
      default:
        return fail("entry '{}' is a device, fifo or socket, which a source tree never contains", name);
    }
  }
  if (!rel.empty()) archive_entry_set_pathname(entry, (root + "/" + rel).c_str());
  return rel;
}

Result<void> copy_data(archive* in, archive* out) {
  const void* buf = nullptr;
  size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return {};
    if (r < ARCHIVE_WARN) return fail("reading data: {}", archive_error(in));
    if (archive_write_data_block(out, buf, size, offset) < ARCHIVE_WARN)
      return fail("writing data: {}", archive_error(out));
  }
}

// Extracts every entry of in under root; returns the set of top-level names.
Result<std::set<std::string>> extract_all(archive* in, archive* out, const std::string& root,
                                          const ExtractOptions& opts) {
  std::set<std::string> tops;
  LinkGuard links;
  archive_entry* entry = nullptr;
  for (;;) {
    if (opts.cancelled && opts.cancelled()) return fail("interrupted");
    int r = archive_read_next_header(in, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return fail("{}", archive_error(in));
    std::string rel = KTSTR_TRY(relocate_entry(entry, root, links));
    if (rel.empty()) continue;
    tops.emplace(top_component(rel));
    if (archive_write_header(out, entry) < ARCHIVE_WARN)
      return fail("entry '{}': {}", rel, archive_error(out));
    if (archive_entry_size(entry) > 0)
      KTSTR_TRY_CTX(copy_data(in, out), "entry '{}'", rel);
    if (archive_write_finish_entry(out) < ARCHIVE_WARN)
      return fail("entry '{}': {}", rel, archive_error(out));
  }
  // Directory modes and mtimes are applied at close (archive_write_disk(3)).
  if (archive_write_close(out) != ARCHIVE_OK) return fail("finishing: {}", archive_error(out));
  KTSTR_TRY_VOID(links.verify_on_disk(root));
  return tops;
}

Result<fs::path> single_top_dir(const std::set<std::string>& tops, const fs::path& tmp) {
  if (tops.empty()) return fail("archive contains no entries");
  if (tops.size() > 1) {
    std::string names;
    for (const auto& t : tops) {
      if (names.size() > 200) { names += ", ..."; break; }
      names += (names.empty() ? "" : ", ") + t;
    }
    return fail("expected one top-level directory, found {}: {}", tops.size(), names);
  }
  fs::path top = tmp / *tops.begin();
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(top, ec)))
    return fail("top-level entry '{}' is not a directory", *tops.begin());
  return top;
}

}  // namespace

Result<fs::path> extract_archive(const fs::path& archive_path, const fs::path& dest_dir) {
  return extract_archive(archive_path, dest_dir, ExtractOptions{});
}

Result<fs::path> extract_archive(const fs::path& archive_path, const fs::path& dest_dir, const ExtractOptions& opts) {
  auto ctx = [&](Error e) { return std::move(e).context(fmt::format("extracting {}", archive_path.string())); };
  std::error_code ec;
  fs::create_directories(dest_dir, ec);
  if (ec) return std::unexpected(ctx(Error{fmt::format("creating {}: {}", dest_dir.string(), ec.message())}));
  // Canonical root: SECURE_SYMLINKS refuses paths that pass through any
  // symlink, including one in the destination's own prefix.
  fs::path root = fs::canonical(dest_dir, ec);
  if (ec) return std::unexpected(ctx(Error{fmt::format("resolving {}: {}", dest_dir.string(), ec.message())}));

  auto run = [&]() -> Result<fs::path> {
    TempDir tmp = KTSTR_TRY(ktstr::TempDir::create(".ktstr-extract-", root));
    TarReader in = KTSTR_TRY(open_tar_reader(archive_path));
    ArchiveWriter out = KTSTR_TRY(open_writer());
    auto tops = KTSTR_TRY(extract_all(in.archive.get(), out.get(), tmp.path().string(), opts));
    fs::path top = KTSTR_TRY(single_top_dir(tops, tmp.path()));
    fs::path final_path = root / top.filename();
    // RENAME_NOREPLACE: never merge into or clobber an existing tree.
    if (::renameat2(AT_FDCWD, top.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE) != 0)
      return fail_errno(fmt::format("moving extracted tree to {}", final_path.string()));
    return final_path;  // tmp (now empty) is removed by its owner
  };
  auto result = run();
  if (!result) return std::unexpected(ctx(std::move(result).error()));
  return result;
}

}  // namespace ktstr::fetch
