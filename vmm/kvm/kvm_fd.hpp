// Owner types for the KVM API (Documentation/virt/kvm/api.rst): the system
// fd (/dev/kvm), one VM fd, vCPU fds with their mapped kvm_run, and guest RAM
// in a memfd that the channel reader can map like a file.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/mapping.hpp"
#include "vmm/kvm/memory_map.hpp"

namespace ktstr::kvm {

// <linux/kvm.h>'s variable-length structs (kvm_cpuid2, kvm_msrs) end in
// __DECLARE_FLEX_ARRAY, whose empty member struct takes 1 byte in C++: there
// the entries start at offset 12, not 8, and the ioctl numbers computed from
// sizeof differ from the kernel's (KVM_GET_SUPPORTED_CPUID fails with EINVAL).
// These mirror the C layout: an 8-byte header followed by the entries.
struct KvmListHeader {
  uint32_t count;
  uint32_t padding;
};
static_assert(sizeof(KvmListHeader) == 8);
inline constexpr unsigned long kKvmGetSupportedCpuid = _IOWR(KVMIO, 0x05, KvmListHeader);
inline constexpr unsigned long kKvmSetCpuid2 = _IOW(KVMIO, 0x90, KvmListHeader);
inline constexpr unsigned long kKvmSetMsrs = _IOW(KVMIO, 0x89, KvmListHeader);

// KVM_PRE_FAULT_MEMORY (Linux 6.10, KVM_CAP_PRE_FAULT_MEMORY): maps guest
// physical ranges into the stage-2 tables before the guest touches them.
// Newer than the build host's <linux/kvm.h>, so declared here.
struct KvmPreFaultMemory {
  uint64_t gpa;
  uint64_t size;
  uint64_t flags;
  uint64_t padding[5];
};
static_assert(sizeof(KvmPreFaultMemory) == 64);
inline constexpr unsigned long kKvmPreFaultMemory = _IOWR(KVMIO, 0xd5, KvmPreFaultMemory);

// A header + entries buffer in the C layout, for the ioctls above.
template <class Entry>
class KvmList {
 public:
  explicit KvmList(size_t count) : buf_((sizeof(KvmListHeader) + count * sizeof(Entry) + 7) / 8) {
    header()->count = static_cast<uint32_t>(count);
  }
  KvmListHeader* header() { return reinterpret_cast<KvmListHeader*>(buf_.data()); }
  Entry* entries() { return reinterpret_cast<Entry*>(reinterpret_cast<uint8_t*>(buf_.data()) + sizeof(KvmListHeader)); }
  void* data() { return buf_.data(); }

 private:
  std::vector<uint64_t> buf_;
};

// ioctl(2) that returns the result or an Error naming the request and object.
Result<int> kvm_ioctl(int fd, unsigned long request, const void* arg, std::string_view what);
inline Result<int> kvm_ioctl(int fd, unsigned long request, unsigned long arg, std::string_view what) {
  return kvm_ioctl(fd, request, reinterpret_cast<const void*>(arg), what);
}

// /dev/kvm. Checks the API version and the capabilities the engine relies on.
class KvmSystem {
 public:
  static Result<KvmSystem> open();
  [[nodiscard]] int fd() const { return fd_.get(); }
  // KVM_GET_SUPPORTED_CPUID: what the host can offer a guest.
  Result<std::vector<kvm_cpuid_entry2>> supported_cpuid() const;
  Result<size_t> vcpu_mmap_size() const;

 private:
  UniqueFd fd_;
};

// One shared mapping of a vCPU's struct kvm_run (KVM_GET_VCPU_MMAP_SIZE bytes).
class RunMapping {
 public:
  RunMapping() = default;
  RunMapping(void* p, size_t n) : ptr_(p), size_(n) {}
  RunMapping(RunMapping&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  RunMapping& operator=(RunMapping&& o) noexcept;
  RunMapping(const RunMapping&) = delete;
  RunMapping& operator=(const RunMapping&) = delete;
  ~RunMapping();
  [[nodiscard]] kvm_run* get() const { return static_cast<kvm_run*>(ptr_); }

 private:
  void* ptr_ = nullptr;
  size_t size_ = 0;
};

// A vCPU: fd, id (= APIC ID) and its kvm_run page.
struct Vcpu {
  UniqueFd fd;
  uint32_t id = 0;
  int index = 0;  // logical CPU number
  RunMapping run;
};

// Guest RAM: one memfd holding low and high RAM back to back, mapped once
// into this process. The memfd outlives nothing: it closes with the VM.
class GuestMemory {
 public:
  static Result<GuestMemory> create(const MemoryMap& map);
  // Host view of [guest_addr, +len); an error when it leaves RAM.
  Result<std::span<uint8_t>> at(uint64_t guest_addr, uint64_t len) const;
  Result<void> write(uint64_t guest_addr, std::span<const uint8_t> bytes) const;
  [[nodiscard]] const MemoryMap& map() const { return map_; }
  [[nodiscard]] uint8_t* host_base() const { return reinterpret_cast<uint8_t*>(mapping_.data()); }
  // A path that maps the memfd like a file (for RingReader::open).
  [[nodiscard]] std::string file_path() const;

 private:
  MemoryMap map_;
  UniqueFd memfd_;
  Mapping mapping_;
};

}  // namespace ktstr::kvm
