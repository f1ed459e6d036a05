// The CPUs a guest actually has, grouped by LLC and NUMA node. Built from
// the declared Topology (host-side tests, planning) or read from sysfs inside
// the guest; cpuset specs resolve against it and PID 1 compares its shape()
// with the declared topology before running a test.
#pragma once

#include <filesystem>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"

namespace ktstr::guest {

struct CpuLayout {
  std::vector<int> cpus;                // online CPUs, sorted
  std::vector<std::vector<int>> llcs;   // LLC index -> sorted CPUs, ordered by lowest CPU
  std::vector<std::vector<int>> nodes;  // NUMA node index -> sorted CPUs
  std::vector<std::vector<int>> cores;  // SMT sibling groups, ordered by lowest CPU

  // The layout a guest with this declared topology should present.
  static CpuLayout from_topology(const Topology& t);

  // Derives "NnLlCcTt" from the groups; fails when groups are uneven
  // (e.g. LLCs of different sizes), which no declared topology produces.
  [[nodiscard]] Result<Topology> shape() const;
};

// Reads the layout below sysfs_root (normally "/sys"): cpu/online,
// cpuN/cache/index3/shared_cpu_list (falling back to the package when the
// CPU reports no L3), cpuN/topology/thread_siblings_list and
// node/nodeK/cpulist (one node when the kernel has no NUMA directory).
// Source: Documentation/ABI/stable/sysfs-devices-system-cpu and
// Documentation/ABI/testing/sysfs-devices-system-cpu.
Result<CpuLayout> read_cpu_layout(const std::filesystem::path& sysfs_root = "/sys");

}  // namespace ktstr::guest
