#include "vmm/kvm/cpuid.hpp"

#include <algorithm>
#include <cstring>

namespace ktstr::kvm {
namespace {

constexpr uint32_t kLeafVendor = 0x0;
constexpr uint32_t kLeafFeatures = 0x1;
constexpr uint32_t kLeafPmu = 0xa;
constexpr uint32_t kLeafExtTopo = 0xb;
constexpr uint32_t kLeafV2ExtTopo = 0x1f;
constexpr uint32_t kLevelTypeSmt = 1;   // CPUID.0BH:ECX[15:8]
constexpr uint32_t kLevelTypeCore = 2;

// CPUID.0BH / CPUID.1FH (SDM Vol. 2A, "Extended Topology Enumeration Leaf"):
// subleaf 0 = SMT level, 1 = core level (shift to the package ID), 2 = invalid.
// EDX is the x2APIC ID of the executing CPU, so the table is per vCPU. EBX
// counts the logical processors of this CPU's own core and package (an LLC
// narrower than the widest has fewer); the SDM calls EBX informational only
// ("Software must not use EBX[15:0] to enumerate processor topology"), Linux
// takes the topology from the shifts in EAX.
void write_ext_topology(CpuidTable& t, uint32_t leaf, const ApicLayout& l, int cpu) {
  const auto& topo = l.topo;
  const uint32_t apic_id = l.apic_id(cpu);
  const int package_cpus = topo.cores_of_llc(topo.place(cpu).llc) * topo.threads();
  t.at(leaf, 0, true) = {.function = leaf, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
                         .eax = static_cast<uint32_t>(l.thread_bits),
                         .ebx = static_cast<uint32_t>(topo.threads()),
                         .ecx = 0 | (kLevelTypeSmt << 8), .edx = apic_id};
  t.at(leaf, 1, true) = {.function = leaf, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
                         .eax = static_cast<uint32_t>(l.package_shift()),
                         .ebx = static_cast<uint32_t>(package_cpus),
                         .ecx = 1 | (kLevelTypeCore << 8), .edx = apic_id};
  t.at(leaf, 2, true) = {.function = leaf, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
                         .eax = 0, .ebx = 0, .ecx = 2, .edx = apic_id};
}

}  // namespace

CpuVendor cpuid_vendor(std::span<const CpuidEntry> entries) {
  const CpuidEntry* e = cpuid_find(entries, kLeafVendor);
  if (!e) return CpuVendor::kOther;
  char v[13] = {};
  std::memcpy(v, &e->ebx, 4);
  std::memcpy(v + 4, &e->edx, 4);
  std::memcpy(v + 8, &e->ecx, 4);
  if (std::strcmp(v, "GenuineIntel") == 0) return CpuVendor::kIntel;
  if (std::strcmp(v, "AuthenticAMD") == 0 || std::strcmp(v, "HygonGenuine") == 0) return CpuVendor::kAmd;
  return CpuVendor::kOther;
}

const CpuidEntry* cpuid_find(std::span<const CpuidEntry> entries, uint32_t function, uint32_t index) {
  for (const auto& e : entries) {
    if (e.function != function) continue;
    if (!(e.flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e.index == index) return &e;
  }
  return nullptr;
}

CpuidEntry& CpuidTable::at(uint32_t function, uint32_t index, bool indexed) {
  for (auto& e : entries_)
    if (e.function == function && (!indexed || e.index == index)) return e;
  entries_.push_back({.function = function, .index = index,
                      .flags = indexed ? static_cast<uint32_t>(KVM_CPUID_FLAG_SIGNIFCANT_INDEX) : 0u});
  return entries_.back();
}

void CpuidTable::erase(uint32_t function) {
  std::erase_if(entries_, [&](const CpuidEntry& e) { return e.function == function; });
}

// Rewritten here: leaf 0 (max leaf raised to reach 0BH), leaf 1 (initial APIC
// ID, logical count, HTT), 0AH (PMU), 0BH/1FH (extended topology); the vendor
// files rewrite the cache and AMD extended leaves.
std::vector<CpuidEntry> cpuid_for_vcpu(std::span<const CpuidEntry> supported, const ApicLayout& layout,
                                       int cpu) {
  const CpuVendor vendor = cpuid_vendor(supported);
  CpuidTable t({supported.begin(), supported.end()});
  const uint32_t apic_id = layout.apic_id(cpu);
  const uint32_t per_package = 1u << layout.package_shift();

  CpuidEntry& leaf0 = t.at(kLeafVendor);
  leaf0.eax = std::max(leaf0.eax, kLeafExtTopo);
  const bool has_v2_topology = leaf0.eax >= kLeafV2ExtTopo;

  // CPUID.01H:EBX[31:24] initial APIC ID, EBX[23:16] addressable logical
  // processor IDs per package, EDX[28] HTT; ECX[31] tells the guest it runs
  // under a hypervisor so it finds KVM's paravirt leaves (kvmclock).
  CpuidEntry& leaf1 = t.at(kLeafFeatures);
  leaf1.ebx = (leaf1.ebx & 0x0000ffffu) | ((apic_id & 0xffu) << 24) | (std::min(per_package, 255u) << 16);
  leaf1.edx = per_package > 1 ? leaf1.edx | (1u << 28) : leaf1.edx & ~(1u << 28);
  leaf1.ecx |= 1u << 31;

  // CPUID.0AH zeroed deliberately: architectural PMU version 0 means the guest
  // programs no performance counters. The counters a nested or emulated host
  // offers differ from machine to machine (none under QEMU-TCG), and a guest
  // perf/NMI watchdog on them would make runs differ by host; tests that need
  // the PMU are out of scope for this engine.
  t.erase(kLeafPmu);
  t.at(kLeafPmu) = {.function = kLeafPmu};

  write_ext_topology(t, kLeafExtTopo, layout, cpu);
  if (has_v2_topology) write_ext_topology(t, kLeafV2ExtTopo, layout, cpu);

  if (vendor == CpuVendor::kIntel) rewrite_intel_leaves(t, layout);
  if (vendor == CpuVendor::kAmd) rewrite_amd_leaves(t, layout, cpu);
  return std::move(t).take();
}

}  // namespace ktstr::kvm
