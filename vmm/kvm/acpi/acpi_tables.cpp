// Places the ACPI tables in one contiguous image: RSDP first (Linux also
// finds it by scanning 0xE0000-0xFFFFF), then DSDT, FADT, MADT, SRAT, SLIT
// and the XSDT that points at all but the DSDT (reached through the FADT).
#include <algorithm>

#include "vmm/kvm/acpi/tables.hpp"

namespace ktstr::kvm::acpi {
namespace {

constexpr uint64_t kAlign = 16;
constexpr uint64_t kNodeAlign = 2ull << 20;  // node boundaries on 2 MiB pages
constexpr size_t kRsdpBytes = 36;

// Appends `table` at the next aligned offset and returns its guest address.
uint64_t place(AcpiImage& img, const Bytes& table) {
  img.bytes.resize((img.bytes.size() + kAlign - 1) / kAlign * kAlign);
  const uint64_t addr = img.base + img.bytes.size();
  img.bytes.insert(img.bytes.end(), table.begin(), table.end());
  return addr;
}

}  // namespace

AcpiImage build_acpi_image(uint64_t base, const ApicLayout& layout, std::span<const NodeMemory> memory) {
  AcpiImage img{.base = base, .rsdp_addr = base, .bytes = Bytes(kRsdpBytes, 0)};
  const uint64_t dsdt = place(img, build_dsdt());
  std::vector<uint64_t> xsdt_entries;
  xsdt_entries.push_back(place(img, build_fadt(dsdt)));
  xsdt_entries.push_back(place(img, build_madt(layout)));
  xsdt_entries.push_back(place(img, build_srat(layout, memory)));
  if (layout.topo.nodes() > 1) xsdt_entries.push_back(place(img, build_slit(layout.topo.nodes())));
  const uint64_t xsdt = place(img, build_xsdt(xsdt_entries));
  const Bytes rsdp = build_rsdp(xsdt);
  std::copy(rsdp.begin(), rsdp.end(), img.bytes.begin());
  return img;
}

namespace {

// Bytes of RAM each node gets: its share of `total`, on kNodeAlign boundaries
// (at least one boundary for a node with memory).
std::vector<uint64_t> node_quotas(uint64_t total, const Topology& topo) {
  const auto shares = static_cast<uint64_t>(topo.memory_weight_total());
  std::vector<uint64_t> quota;
  for (int n = 0; n < topo.nodes(); ++n) {
    const auto w = static_cast<uint64_t>(topo.memory_weight(n));
    quota.push_back(w == 0 ? 0 : std::max<uint64_t>(total / shares * w / kNodeAlign * kNodeAlign, kNodeAlign));
  }
  return quota;
}

}  // namespace

std::vector<NodeMemory> split_memory_by_node(std::span<const RamRange> ram, const Topology& topo) {
  uint64_t total = 0;
  for (const RamRange& r : ram) total += r.size;
  const std::vector<uint64_t> quota = node_quotas(total, topo);
  int last = topo.nodes() - 1;
  while (last > 0 && quota[static_cast<size_t>(last)] == 0) --last;
  std::vector<NodeMemory> out;
  int node = 0;
  uint64_t left_in_node = quota[0];
  for (const RamRange& r : ram) {
    uint64_t base = r.base;
    uint64_t size = r.size;
    while (size > 0) {
      const uint64_t take = node == last ? size : std::min(size, left_in_node);
      out.push_back({.node = node, .base = base, .size = take});
      base += take;
      size -= take;
      left_in_node -= std::min(left_in_node, take);
      while (left_in_node == 0 && node < last) left_in_node = quota[static_cast<size_t>(++node)];
    }
  }
  return out;
}

}  // namespace ktstr::kvm::acpi
