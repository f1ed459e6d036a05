// Cpuset specs: how a scenario names the CPUs a cgroup may use, resolved
// against the guest's real layout so the same scenario fits every topology.
//   ""  or "all"   every online CPU
//   "0-3,8"        an explicit list (sysfs syntax)
//   "llc:K"        the CPUs of LLC K          "node:K"   the CPUs of NUMA node K
//   "frac:A/B"     the first A/B of the CPUs (at least one CPU)
//   "split:K/N"    the K-th (0-based) of N disjoint, near-equal contiguous parts
#pragma once

#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "guest/cpu_layout.hpp"

namespace ktstr::guest {

// Resolves spec to a sorted CPU list; errors name the spec and what is out of range.
Result<std::vector<int>> resolve_cpuset(std::string_view spec, const CpuLayout& layout);

}  // namespace ktstr::guest
