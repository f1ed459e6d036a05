#include "rig_judge.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ktstr::nested {

std::vector<std::string> expected_checks(std::string_view mode) {
  if (mode == "bench") return {"bench"};
  if (mode == "sched") return {"scheduler", "monitor"};
  if (mode == "profile" || mode == "flood") return {};
  std::vector<std::string> uneven;
  for (const char* t : kUnevenPresets) uneven.push_back(fmt::format("topology/{}", t));
  if (mode == "topo") return uneven;
  // nested_check.cpp main(), in its order.
  std::vector<std::string> all = {"topology/1n1l2c1t", "topology/1n2l2c2t", "topology/2n2l2c1t", "panic",
                                  "timeout", "bench", "topology/1n2l3c1t"};
  all.insert(all.end(), uneven.begin(), uneven.end());
  all.insert(all.end(), {"exit_code", "same_faults", "scheduler", "monitor", "topology/1n2l2c1t/vmlinux-pvh",
                         "topology/1n2l2c1t/vmlinux-64bit"});
  return all;
}

namespace {
// The id after "RIG: PASS " / "RIG: FAIL ": up to the next space.
std::string check_id(std::string_view line) {
  line.remove_prefix(std::string_view("RIG: PASS ").size());
  return std::string(line.substr(0, line.find(' ')));
}
}  // namespace

RigVerdict judge_rig(std::string_view console, std::string_view mode) {
  RigVerdict v;
  std::vector<std::string> passed_ids;
  for (size_t pos = 0; pos < console.size();) {
    size_t nl = console.find('\n', pos);
    std::string_view line = console.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? console.size() : nl + 1;
    const auto at = line.find("RIG: ");
    if (at == std::string_view::npos) continue;
    line = line.substr(at);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    v.lines.emplace_back(line);
    if (line.starts_with("RIG: PASS ")) ++v.passed, passed_ids.push_back(check_id(line));
    if (line.starts_with("RIG: FAIL ")) ++v.failed;
    v.done = v.done || line.starts_with("RIG: done");
  }
  for (auto& id : expected_checks(mode))
    if (std::find(passed_ids.begin(), passed_ids.end(), id) == passed_ids.end()) v.missing.push_back(std::move(id));
  return v;
}

std::string rig_summary(const RigVerdict& v, std::string_view mode) {
  std::string out = fmt::format("{} passed, {} failed of {} expected", v.passed, v.failed, expected_checks(mode).size());
  if (!v.missing.empty()) out += fmt::format(", missing: {}", fmt::join(v.missing, ", "));
  if (!v.done) out += ", rig did not finish";
  return out;
}

}  // namespace ktstr::nested
