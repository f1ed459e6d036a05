#include "vmm/guest_ram.hpp"

#include <algorithm>
#include <cstring>

namespace ktstr::vmm {

namespace {
constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kPcMaxRamBelow4g = 0xe0000000;  // pc_piix.c default max_ram_below_4g
constexpr uint64_t kPcGigabyteLowmem = 3 * kGiB;   // lowmem once RAM reaches the default
constexpr uint64_t k4GiB = 4 * kGiB;
}  // namespace

const RamRange* find_ram(std::span<const RamRange> ranges, uint64_t phys) {
  for (const auto& r : ranges)
    if (phys >= r.guest_phys && phys - r.guest_phys < r.bytes) return &r;
  return nullptr;
}

std::vector<RamRange> qemu_pc_ram_ranges(std::span<const uint64_t> node_bytes,
                                         std::span<const std::filesystem::path> node_files) {
  uint64_t total = 0;
  for (uint64_t b : node_bytes) total += b;
  const uint64_t below_4g = total < kPcMaxRamBelow4g ? total : kPcGigabyteLowmem;
  std::vector<RamRange> out;
  uint64_t ram_offset = 0;  // offset in the machine's RAM (the nodes back to back)
  for (size_t n = 0; n < node_bytes.size() && n < node_files.size(); ++n) {
    if (node_bytes[n] == 0) continue;  // a memoryless node: no RAM, no file
    const uint64_t end = ram_offset + node_bytes[n];
    if (ram_offset < below_4g) {  // the part of this node below the PCI hole
      const uint64_t low_end = std::min(end, below_4g);
      out.push_back({ram_offset, low_end - ram_offset, node_files[n], 0});
    }
    if (end > below_4g) {  // the part above 4 GiB
      const uint64_t start = std::max(ram_offset, below_4g);
      out.push_back({k4GiB + (start - below_4g), end - start, node_files[n], start - ram_offset});
    }
    ram_offset = end;
  }
  return out;
}

Result<GuestRam> GuestRam::map(std::vector<RamRange> ranges) {
  GuestRam g;
  for (const auto& r : ranges)
    g.maps_.push_back(KTSTR_TRY_CTX(Mapping::map_file_readonly(r.file, r.file_offset, r.bytes),
                                    "mapping guest RAM at {:#x}", r.guest_phys));
  g.ranges_ = std::move(ranges);
  return g;
}

Result<void> GuestRam::read(uint64_t phys, void* out, size_t len) const {
  auto* dst = static_cast<std::byte*>(out);
  while (len > 0) {
    const RamRange* r = find_ram(ranges_, phys);
    if (!r) return fail("guest-physical {:#x} is not RAM", phys);
    const uint64_t in_range = phys - r->guest_phys;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(len, r->bytes - in_range));
    std::memcpy(dst, maps_[static_cast<size_t>(r - ranges_.data())].data() + in_range, n);
    dst += n;
    phys += n;
    len -= n;
  }
  return {};
}

}  // namespace ktstr::vmm
