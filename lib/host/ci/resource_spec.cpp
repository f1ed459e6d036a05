// Host probe and the CTest resource-spec document.
#include "host/ci/resource_spec.hpp"

#include <sched.h>

#include <algorithm>

namespace ktstr::ci {

Result<std::vector<int>> detect_host_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return fail_errno("sched_getaffinity (host CPUs)");
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  if (cpus.empty()) return fail("sched_getaffinity: no CPU in this process's affinity mask");
  return cpus;
}

std::vector<int> first_cpus(int count) {
  std::vector<int> cpus(static_cast<size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) cpus[static_cast<size_t>(i)] = i;
  return cpus;
}

nlohmann::json resource_spec(const std::vector<int>& cpus) {
  auto list = nlohmann::json::array();
  for (int c : cpus) list.push_back({{"id", std::to_string(c)}, {"slots", 1}});
  return {{"version", {{"major", 1}, {"minor", 0}}}, {"local", nlohmann::json::array({{{"cpus", list}}})}};
}

}  // namespace ktstr::ci
