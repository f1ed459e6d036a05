// AMD topology leaves (AMD64 APM Vol. 3, Appendix E.4). Linux 6.12
// (arch/x86/kernel/cpu/topology_amd.c, cacheinfo.c) reads: CPUID.0BH when
// present for the SMT/core shifts, 8000_0008H:ECX as the fallback,
// 8000_001EH (needs TopoExt) for the node ID - which is the LLC ID on
// families before 17h - and 8000_001DH for the cache sharing that gives the
// LLC ID on later families.
#include "vmm/kvm/cpuid.hpp"

#include <algorithm>

namespace ktstr::kvm {
namespace {

constexpr uint32_t kLeafExtMax = 0x80000000;
constexpr uint32_t kLeafExtFeatures = 0x80000001;
constexpr uint32_t kLeafSizes = 0x80000008;
constexpr uint32_t kLeafCacheTopo = 0x8000001d;
constexpr uint32_t kLeafExtApic = 0x8000001e;
constexpr uint32_t kTopoExtBit = 1u << 22;  // CPUID.80000001H:ECX[22] TopologyExtensions

}  // namespace

void rewrite_amd_leaves(CpuidTable& t, const ApicLayout& layout, int cpu) {
  const CpuPlace p = layout.topo.place(cpu);
  const uint32_t apic_id = layout.apic_id(cpu);

  CpuidEntry& ext_max = t.at(kLeafExtMax);
  ext_max.eax = std::max(ext_max.eax, kLeafExtApic);
  t.at(kLeafExtFeatures).ecx |= kTopoExtBit;

  // 8000_0008H:ECX[7:0] NC = logical processors per package - 1 (this CPU's
  // package: LLCs may differ in size), ECX[15:12] ApicIdCoreIdSize = APIC ID
  // bits below the package, which is what Linux uses when it is set.
  CpuidEntry& sizes = t.at(kLeafSizes);
  const uint32_t nc = static_cast<uint32_t>(layout.topo.cores_of_llc(p.llc) * layout.topo.threads()) - 1;
  sizes.ecx = (sizes.ecx & ~0xf0ffu) | (nc & 0xffu) | (static_cast<uint32_t>(layout.package_shift()) << 12);

  // 8000_001DH: one subleaf per cache, EAX[25:14] = logical processors sharing - 1
  // (a power-of-two span, so Linux's apicid range arithmetic stays exact for
  // sparse layouts), then a null subleaf.
  t.erase(kLeafCacheTopo);
  uint32_t i = 0;
  for (const CacheDesc& c : cache_hierarchy()) {
    t.at(kLeafCacheTopo, i, true) =
        cache_leaf(kLeafCacheTopo, i, c, c.per_llc ? layout.package_shift() : layout.thread_bits, layout);
    ++i;
  }
  t.at(kLeafCacheTopo, i, true) = {.function = kLeafCacheTopo, .index = i,
                                   .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX};

  // 8000_001EH: EAX extended APIC ID, EBX[7:0] core ID, EBX[15:8] threads per
  // core - 1, ECX[7:0] node ID (= LLC index: one node per package), ECX[10:8]
  // nodes per package - 1.
  t.at(kLeafExtApic) = {.function = kLeafExtApic,
                        .eax = apic_id,
                        .ebx = static_cast<uint32_t>(p.core) | (static_cast<uint32_t>(layout.topo.threads() - 1) << 8),
                        .ecx = static_cast<uint32_t>(p.llc) & 0xffu,
                        .edx = 0};
}

}  // namespace ktstr::kvm
