// Canned scenarios, selectable by name (`--scenario NAME`), each with a
// one-line description. They adapt to the guest: worker counts scale with
// the CPU count and cpusets are specs resolved against the real layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/scenario.hpp"

namespace ktstr::guest {

// What a canned scenario may be tuned with from the command line.
struct ScenarioParams {
  const CpuLayout* layout = nullptr;
  std::string cpuset;     // overrides the cpuset of every worker cgroup ("" = scenario default)
  WorkType work = WorkType::kSpin;  // work of the spinning cgroups
  Policy policy = Policy::kNormal;
};

struct CannedScenario {
  std::string_view name;
  std::string_view doc;
  Scenario (*make)(const ScenarioParams&);
};

// Every canned scenario, in documentation order.
const std::vector<CannedScenario>& canned_scenarios();

// Builds the named scenario; the error lists the known names.
Result<Scenario> make_scenario(std::string_view name, const ScenarioParams& params);

}  // namespace ktstr::guest
