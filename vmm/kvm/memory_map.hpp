// Guest RAM placement and the e820 map: RAM from 0 up to the MMIO hole at
// 3 GiB, the rest above 4 GiB; the results channel and the legacy BIOS area
// reserved. Pure functions, unit-tested for overlaps.
#pragma once

#include <asm/bootparam.h>

#include <cstdint>
#include <span>
#include <vector>

#include "base/error.hpp"
#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm {

// One KVM memslot: guest-physical range backed by [file_offset, +size) of the RAM memfd.
struct RamSlot {
  uint64_t guest_addr;
  uint64_t size;
  uint64_t file_offset;
};

struct MemoryMap {
  uint64_t ram_bytes = 0;       // total guest RAM (= size of the backing memfd)
  uint64_t low_ram_bytes = 0;   // [0, low_ram_bytes), at most layout::kLowRamEnd
  uint64_t high_ram_bytes = 0;  // [kHighRamStart, +high_ram_bytes)
  uint64_t channel_addr = 0;    // reserved results ring (inside low RAM), 0 = none
  uint64_t channel_bytes = 0;

  // Checks that the channel lies inside low RAM above the kernel's 1 MiB.
  static Result<MemoryMap> plan(uint64_t ram_bytes, uint64_t channel_addr, uint64_t channel_bytes);

  [[nodiscard]] std::vector<RamSlot> slots() const;
  [[nodiscard]] std::vector<acpi::RamRange> ram_ranges() const;
  // Guest-physical address = memfd offset for low RAM; for high RAM the offset
  // continues after low RAM.
  [[nodiscard]] uint64_t file_offset(uint64_t guest_addr) const;
  // End of the usable RAM run the kernel image and initrd are loaded into.
  [[nodiscard]] uint64_t load_ceiling() const;
};

// Guest-physical ranges to map into KVM's stage-2 tables before the first
// vCPU runs (KVM_PRE_FAULT_MEMORY): all RAM when it is at most `budget`
// bytes, otherwise the `loaded` ranges (kernel, initrd) plus RAM from the
// bottom up to the budget. Page aligned; may overlap (pre-faulting a mapped
// page again is a no-op).
std::vector<acpi::RamRange> prefault_plan(const MemoryMap& map, std::span<const acpi::RamRange> loaded,
                                          uint64_t budget);

// The e820 map in address order: RAM, reserved BIOS area, RAM, reserved
// channel, RAM, reserved KVM pages in the hole, high RAM.
std::vector<boot_e820_entry> build_e820(const MemoryMap& m);

}  // namespace ktstr::kvm
