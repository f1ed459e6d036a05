// Guest RAM as the host sees it: guest-physical ranges and the files that
// hold them (QEMU's memory-backend files, the own engine's memfd), and a
// read-only view of all of them. The results ring and the host-side monitor
// read guest memory through these.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "base/error.hpp"
#include "base/mapping.hpp"

namespace ktstr::vmm {

// [guest_phys, +bytes) of guest RAM is [file_offset, +bytes) of file.
struct RamRange {
  uint64_t guest_phys = 0;
  uint64_t bytes = 0;
  std::filesystem::path file;
  uint64_t file_offset = 0;

  friend bool operator==(const RamRange&, const RamRange&) = default;
};

// The range that holds guest-physical address phys, or nullptr.
const RamRange* find_ram(std::span<const RamRange> ranges, uint64_t phys);

// QEMU `-M pc` RAM with one memory backend per NUMA node (hw/i386/pc_piix.c
// pc_init1, hw/core/numa.c): the node backends are concatenated in node
// order into the machine's RAM, whose first below_4g bytes appear at
// guest-physical 0 and the rest at 4 GiB; below_4g is all of it under
// 3.5 GiB (0xe0000000), else 3 GiB (gigabyte_align, on for every machine
// type since pc-i440fx-2.0). No max-ram-below-4g is ever passed.
std::vector<RamRange> qemu_pc_ram_ranges(std::span<const uint64_t> node_bytes,
                                         std::span<const std::filesystem::path> node_files);

// A read-only, shared mapping of every range: reads see what the guest
// writes, and keep working after the files are unlinked or the VM stopped.
class GuestRam {
 public:
  static Result<GuestRam> map(std::vector<RamRange> ranges);

  // Copies [phys, phys+len) into out; an error when any byte is outside RAM.
  Result<void> read(uint64_t phys, void* out, size_t len) const;
  template <class T>
  Result<T> read_as(uint64_t phys) const {
    T v{};
    KTSTR_TRY_VOID(read(phys, &v, sizeof v));
    return v;
  }
  [[nodiscard]] std::span<const RamRange> ranges() const { return ranges_; }

 private:
  std::vector<RamRange> ranges_;
  std::vector<Mapping> maps_;  // one per range
};

}  // namespace ktstr::vmm
