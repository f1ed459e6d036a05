// Move-only owners for libarchive handles (reader, writer, entry), so every
// path out of an extraction or archive build frees its handles.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace ktstr::fetch {

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ArchiveEntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

// archive_read_new() / archive_read_disk_new() handle.
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;
// archive_write_new() / archive_write_disk_new() handle.
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriteFree>;
// archive_entry_new() handle.
using ArchiveEntry = std::unique_ptr<archive_entry, ArchiveEntryFree>;

// libarchive's last error message for a, or a fallback when it has none.
inline std::string archive_error(archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? std::string(s) : std::string("unknown libarchive error");
}

}  // namespace ktstr::fetch
