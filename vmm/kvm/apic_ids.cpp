#include "vmm/kvm/apic_ids.hpp"

namespace ktstr::kvm {

int count_order(uint32_t count) {
  int n = 0;
  while ((1u << n) < count) ++n;
  return n;
}

ApicLayout ApicLayout::of(const Topology& t) {
  return {.thread_bits = count_order(static_cast<uint32_t>(t.threads())),
          .core_bits = count_order(static_cast<uint32_t>(t.max_cores())),
          .topo = t};
}

uint32_t ApicLayout::apic_id(int cpu) const {
  const CpuPlace p = topo.place(cpu);
  return (static_cast<uint32_t>(p.llc) << package_shift()) |
         (static_cast<uint32_t>(p.core) << thread_bits) | static_cast<uint32_t>(p.thread);
}

std::vector<uint32_t> ApicLayout::all() const {
  std::vector<uint32_t> ids;
  for (int c = 0; c < topo.vcpus(); ++c) ids.push_back(apic_id(c));
  return ids;
}

uint32_t ApicLayout::max_apic_id() const { return apic_id(topo.vcpus() - 1); }

}  // namespace ktstr::kvm
