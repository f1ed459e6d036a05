// CPUID for one vCPU: the host's KVM_GET_SUPPORTED_CPUID set rewritten so the
// guest derives exactly the declared topology, on Intel and AMD alike.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <vector>

#include "vmm/kvm/apic_ids.hpp"

namespace ktstr::kvm {

using CpuidEntry = kvm_cpuid_entry2;

enum class CpuVendor { kIntel, kAmd, kOther };

// Reads the vendor string of leaf 0 ("GenuineIntel", "AuthenticAMD"/"HygonGenuine").
CpuVendor cpuid_vendor(std::span<const CpuidEntry> entries);

// Returns the entry for (function, index), or nullptr. Index is ignored for
// leaves without KVM_CPUID_FLAG_SIGNIFCANT_INDEX.
const CpuidEntry* cpuid_find(std::span<const CpuidEntry> entries, uint32_t function, uint32_t index = 0);

// The CPUID table for logical CPU `cpu`: topology leaves rewritten (see
// cpuid.cpp for the list), everything else as KVM supports it.
std::vector<CpuidEntry> cpuid_for_vcpu(std::span<const CpuidEntry> supported, const ApicLayout& layout,
                                       int cpu);

// --- building blocks, exposed for cpuid_*.cpp and the tests ---

// A writable view of a CPUID table that adds missing entries on demand.
class CpuidTable {
 public:
  explicit CpuidTable(std::vector<CpuidEntry> entries) : entries_(std::move(entries)) {}
  // The entry for (function, index); created zeroed when missing. `indexed`
  // marks leaves whose ECX input selects a subleaf.
  CpuidEntry& at(uint32_t function, uint32_t index = 0, bool indexed = false);
  // Drops every subleaf of `function`.
  void erase(uint32_t function);
  std::vector<CpuidEntry> take() && { return std::move(entries_); }
  [[nodiscard]] std::span<const CpuidEntry> view() const { return entries_; }

 private:
  std::vector<CpuidEntry> entries_;
};

// The synthetic cache hierarchy: per-core L1d/L1i/L2, per-LLC L3.
struct CacheDesc {
  uint32_t type;   // 1 data, 2 instruction, 3 unified (CPUID.04H:EAX[4:0])
  uint32_t level;
  uint32_t ways;
  uint32_t sets;
  bool per_llc;    // shared by the whole LLC (else by one core's threads)
};
std::span<const CacheDesc> cache_hierarchy();
// EAX/EBX/ECX/EDX of one cache subleaf, common to CPUID.04H and CPUID.8000001DH.
// `sharing_bits`: log2 of the APIC ID span sharing the cache.
CpuidEntry cache_leaf(uint32_t function, uint32_t index, const CacheDesc& c, int sharing_bits,
                      const ApicLayout& layout);

void rewrite_intel_leaves(CpuidTable& t, const ApicLayout& layout);
void rewrite_amd_leaves(CpuidTable& t, const ApicLayout& layout, int cpu);

}  // namespace ktstr::kvm
