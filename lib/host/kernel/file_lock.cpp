#include "host/kernel/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include "host/kernel/interrupt.hpp"

namespace ktstr::kernel {

Result<FileLock> FileLock::acquire(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDWR | O_CREAT));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return fail_errno(fmt::format("flock {}", path.string()));
    if (interrupted()) return fail("interrupted while waiting for {}", path.string());
  }
  return FileLock(std::move(fd));
}

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDWR | O_CREAT));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return FileLock();
    return fail_errno(fmt::format("flock {}", path.string()));
  }
  return FileLock(std::move(fd));
}

}  // namespace ktstr::kernel
