// Opens a (compressed) tar archive for libarchive. .xz input is decoded with
// liblzma's multi-threaded decoder, which decodes blocks ahead on worker
// threads while the caller writes files: libarchive 3.6's own xz filter is
// single-threaded, and xz decoding is over half the CPU time of extracting a
// kernel tarball. Everything else goes through libarchive's filters.
#pragma once

#include <lzma.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "host/fetch/archive_handle.hpp"

namespace ktstr::fetch {

// Streams the decompressed bytes of one .xz file to libarchive's read callback.
class XzSource {
 public:
  XzSource() = default;
  XzSource(const XzSource&) = delete;
  XzSource& operator=(const XzSource&) = delete;
  ~XzSource() { lzma_end(&strm_); }

  // True when the file starts with the xz stream magic (FD 37 7A 58 5A 00).
  static bool is_xz(const std::filesystem::path& path);
  static Result<std::unique_ptr<XzSource>> open(const std::filesystem::path& path);

  // archive_read_callback: next chunk of output, 0 at the end, -1 on error
  // (with the reason set on a).
  static la_ssize_t read_callback(archive* a, void* self, const void** buffer);

 private:
  la_ssize_t next(archive* a, const void** buffer);

  UniqueFd fd_;
  lzma_stream strm_ = LZMA_STREAM_INIT;
  lzma_action action_ = LZMA_RUN;
  bool done_ = false;
  std::vector<uint8_t> in_;
  std::vector<uint8_t> out_;
};

// A libarchive reader plus the source feeding it (if any). The source is
// declared first so it outlives the reader that calls into it.
struct TarReader {
  std::unique_ptr<XzSource> source;
  ArchiveReader archive;
};

// Opens path for reading entries; the error says why (missing, unreadable,
// not an archive).
Result<TarReader> open_tar_reader(const std::filesystem::path& path);

}  // namespace ktstr::fetch
