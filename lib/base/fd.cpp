#include "base/fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace ktstr {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return fail_errno(fmt::format("open {}", path.string()));
  return UniqueFd(fd);
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDONLY));
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(fmt::format("read {}", path.string()));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data) {
  auto tmp = path;
  tmp += fmt::format(".tmp.{}", ::getpid());
  {
    auto fd = KTSTR_TRY(open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    if (auto r = write_all(fd.get(), data); !r) {
      ::unlink(tmp.c_str());
      return with_context(std::move(r), tmp.string());
    }
    if (::fsync(fd.get()) != 0) {
      auto e = fail_errno(fmt::format("fsync {}", tmp.string()));
      ::unlink(tmp.c_str());
      return e;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = fail_errno(fmt::format("rename {} -> {}", tmp.string(), path.string()));
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

}  // namespace ktstr
