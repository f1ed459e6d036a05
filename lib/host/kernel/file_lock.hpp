// Exclusive advisory lock on a file (flock(2)), released on destruction or
// when the process dies, so a crashed build never leaves a stale lock.
#pragma once

#include <filesystem>

#include "base/error.hpp"
#include "base/fd.hpp"

namespace ktstr::kernel {

class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&&) noexcept = default;
  FileLock& operator=(FileLock&&) noexcept = default;

  // Creates path if needed and blocks until the exclusive lock is held.
  // Retries on EINTR unless the interrupt flag (interrupt.hpp) is set.
  static Result<FileLock> acquire(const std::filesystem::path& path);

  // Non-blocking: returns a FileLock with held() == false when another holds it.
  static Result<FileLock> try_acquire(const std::filesystem::path& path);

  [[nodiscard]] bool held() const { return fd_.valid(); }

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // closing the fd drops the flock
};

}  // namespace ktstr::kernel
