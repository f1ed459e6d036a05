#include "host/fetch/tar_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace ktstr::fetch {
namespace {

constexpr size_t kBufferBytes = 1 << 20;
// Threads beyond this add memory (one block buffer each) for no gain here.
constexpr uint32_t kMaxDecoderThreads = 4;
// Above this the decoder falls back to one thread instead of failing.
constexpr uint64_t kThreadingMemLimit = 1ull << 30;

const char* describe(lzma_ret r) {
  switch (r) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "memory limit reached";
    case LZMA_FORMAT_ERROR: return "not an xz stream";
    case LZMA_OPTIONS_ERROR: return "unsupported xz options";
    case LZMA_DATA_ERROR: return "corrupt xz data";
    case LZMA_BUF_ERROR: return "xz data is truncated";
    default: return "xz decoder error";
  }
}

}  // namespace

bool XzSource::is_xz(const std::filesystem::path& path) {
  static constexpr std::array<unsigned char, 6> kMagic = {0xFD, '7', 'z', 'X', 'Z', 0x00};
  auto fd = open_file(path, O_RDONLY);
  if (!fd) return false;
  std::array<unsigned char, 6> head{};
  return ::read(fd->get(), head.data(), head.size()) == static_cast<ssize_t>(head.size()) && head == kMagic;
}

Result<std::unique_ptr<XzSource>> XzSource::open(const std::filesystem::path& path) {
  auto src = std::make_unique<XzSource>();
  src->fd_ = KTSTR_TRY(open_file(path, O_RDONLY));
  lzma_mt mt{};
  mt.flags = LZMA_CONCATENATED;
  mt.threads = std::clamp<uint32_t>(lzma_cputhreads(), 1, kMaxDecoderThreads);
  mt.memlimit_threading = kThreadingMemLimit;
  mt.memlimit_stop = UINT64_MAX;
  if (lzma_ret r = lzma_stream_decoder_mt(&src->strm_, &mt); r != LZMA_OK)
    return fail("{}: starting the xz decoder: {}", path.string(), describe(r));
  src->in_.resize(kBufferBytes);
  src->out_.resize(kBufferBytes);
  return src;
}

la_ssize_t XzSource::read_callback(archive* a, void* self, const void** buffer) {
  return static_cast<XzSource*>(self)->next(a, buffer);
}

la_ssize_t XzSource::next(archive* a, const void** buffer) {
  if (done_) return 0;
  strm_.next_out = out_.data();
  strm_.avail_out = out_.size();
  while (strm_.avail_out == out_.size()) {
    if (strm_.avail_in == 0 && action_ == LZMA_RUN) {
      ssize_t n = ::read(fd_.get(), in_.data(), in_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        archive_set_error(a, errno, "reading compressed data: %s", std::strerror(errno));
        return -1;
      }
      if (n == 0) action_ = LZMA_FINISH;
      strm_.next_in = in_.data();
      strm_.avail_in = static_cast<size_t>(n);
    }
    lzma_ret r = lzma_code(&strm_, action_);
    if (r == LZMA_STREAM_END) {
      done_ = true;
      break;
    }
    if (r != LZMA_OK) {
      archive_set_error(a, EIO, "%s", describe(r));
      return -1;
    }
  }
  *buffer = out_.data();
  return static_cast<la_ssize_t>(out_.size() - strm_.avail_out);
}

Result<TarReader> open_tar_reader(const std::filesystem::path& path) {
  TarReader r;
  r.archive.reset(archive_read_new());
  if (!r.archive) return fail("archive_read_new: out of memory");
  archive_read_support_filter_all(r.archive.get());
  archive_read_support_format_tar(r.archive.get());
  int rc = ARCHIVE_OK;
  if (XzSource::is_xz(path)) {
    r.source = KTSTR_TRY(XzSource::open(path));
    rc = archive_read_open(r.archive.get(), r.source.get(), nullptr, XzSource::read_callback, nullptr);
  } else {
    rc = archive_read_open_filename(r.archive.get(), path.c_str(), kBufferBytes);
  }
  if (rc != ARCHIVE_OK) return fail("{}", archive_error(r.archive.get()));
  return r;
}

}  // namespace ktstr::fetch
