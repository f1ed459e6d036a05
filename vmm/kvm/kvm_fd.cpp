#include "vmm/kvm/kvm_fd.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <memory>

namespace ktstr::kvm {
namespace {

constexpr int kKvmApiVersion = 12;  // api.rst: "the only stable version is 12"
constexpr int kMaxCpuidEntries = 256;

}  // namespace

Result<int> kvm_ioctl(int fd, unsigned long request, const void* arg, std::string_view what) {
  int r;
  do {
    r = ::ioctl(fd, request, arg);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return fail_errno(what);
  return r;
}

Result<KvmSystem> KvmSystem::open() {
  KvmSystem k;
  k.fd_ = KTSTR_TRY_CTX(open_file("/dev/kvm", O_RDWR),
                        "the kvm engine needs /dev/kvm read-write (load kvm_intel/kvm_amd, add yourself to the kvm group)");
  const int version = KTSTR_TRY(kvm_ioctl(k.fd(), KVM_GET_API_VERSION, 0ul, "KVM_GET_API_VERSION"));
  if (version != kKvmApiVersion) return fail("/dev/kvm speaks API version {}, expected {}", version, kKvmApiVersion);
  for (auto [cap, name] : {std::pair{KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"}, {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
                           {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
                           {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"}}) {
    const int has = KTSTR_TRY(kvm_ioctl(k.fd(), KVM_CHECK_EXTENSION, static_cast<unsigned long>(cap), name));
    if (!has) return fail("this KVM lacks {}, which the kvm engine needs", name);
  }
  return k;
}

Result<std::vector<kvm_cpuid_entry2>> KvmSystem::supported_cpuid() const {
  KvmList<kvm_cpuid_entry2> list(kMaxCpuidEntries);
  KTSTR_TRY(kvm_ioctl(fd(), kKvmGetSupportedCpuid, list.data(), "KVM_GET_SUPPORTED_CPUID"));
  return std::vector<kvm_cpuid_entry2>(list.entries(), list.entries() + list.header()->count);
}

Result<size_t> KvmSystem::vcpu_mmap_size() const {
  const int n = KTSTR_TRY(kvm_ioctl(fd(), KVM_GET_VCPU_MMAP_SIZE, 0ul, "KVM_GET_VCPU_MMAP_SIZE"));
  return static_cast<size_t>(n);
}

RunMapping& RunMapping::operator=(RunMapping&& o) noexcept {
  if (this != &o) {
    if (ptr_) ::munmap(ptr_, size_);
    ptr_ = std::exchange(o.ptr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

RunMapping::~RunMapping() {
  if (ptr_) ::munmap(ptr_, size_);
}

Result<GuestMemory> GuestMemory::create(const MemoryMap& map) {
  GuestMemory g;
  g.map_ = map;
  const int fd = ::memfd_create("ktstr-guest-ram", MFD_CLOEXEC);
  if (fd < 0) return fail_errno("memfd_create for guest RAM");
  g.memfd_ = UniqueFd(fd);
  if (::ftruncate(fd, static_cast<off_t>(map.ram_bytes)) < 0)
    return fail_errno(fmt::format("sizing guest RAM to {} MiB", map.ram_bytes >> 20));
  g.mapping_ = KTSTR_TRY(Mapping::map_file(g.file_path(), 0, map.ram_bytes));
  return g;
}

std::string GuestMemory::file_path() const { return fmt::format("/proc/{}/fd/{}", ::getpid(), memfd_.get()); }

Result<std::span<uint8_t>> GuestMemory::at(uint64_t guest_addr, uint64_t len) const {
  for (const RamSlot& s : map_.slots())
    if (guest_addr >= s.guest_addr && guest_addr + len <= s.guest_addr + s.size)
      return std::span<uint8_t>(host_base() + s.file_offset + (guest_addr - s.guest_addr), len);
  return fail("guest range [{:#x}, +{:#x}) is not in guest RAM", guest_addr, len);
}

Result<void> GuestMemory::write(uint64_t guest_addr, std::span<const uint8_t> bytes) const {
  auto dst = KTSTR_TRY(at(guest_addr, bytes.size()));
  std::copy(bytes.begin(), bytes.end(), dst.begin());
  return {};
}

}  // namespace ktstr::kvm
