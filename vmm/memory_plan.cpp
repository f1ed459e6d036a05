#include "vmm/memory_plan.hpp"

#include <algorithm>

namespace ktstr::vmm {

uint64_t MemoryPlan::total_bytes() const {
  uint64_t t = 0;
  for (uint64_t b : node_bytes) t += b;
  return t;
}

std::vector<std::string> MemoryPlan::cmdline_words() const {
  // Documentation/admin-guide/kernel-parameters.txt: memmap=nn[KMG]$ss[KMG]
  // marks the region reserved in the e820 map, so the kernel neither uses it
  // nor counts it as System RAM (which is what lets /dev/mem map it).
  return {fmt::format("memmap={}M${:#x}", ring_bytes / kMiB, ring_phys),
          fmt::format("ktstr.channel={:#x},{:#x}", ring_phys, ring_bytes)};
}

Result<MemoryPlan> plan_memory(const Topology& topo, uint64_t memory_mib, uint64_t initramfs_bytes) {
  const uint64_t nodes = static_cast<uint64_t>(topo.nodes);
  uint64_t per_node = 0;
  if (memory_mib == 0) {
    const uint64_t need = 3 * initramfs_bytes + kMarginBytes + kRingBytes;
    per_node = std::max((need + nodes - 1) / nodes, kMinNodeBytes);
  } else {
    // The rootfs tmpfs is capped at half of the RAM the kernel counts while
    // unpacking, and that count excludes the archive itself (still reserved)
    // and the ring: unpacked size <= (RAM - archive - ring - kernel) / 2.
    // Measured: a 202 MiB archive fails to unpack ("write error") in 560 MiB.
    const uint64_t floor_bytes = 3 * initramfs_bytes + 64 * kMiB + kRingBytes;
    if (memory_mib * kMiB < floor_bytes)
      return fail("--memory {} MiB cannot hold the {} MiB initramfs (the guest unpacks it into a tmpfs capped at half "
                  "of the remaining RAM); give at least {} MiB or leave --memory out",
                  memory_mib, initramfs_bytes / kMiB, (floor_bytes + kMiB - 1) / kMiB);
    per_node = memory_mib * kMiB / nodes;
    if (per_node < kMinNodeBytes + (nodes == 1 ? kRingBytes : 0))
      return fail("--memory {} MiB leaves {} MiB per NUMA node; give at least {} MiB per node", memory_mib,
                  per_node / kMiB, (kMinNodeBytes + kRingBytes) / kMiB);
  }
  per_node = (per_node + kMiB - 1) / kMiB * kMiB;
  MemoryPlan plan;
  plan.node_bytes.assign(nodes, per_node);
  // The ring is the top of node 0's RAM (kept below the PCI hole), so it is
  // node-0 memory in the guest and an offset in node 0's backing file.
  plan.ring_phys = std::min(per_node, kContiguousLowRam) - kRingBytes;
  return plan;
}

}  // namespace ktstr::vmm
