#include "tar_builder.hpp"

#include "host/fetch/archive_handle.hpp"

namespace ktstr::fetch::test {
namespace {

void add_filter(archive* a, Compression c) {
  switch (c) {
    case Compression::kNone: break;
    case Compression::kGzip: archive_write_add_filter_gzip(a); break;
    case Compression::kXz: archive_write_add_filter_xz(a); break;
    case Compression::kZstd: archive_write_add_filter_zstd(a); break;
    case Compression::kBzip2: archive_write_add_filter_bzip2(a); break;
  }
}

void fill_entry(archive_entry* e, const TarEntry& t) {
  archive_entry_set_pathname(e, t.name.c_str());
  archive_entry_set_perm(e, t.mode);
  archive_entry_set_mtime(e, 1700000000, 0);
  switch (t.kind) {
    case TarEntry::Kind::kFile:
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(t.payload.size()));
      break;
    case TarEntry::Kind::kDir:
      archive_entry_set_filetype(e, AE_IFDIR);
      break;
    case TarEntry::Kind::kSymlink:
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, t.payload.c_str());
      break;
    case TarEntry::Kind::kHardlink:
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, t.payload.c_str());
      break;
  }
}

}  // namespace

Result<void> write_tar(const std::filesystem::path& path, const std::vector<TarEntry>& entries,
                       Compression compression) {
  ArchiveWriter out(archive_write_new());
  add_filter(out.get(), compression);
  archive_write_set_format_pax_restricted(out.get());
  if (archive_write_open_filename(out.get(), path.c_str()) != ARCHIVE_OK)
    return fail("creating {}: {}", path.string(), archive_error(out.get()));
  for (const TarEntry& t : entries) {
    ArchiveEntry e(archive_entry_new());
    fill_entry(e.get(), t);
    if (archive_write_header(out.get(), e.get()) != ARCHIVE_OK)
      return fail("{}: header of '{}': {}", path.string(), t.name, archive_error(out.get()));
    if (t.kind == TarEntry::Kind::kFile && !t.payload.empty() &&
        archive_write_data(out.get(), t.payload.data(), t.payload.size()) < 0)
      return fail("{}: data of '{}': {}", path.string(), t.name, archive_error(out.get()));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    return fail("closing {}: {}", path.string(), archive_error(out.get()));
  return {};
}

}  // namespace ktstr::fetch::test
