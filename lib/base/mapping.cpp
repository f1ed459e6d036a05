#include "base/mapping.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fd.hpp"

namespace ktstr {

Result<Mapping> Mapping::map_file(const std::filesystem::path& path, uint64_t offset, uint64_t size) {
  return map_range(path, offset, size, true);
}

Result<Mapping> Mapping::map_file_readonly(const std::filesystem::path& path, uint64_t offset, uint64_t size) {
  return map_range(path, offset, size, false);
}

Result<Mapping> Mapping::map_range(const std::filesystem::path& path, uint64_t offset, uint64_t size, bool writable) {
  if (size == 0) return fail("mapping {}: empty range", path.string());
  auto fd = KTSTR_TRY(open_file(path, writable ? O_RDWR : O_RDONLY));
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t skew = offset % page;
  void* p = ::mmap(nullptr, size + skew, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd.get(),
                   static_cast<off_t>(offset - skew));
  if (p == MAP_FAILED)
    return fail_errno(fmt::format("mmap {} at {:#x} size {:#x}", path.string(), offset, size));
  Mapping m;
  m.base_ = p;
  m.size_ = size;
  m.skew_ = skew;
  return m;
}

Result<Mapping> Mapping::map_readonly(const std::filesystem::path& path) {
  auto fd = KTSTR_TRY(open_file(path, O_RDONLY));
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return fail_errno(fmt::format("stat {}", path.string()));
  if (st.st_size == 0) return fail("mapping {}: the file is empty", path.string());
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) return fail_errno(fmt::format("mmap {}", path.string()));
  Mapping m;
  m.base_ = p;
  m.size_ = static_cast<uint64_t>(st.st_size);
  return m;
}

Result<Mapping> Mapping::anonymous(uint64_t size, bool shared, bool populate) {
  if (size == 0) return fail("anonymous mapping: empty range");
  // NORESERVE: only the pages actually touched (or populated) cost memory.
  const int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE | (populate ? MAP_POPULATE : 0);
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) return fail_errno(fmt::format("mmap {} anonymous bytes", size));
  Mapping m;
  m.base_ = p;
  m.size_ = size;
  return m;
}

void Mapping::reset() {
  if (base_) ::munmap(base_, size_ + skew_);
  base_ = nullptr;
  size_ = 0;
  skew_ = 0;
}

}  // namespace ktstr
