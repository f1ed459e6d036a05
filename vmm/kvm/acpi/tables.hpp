// Builders for the ACPI tables of the own KVM engine, one table per file
// (rsdp.cpp, xsdt.cpp, fadt.cpp, dsdt.cpp, madt.cpp, srat.cpp, slit.cpp), and
// the placement of all of them in guest memory (acpi_tables.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "vmm/kvm/acpi/sdt.hpp"
#include "vmm/kvm/apic_ids.hpp"

namespace ktstr::kvm::acpi {

// A guest-physical RAM range assigned to one NUMA node.
struct NodeMemory {
  int node;
  uint64_t base;
  uint64_t size;
};

// The I/O ports of the fixed ACPI hardware the VMM answers (FADT PM1a
// blocks); a guest write of SLP_EN to the control block is a power-off.
inline constexpr uint16_t kPm1aEventPort = 0x600;  // 4 bytes: status, enable
inline constexpr uint16_t kPm1aControlPort = 0x604;  // 2 bytes
inline constexpr uint16_t kPm1ControlSlpEn = 1u << 13;  // ACPI 6.5 Table 4.13
inline constexpr uint8_t kS5SleepType = 5;  // the DSDT's \_S5 SLP_TYPa

Bytes build_rsdp(uint64_t xsdt_addr);
Bytes build_xsdt(std::span<const uint64_t> table_addrs);
Bytes build_fadt(uint64_t dsdt_addr);
Bytes build_dsdt();
Bytes build_madt(const ApicLayout& layout);
Bytes build_srat(const ApicLayout& layout, std::span<const NodeMemory> memory);
Bytes build_slit(int nodes);

// All tables laid out from `base` (16-byte aligned each); `rsdp_addr` is where
// the RSDP landed (first), `bytes` is what to copy to guest memory at `base`.
struct AcpiImage {
  uint64_t base = 0;
  uint64_t rsdp_addr = 0;
  Bytes bytes;
};
AcpiImage build_acpi_image(uint64_t base, const ApicLayout& layout, std::span<const NodeMemory> memory);

// Splits RAM ranges (address order) over the topology's NUMA nodes in
// proportion to their memory shares (Topology::memory_weight), node 0 lowest,
// on 2 MiB boundaries; the last node with memory takes the remainder and a
// memoryless node gets no range (its CPUs are still in the SRAT).
struct RamRange {
  uint64_t base;
  uint64_t size;
};
std::vector<NodeMemory> split_memory_by_node(std::span<const RamRange> ram, const Topology& topo);

}  // namespace ktstr::kvm::acpi
