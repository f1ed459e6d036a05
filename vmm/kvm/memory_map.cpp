#include "vmm/kvm/memory_map.hpp"

#include <algorithm>

#include "vmm/kvm/layout.hpp"

namespace ktstr::kvm {
namespace {

// e820 types (ACPI 6.5 Table 15.4 "Address Range Types").
constexpr uint32_t kE820Ram = 1;
constexpr uint32_t kE820Reserved = 2;
constexpr uint64_t kKvmReservedBytes = 4 * 4096;  // identity-map page + 3-page TSS

void add(std::vector<boot_e820_entry>& out, uint64_t begin, uint64_t end, uint32_t type) {
  if (end > begin) out.push_back({.addr = begin, .size = end - begin, .type = type});
}

}  // namespace

Result<MemoryMap> MemoryMap::plan(uint64_t ram_bytes, uint64_t channel_addr, uint64_t channel_bytes) {
  MemoryMap m{.ram_bytes = ram_bytes,
              .low_ram_bytes = std::min(ram_bytes, layout::kLowRamEnd),
              .high_ram_bytes = ram_bytes - std::min(ram_bytes, layout::kLowRamEnd),
              .channel_addr = channel_addr,
              .channel_bytes = channel_bytes};
  if (ram_bytes < 64 * layout::kMiB) return fail("guest RAM {} MiB is too small (need 64 MiB)", ram_bytes >> 20);
  if (channel_bytes && (channel_addr < 64 * layout::kMiB || channel_addr + channel_bytes > m.low_ram_bytes))
    return fail("channel [{:#x}, +{:#x}) must lie in low RAM between 64 MiB and {:#x}", channel_addr,
                channel_bytes, m.low_ram_bytes);
  return m;
}

std::vector<RamSlot> MemoryMap::slots() const {
  std::vector<RamSlot> s{{.guest_addr = 0, .size = low_ram_bytes, .file_offset = 0}};
  if (high_ram_bytes)
    s.push_back({.guest_addr = layout::kHighRamStart, .size = high_ram_bytes, .file_offset = low_ram_bytes});
  return s;
}

std::vector<acpi::RamRange> MemoryMap::ram_ranges() const {
  std::vector<acpi::RamRange> r;
  for (const RamSlot& s : slots()) r.push_back({.base = s.guest_addr, .size = s.size});
  return r;
}

uint64_t MemoryMap::file_offset(uint64_t guest_addr) const {
  return guest_addr >= layout::kHighRamStart ? guest_addr - layout::kHighRamStart + low_ram_bytes : guest_addr;
}

uint64_t MemoryMap::load_ceiling() const { return channel_bytes ? channel_addr : low_ram_bytes; }

std::vector<boot_e820_entry> build_e820(const MemoryMap& m) {
  std::vector<boot_e820_entry> out;
  add(out, 0, layout::kEbdaStart, kE820Ram);
  add(out, layout::kEbdaStart, layout::kHighMemStart, kE820Reserved);
  const uint64_t low_end = m.low_ram_bytes;
  if (m.channel_bytes) {
    add(out, layout::kHighMemStart, m.channel_addr, kE820Ram);
    add(out, m.channel_addr, m.channel_addr + m.channel_bytes, kE820Reserved);
    add(out, m.channel_addr + m.channel_bytes, low_end, kE820Ram);
  } else {
    add(out, layout::kHighMemStart, low_end, kE820Ram);
  }
  add(out, layout::kKvmIdentityMapAddr, layout::kKvmIdentityMapAddr + kKvmReservedBytes, kE820Reserved);
  add(out, layout::kHighRamStart, layout::kHighRamStart + m.high_ram_bytes, kE820Ram);
  return out;
}

std::vector<acpi::RamRange> prefault_plan(const MemoryMap& map, std::span<const acpi::RamRange> loaded,
                                          uint64_t budget) {
  constexpr uint64_t kPage = 4096;
  auto aligned = [](acpi::RamRange r) {
    const uint64_t begin = r.base & ~(kPage - 1), end = (r.base + r.size + kPage - 1) & ~(kPage - 1);
    return acpi::RamRange{.base = begin, .size = end - begin};
  };
  std::vector<acpi::RamRange> out;
  uint64_t left = budget;
  for (const auto& r : map.ram_ranges()) {
    if (left == 0) break;
    out.push_back(aligned({.base = r.base, .size = std::min(r.size, left)}));
    left -= std::min(r.size, left);
  }
  if (map.ram_bytes > budget)
    for (const auto& r : loaded) out.push_back(aligned(r));
  return out;
}

}  // namespace ktstr::kvm
