// Reads a cpio back with libarchive so tests check what a real reader sees.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct ReadEntry {
  std::string path;
  unsigned type = 0;  // AE_IFREG, AE_IFDIR, ...
  int perm = 0;
  int64_t mtime = -1;
  int64_t uid = -1;
  int64_t gid = -1;
  int64_t ino = 0;
  unsigned rdev_major = 0;
  unsigned rdev_minor = 0;
  std::string symlink;
  std::string data;
};

inline std::vector<ReadEntry> read_cpio(const std::string& bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_cpio(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    throw std::runtime_error(archive_error_string(a.get()));
  std::vector<ReadEntry> out;
  archive_entry* e = nullptr;
  int r;
  while ((r = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    ReadEntry re{.path = archive_entry_pathname(e),
                 .type = archive_entry_filetype(e),
                 .perm = static_cast<int>(archive_entry_perm(e)),
                 .mtime = archive_entry_mtime(e),
                 .uid = archive_entry_uid(e),
                 .gid = archive_entry_gid(e),
                 .ino = archive_entry_ino64(e),
                 .rdev_major = static_cast<unsigned>(archive_entry_rdevmajor(e)),
                 .rdev_minor = static_cast<unsigned>(archive_entry_rdevminor(e))};
    if (const char* s = archive_entry_symlink(e)) re.symlink = s;
    char buf[8192];
    la_ssize_t n;
    while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0) re.data.append(buf, static_cast<size_t>(n));
    if (n < 0) throw std::runtime_error(archive_error_string(a.get()));
    out.push_back(std::move(re));
  }
  if (r != ARCHIVE_EOF) throw std::runtime_error(archive_error_string(a.get()));
  return out;
}
