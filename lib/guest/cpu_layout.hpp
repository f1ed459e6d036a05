// The CPUs a guest actually has, grouped by LLC and NUMA node. Built from
// the declared Topology (host-side tests, planning) or read from sysfs inside
// the guest; cpuset specs resolve against it and PID 1 compares its shape()
// with the declared topology before running a test.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"

namespace ktstr::guest {

struct CpuLayout {
  std::vector<int> cpus;                // online CPUs, sorted
  std::vector<std::vector<int>> llcs;   // LLC index -> sorted CPUs, ordered by lowest CPU
  std::vector<std::vector<int>> nodes;  // NUMA node index -> sorted CPUs
  std::vector<std::vector<int>> cores;  // SMT sibling groups, ordered by lowest CPU
  std::vector<int> memory_nodes;        // indexes into `nodes` of the nodes that have RAM

  // The layout a guest with this declared topology should present.
  static CpuLayout from_topology(const Topology& t);

  // Derives the topology from the groups: per node (in order) its LLCs, per
  // LLC its cores, one SMT width (memory shares equal; memory_mismatches
  // compares which nodes have RAM). Fails when the groups
  // cannot come from any declared topology (an LLC spanning nodes, cores of
  // different widths, an LLC splitting a core).
  [[nodiscard]] Result<Topology> shape() const;

  // Nodes the layout has but the declaration keeps without memory, and the
  // reverse, as one line each ("node 1: guest has memory, declared memoryless").
  [[nodiscard]] std::vector<std::string> memory_mismatches(const Topology& declared) const;
};

// Reads the layout below sysfs_root (normally "/sys"): cpu/online,
// cpuN/cache/index3/shared_cpu_list (falling back to the package when the
// CPU reports no L3), cpuN/topology/thread_siblings_list,
// node/nodeK/cpulist (one node when the kernel has no NUMA directory) and
// node/has_memory (Documentation/ABI/stable/sysfs-devices-node; every node
// when absent).
// Source: Documentation/ABI/stable/sysfs-devices-system-cpu and
// Documentation/ABI/testing/sysfs-devices-system-cpu.
Result<CpuLayout> read_cpu_layout(const std::filesystem::path& sysfs_root = "/sys");

}  // namespace ktstr::guest
