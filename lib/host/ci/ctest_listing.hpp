// What `ktstr shard` reads about a suite: the entries as `ctest
// --show-only=json-v1` lists them, and the times CTest measured in earlier
// runs (Testing/Temporary/CTestCostData.txt). Pure parsers over the text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace ktstr::ci {

// One CTest entry, reduced to what its cost depends on.
struct CtestEntry {
  std::string name;
  // Host CPUs it occupies: the `cpus` slots of its RESOURCE_GROUPS (a ktstr
  // entry's vCPUs, capped to the host), else PROCESSORS, else 1.
  int cpus = 1;
  // The scenario duration a ktstr entry declares: the `--duration <N>ms`
  // guest argument the discovery puts on its command line.
  std::optional<double> duration_s;
  // The COST property, when the project set one.
  std::optional<double> cost_property;
};

// Parses the json-v1 document ("kind": "ctestInfo", "tests": [{name, command,
// properties: [{name, value}]}]). Errors name what is malformed.
Result<std::vector<CtestEntry>> parse_ctest_listing(std::string_view json);

// Parses CTestCostData.txt: one "NAME RUNS AVERAGE_SECONDS" line per test,
// then a "---" line and the names that failed last time (ignored). Malformed
// lines are skipped, as CTest itself does.
std::map<std::string, double> parse_cost_data(std::string_view text);

}  // namespace ktstr::ci
