#include "initramfs/cpio_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>

#include "base/fd.hpp"

namespace ktstr::initramfs {
namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryDeleter>;

// Carries the sink and the first sink error through libarchive's C callback.
struct SinkState {
  const ByteSink* sink;
  std::optional<Error> error;
  uint64_t written = 0;
};

la_ssize_t write_callback(archive*, void* client, const void* buf, size_t len) {
  auto* state = static_cast<SinkState*>(client);
  auto r = (*state->sink)(std::string_view(static_cast<const char*>(buf), len));
  if (!r) {
    state->error = std::move(r).error();
    return -1;
  }
  state->written += len;
  return static_cast<la_ssize_t>(len);
}

Error archive_error(archive* a, SinkState& state, std::string_view what) {
  if (state.error) return std::move(*state.error);
  const char* msg = archive_error_string(a);
  return Error{fmt::format("cpio {}: {}", what, msg ? msg : "unknown libarchive error")};
}

unsigned filetype(EntryKind k) {
  switch (k) {
    case EntryKind::kFile: return AE_IFREG;
    case EntryKind::kDir: return AE_IFDIR;
    case EntryKind::kSymlink: return AE_IFLNK;
    case EntryKind::kCharDevice: return AE_IFCHR;
  }
  return AE_IFREG;
}

// Streams a source file into the archive in fixed chunks.
Result<void> copy_source(archive* a, SinkState& state, const Entry& e) {
  auto fd = KTSTR_TRY(open_file(e.source, O_RDONLY));
  std::vector<char> buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno(fmt::format("read {}", e.source.string()));
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > e.size) break;  // checked below
    if (archive_write_data(a, buf.data(), static_cast<size_t>(n)) != n)
      return std::unexpected(archive_error(a, state, e.path));
  }
  // The header already promised e.size bytes; a file that changed size while
  // we read it would corrupt the archive.
  if (total != e.size)
    return fail("{} changed size while being archived ({} -> {} bytes)", e.source.string(), e.size, total);
  return {};
}

}  // namespace

Result<void> write_cpio(const std::vector<Entry>& entries, const ByteSink& sink,
                        const BuildOptions& options) {
  ArchivePtr a(archive_write_new());
  if (!a) return fail("archive_write_new: out of memory");
  SinkState state{&sink, std::nullopt};
  const bool zstd = options.compression == Compression::kZstd;
  if (archive_write_set_format_cpio_newc(a.get()) != ARCHIVE_OK ||
      (zstd ? archive_write_add_filter_zstd(a.get()) : archive_write_add_filter_none(a.get())) != ARCHIVE_OK ||
      (zstd && archive_write_set_filter_option(a.get(), "zstd", "compression-level",
                                               std::to_string(options.zstd_level).c_str()) != ARCHIVE_OK) ||
      archive_write_set_bytes_per_block(a.get(), 1 << 16) != ARCHIVE_OK ||
      // 1: do not pad the final block; the kernel reads concatenated archives.
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK)
    return std::unexpected(archive_error(a.get(), state, "setup"));
  if (archive_write_open2(a.get(), &state, nullptr, write_callback, nullptr, nullptr) != ARCHIVE_OK)
    return std::unexpected(archive_error(a.get(), state, "open"));

  EntryPtr ae(archive_entry_new());
  int64_t ino = 1;
  for (const auto& e : entries) {
    archive_entry_clear(ae.get());
    archive_entry_set_pathname(ae.get(), e.path.c_str());
    archive_entry_set_filetype(ae.get(), filetype(e.kind));
    archive_entry_set_perm(ae.get(), static_cast<mode_t>(e.mode));
    archive_entry_set_uid(ae.get(), 0);
    archive_entry_set_gid(ae.get(), 0);
    archive_entry_set_mtime(ae.get(), 0, 0);
    archive_entry_set_ino64(ae.get(), ino++);
    archive_entry_set_dev(ae.get(), 0);
    archive_entry_set_nlink(ae.get(), e.kind == EntryKind::kDir ? 2 : 1);
    int64_t size = 0;
    if (e.kind == EntryKind::kFile) size = static_cast<int64_t>(e.source.empty() ? e.data.size() : e.size);
    if (e.kind == EntryKind::kSymlink) archive_entry_set_symlink(ae.get(), e.data.c_str());
    if (e.kind == EntryKind::kCharDevice) {
      archive_entry_set_rdevmajor(ae.get(), static_cast<dev_t>(e.major));
      archive_entry_set_rdevminor(ae.get(), static_cast<dev_t>(e.minor));
    }
    archive_entry_set_size(ae.get(), size);
    if (archive_write_header(a.get(), ae.get()) != ARCHIVE_OK)
      return std::unexpected(archive_error(a.get(), state, e.path));
    if (e.kind != EntryKind::kFile) continue;
    if (e.source.empty()) {
      if (!e.data.empty() &&
          archive_write_data(a.get(), e.data.data(), e.data.size()) != static_cast<la_ssize_t>(e.data.size()))
        return std::unexpected(archive_error(a.get(), state, e.path));
    } else {
      KTSTR_TRY_VOID(copy_source(a.get(), state, e));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK)
    return std::unexpected(archive_error(a.get(), state, "close"));
  // The kernel looks for the next concatenated archive only at 4-byte aligned
  // offsets and skips zero bytes (init/initramfs.c unpack_to_rootfs: "!(this_header & 3)");
  // a compressed stream of odd length would hide the per-run archive behind it.
  if (state.written % 4 != 0) KTSTR_TRY_VOID(sink(std::string(4 - state.written % 4, '\0')));
  return {};
}

}  // namespace ktstr::initramfs
