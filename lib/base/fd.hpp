// Move-only owner of a file descriptor.
#pragma once

#include <filesystem>
#include <string_view>
#include <utility>

#include "base/error.hpp"

namespace ktstr {

// Owns one file descriptor; closes it on destruction. -1 means empty.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }
  // Gives up ownership without closing.
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// open(2) with O_CLOEXEC added; the error names the path.
Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, int mode = 0644);

// Writes all of data, retrying on EINTR and short writes.
Result<void> write_all(int fd, std::string_view data);

// Reads the whole file into a string.
Result<std::string> read_file(const std::filesystem::path& path);

// Writes a file atomically: temp file in the same directory, fsync, rename.
Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view data);

}  // namespace ktstr
