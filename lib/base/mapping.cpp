#include "base/mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fd.hpp"

namespace ktstr {

Result<Mapping> Mapping::map_file(const std::filesystem::path& path, uint64_t offset, uint64_t size) {
  if (size == 0) return fail("mapping {}: empty range", path.string());
  auto fd = KTSTR_TRY(open_file(path, O_RDWR));
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t skew = offset % page;
  void* p = ::mmap(nullptr, size + skew, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
                   static_cast<off_t>(offset - skew));
  if (p == MAP_FAILED)
    return fail_errno(fmt::format("mmap {} at {:#x} size {:#x}", path.string(), offset, size));
  Mapping m;
  m.base_ = p;
  m.size_ = size;
  m.skew_ = skew;
  return m;
}

void Mapping::reset() {
  if (base_) ::munmap(base_, size_ + skew_);
  base_ = nullptr;
  size_ = 0;
  skew_ = 0;
}

}  // namespace ktstr
