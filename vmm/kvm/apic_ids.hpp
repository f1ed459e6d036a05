// APIC ID layout of a declared topology. On x86 KVM the vCPU id becomes the
// APIC ID, so vCPUs are created with these ids and CPUID, MADT and SRAT all
// agree on them.
#pragma once

#include <cstdint>
#include <vector>

#include "base/topology.hpp"

namespace ktstr::kvm {

// APIC ID = package | core | thread bit fields (SDM Vol. 3A 11.4.8.1
// "Hierarchical Mapping of Shared Resources"). One package per LLC, as the
// QEMU engine uses one socket per LLC, so "package" and "LLC" coincide.
// Fields are rounded up to powers of two: 3 cores per LLC use 2 core bits and
// leave APIC ID 3 (and its siblings) unused - a sparse layout. LLCs of
// different sizes share the width of the widest one, so a narrower LLC leaves
// more IDs unused (as QEMU leaves the slots of a narrower socket empty).
struct ApicLayout {
  int thread_bits = 0;
  int core_bits = 0;
  Topology topo;

  static ApicLayout of(const Topology& t);
  // Bits below the package field (CPUID.0BH level 1 shift).
  [[nodiscard]] int package_shift() const { return thread_bits + core_bits; }
  [[nodiscard]] uint32_t apic_id(int cpu) const;
  // APIC IDs of all logical CPUs, in cpu order.
  [[nodiscard]] std::vector<uint32_t> all() const;
  [[nodiscard]] uint32_t max_apic_id() const;
};

// Smallest n with (1 << n) >= count (Linux get_count_order for count >= 1).
int count_order(uint32_t count);

}  // namespace ktstr::kvm
