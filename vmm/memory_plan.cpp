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

namespace {

// `total` split in proportion to the node shares, each rounded up to a MiB.
std::vector<uint64_t> split_by_share(const Topology& topo, uint64_t total) {
  const auto shares = static_cast<uint64_t>(topo.memory_weight_total());
  std::vector<uint64_t> out;
  for (int n = 0; n < topo.nodes(); ++n) {
    const uint64_t bytes = (total / kMiB * static_cast<uint64_t>(topo.memory_weight(n)) + shares - 1) / shares * kMiB;
    out.push_back(bytes);
  }
  return out;
}

int memory_nodes(const Topology& topo) {
  int n = 0;
  for (int k = 0; k < topo.nodes(); ++k) n += topo.memoryless(k) ? 0 : 1;
  return n;
}

}  // namespace

Result<MemoryPlan> plan_memory(const Topology& topo, uint64_t memory_mib, uint64_t initramfs_bytes) {
  // The smallest node with memory: kMinNodeBytes, plus the ring when node 0
  // is the only node with memory.
  const uint64_t min_node = kMinNodeBytes + (memory_nodes(topo) == 1 ? kRingBytes : 0);
  MemoryPlan plan;
  if (memory_mib == 0) {
    const uint64_t need = 3 * initramfs_bytes + kMarginBytes + kRingBytes;
    plan.node_bytes = split_by_share(topo, (need + kMiB - 1) / kMiB * kMiB);
    for (int n = 0; n < topo.nodes(); ++n)
      if (!topo.memoryless(n)) {
        uint64_t& b = plan.node_bytes[static_cast<size_t>(n)];
        b = std::max(b, kMinNodeBytes);
      }
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
    plan.node_bytes = split_by_share(topo, memory_mib * kMiB);
    for (int n = 0; n < topo.nodes(); ++n) {
      const uint64_t b = plan.node_bytes[static_cast<size_t>(n)];
      if (!topo.memoryless(n) && b < min_node)
        return fail("--memory {} MiB leaves {} MiB on NUMA node {} of {}; every node with memory needs at least {} MiB",
                    memory_mib, b / kMiB, n, topo.str(), min_node / kMiB);
    }
  }
  // The ring is the top of node 0's RAM (kept below the PCI hole), so it is
  // node-0 memory in the guest and an offset in node 0's backing file.
  plan.ring_phys = std::min(plan.node_bytes.front(), kContiguousLowRam) - kRingBytes;
  return plan;
}

}  // namespace ktstr::vmm
