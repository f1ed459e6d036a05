// Cpuset specs: how a scenario names the CPUs a cgroup may use, resolved
// against the guest's real layout so the same scenario fits every topology.
//   ""  or "all"   every online CPU
//   "0-3,8"        an explicit list (sysfs syntax)
//   "llc:K"        the CPUs of LLC K          "node:K"   the CPUs of NUMA node K
//   "frac:A/B"     the first A/B of the CPUs (at least one CPU)
//   "split:K/N"    the K-th (0-based) of N disjoint, near-equal contiguous parts
//   "not:SPEC"     every online CPU that SPEC leaves out (not:frac:1/4 = the last 3/4)
#pragma once

#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "guest/cpu_layout.hpp"

namespace ktstr::guest {

// Resolves spec to a sorted CPU list; errors name the spec and what is out of range.
Result<std::vector<int>> resolve_cpuset(std::string_view spec, const CpuLayout& layout);

// A worker's affinity (CgroupDef::affinity): "random" picks max(1, n/2) of
// the cgroup's CPUs (group_cpus, or every CPU when empty) from seed; any other
// spec resolves as a cpuset spec, limited to the cgroup's CPUs. Errors when
// nothing is left.
Result<std::vector<int>> resolve_affinity(std::string_view spec, const std::vector<int>& group_cpus,
                                          const CpuLayout& layout, uint64_t seed);

}  // namespace ktstr::guest
