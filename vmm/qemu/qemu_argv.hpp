// QEMU command line for one ktstr VM: a pure function of the plan, so the
// topology mapping is unit-tested without starting QEMU.
#pragma once

#include <string>
#include <vector>

#include "base/topology.hpp"
#include "vmm/memory_plan.hpp"

namespace ktstr::vmm {

enum class Accel { kTcg, kKvm };

struct QemuPlan {
  std::string qemu_binary = "qemu-system-x86_64";
  Accel accel = Accel::kTcg;
  Topology topology;
  MemoryPlan memory;
  std::vector<std::string> memory_files;  // one memory-backend-file per NUMA node (unused for a memoryless one)
  bool memory_huge = false;  // the files are on a huge-page tmpfs: map them 2 MiB-aligned (align=2M)
  std::string kernel;
  std::string initrd;
  std::string cmdline;
  std::string console_log;  // ttyS0 is written here
  bool interactive = false; // ttyS0 also on QEMU's stdin/stdout (raw terminal), for `ktstr shell`
};

// The full argv (argv[0] = qemu_binary): -M pc, the accelerator and CPU model
// (TCG: -cpu max; KVM: -cpu host), RAM, the topology (qemu_topology.hpp: one
// socket per LLC, a memory backend per node, -numa cpu per socket), the
// kernel, initrd, command line and the console.
std::vector<std::string> qemu_argv(const QemuPlan& plan);

// Kernel command line: fixed words, the ring's words, then the user's extras
// (last, so they can override).
std::string kernel_cmdline(const MemoryPlan& memory, const std::string& extra);

}  // namespace ktstr::vmm
