// Guest RAM sizing, and where the results ring lives in guest-physical
// memory for both engines (the own engine's fixed addresses are in
// vmm/kvm/layout.hpp; this file decides only RAM sizes and the ring).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"

namespace ktstr::vmm {

inline constexpr uint64_t kMiB = 1ull << 20;

// Size of the shared ring. 16 MiB holds several seconds of the fastest guest
// producer measured under TCG (bench/channel), so a host that drains every few
// milliseconds never makes the guest wait; it costs 16 MiB of guest RAM.
inline constexpr uint64_t kRingBytes = 16 * kMiB;

// Guest RAM that the i440fx `pc` machine maps contiguously from physical 0:
// QEMU 7.2 keeps at least the low 3 GiB below the PCI hole (hw/i386/pc_piix.c,
// lowmem 0xe0000000, or 0xc0000000 with gigabyte alignment). Node 0's RAM
// starts at guest-physical 0, so below this bound a node-0 backend-file offset
// equals the guest-physical address.
inline constexpr uint64_t kContiguousLowRam = 3ull << 30;

// Memory added on top of the initramfs-derived need: kernel, page tables,
// the guest program's heap.
inline constexpr uint64_t kMarginBytes = 256 * kMiB;
inline constexpr uint64_t kMinNodeBytes = 64 * kMiB;

// How much RAM each NUMA node gets and where the ring sits.
struct MemoryPlan {
  std::vector<uint64_t> node_bytes;  // per node, MiB multiples, in proportion to the topology's shares; 0 = memoryless
  uint64_t ring_phys = 0;            // guest-physical address of the ring = offset in node 0's file
  uint64_t ring_bytes = kRingBytes;

  [[nodiscard]] uint64_t total_bytes() const;
  // Kernel command-line words that reserve the ring and announce it to the guest:
  // "memmap=16M$0x..." (a literal '$': argv, no shell) and "ktstr.channel=0x...,0x...".
  [[nodiscard]] std::vector<std::string> cmdline_words() const;
};

// memory_mib == 0: sized from the initramfs (x3: the archive stays reserved
// while it unpacks, and the rootfs tmpfs is capped at half of the RAM left)
// plus kMarginBytes and the ring. Either way the total is split over the
// nodes in proportion to Topology::memory_weight (evenly unless the topology
// string has an 'm' field; a memoryless node gets none). An explicit size must
// leave every node with memory kMinNodeBytes and is refused below 3x the
// initramfs + 64 MiB + the ring (measured: 202 MiB fails in 560 MiB).
Result<MemoryPlan> plan_memory(const Topology& topo, uint64_t memory_mib, uint64_t initramfs_bytes);

}  // namespace ktstr::vmm
