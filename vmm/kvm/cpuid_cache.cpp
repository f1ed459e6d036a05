// The synthetic cache hierarchy reported by CPUID.04H (Intel) and
// CPUID.8000001DH (AMD); both leaves share the register layout used here
// (SDM Vol. 2A "Deterministic Cache Parameters Leaf"; AMD APM Vol. 3 E.4.15).
#include "vmm/kvm/cpuid.hpp"

namespace ktstr::kvm {
namespace {

constexpr uint32_t kLineBytes = 64;
// L1d 32 KiB/8-way, L1i 32 KiB/8-way, L2 1 MiB/16-way, L3 16 MiB/16-way: sizes
// of a current server core; only the sharing fields matter to the scheduler.
constexpr CacheDesc kCaches[] = {
    {.type = 1, .level = 1, .ways = 8, .sets = 64, .per_llc = false},
    {.type = 2, .level = 1, .ways = 8, .sets = 64, .per_llc = false},
    {.type = 3, .level = 2, .ways = 16, .sets = 1024, .per_llc = false},
    {.type = 3, .level = 3, .ways = 16, .sets = 16384, .per_llc = true},
};

}  // namespace

std::span<const CacheDesc> cache_hierarchy() { return kCaches; }

CpuidEntry cache_leaf(uint32_t function, uint32_t index, const CacheDesc& c, int sharing_bits,
                      const ApicLayout& layout) {
  // EAX[4:0] type, [7:5] level, [8] self-initializing, [25:14] addressable IDs
  // sharing this cache - 1, [31:26] (Intel only) addressable core IDs per package - 1.
  uint32_t eax = c.type | (c.level << 5) | (1u << 8) | (((1u << sharing_bits) - 1) << 14);
  if (function == 0x4) eax |= ((1u << layout.core_bits) - 1) << 26;
  // EBX[11:0] line size - 1, [21:12] partitions - 1, [31:22] ways - 1; ECX sets - 1.
  const uint32_t ebx = (kLineBytes - 1) | (0u << 12) | ((c.ways - 1) << 22);
  // EDX[1]: the L3 is inclusive of lower levels.
  const uint32_t edx = c.level == 3 ? 1u << 1 : 0u;
  return {.function = function, .index = index, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
          .eax = eax, .ebx = ebx, .ecx = c.sets - 1, .edx = edx};
}

// Intel: the guest takes LLC and core sharing from CPUID.04H:EAX[25:14]
// (Linux: apicid >> get_count_order(sharing)) and the package's core count
// from EAX[31:26]. The host's subleaves are replaced, the terminating
// null subleaf appended.
void rewrite_intel_leaves(CpuidTable& t, const ApicLayout& layout) {
  t.erase(0x4);
  uint32_t i = 0;
  for (const CacheDesc& c : cache_hierarchy()) {
    t.at(0x4, i, true) = cache_leaf(0x4, i, c, c.per_llc ? layout.package_shift() : layout.thread_bits, layout);
    ++i;
  }
  t.at(0x4, i, true) = {.function = 0x4, .index = i, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX};
}

}  // namespace ktstr::kvm
