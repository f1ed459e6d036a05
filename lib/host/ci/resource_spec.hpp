// The CTest resource-spec file for this host (ctest(1), "Resource
// Allocation"): one `cpus` resource per host CPU with one slot each. Every
// discovered ktstr entry asks for one slot per vCPU (RESOURCE_GROUPS
// "V,cpus:1", V capped to the host's CPUs), so `ctest -j N
// --resource-spec-file F` starts a VM only when its vCPUs fit next to the
// ones already running.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace ktstr::ci {

// The host CPUs this process may run on (sched_getaffinity), ascending.
Result<std::vector<int>> detect_host_cpus();

// CPU ids 0..count-1: a budget chosen by the user instead of the detected CPUs.
std::vector<int> first_cpus(int count);

// The spec document: {"version": {"major": 1, "minor": 0}, "local": [{"cpus":
// [{"id": "<cpu>", "slots": 1}, ...]}]}. Ids are the host CPU numbers (CTest
// ids are lowercase letters, digits and underscores), so an entry's
// CTEST_RESOURCE_GROUP_<i>_CPUS names real CPUs.
nlohmann::json resource_spec(const std::vector<int>& cpus);

}  // namespace ktstr::ci
