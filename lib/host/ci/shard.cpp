// Cost model, LPT partition and the selection regex of `ktstr shard`.
#include "host/ci/shard.hpp"

#include <algorithm>
#include <limits>

namespace ktstr::ci {

EntryCost entry_cost(const CtestEntry& e, const std::map<std::string, double>& measured) {
  const double cpus = std::max(e.cpus, 1);
  if (auto it = measured.find(e.name); it != measured.end()) return {e.name, cpus * it->second, "measured"};
  if (e.duration_s) return {e.name, cpus * (*e.duration_s + kVmOverheadS), "declared"};
  if (e.cost_property) return {e.name, cpus * *e.cost_property, "COST"};
  return {e.name, cpus * kUnknownS, "unknown"};
}

std::vector<Shard> partition(std::vector<EntryCost> entries, int count) {
  std::vector<Shard> shards(static_cast<size_t>(std::max(count, 1)));
  std::sort(entries.begin(), entries.end(), [](const EntryCost& a, const EntryCost& b) {
    return a.cost != b.cost ? a.cost > b.cost : a.name < b.name;
  });
  for (auto& e : entries) {
    auto cheapest = std::min_element(shards.begin(), shards.end(),
                                     [](const Shard& a, const Shard& b) { return a.cost < b.cost; });
    cheapest->cost += e.cost;
    cheapest->names.push_back(std::move(e.name));
  }
  for (auto& s : shards) std::sort(s.names.begin(), s.names.end());
  return shards;
}

double imbalance(const std::vector<Shard>& shards) {
  if (shards.size() < 2) return 0;
  auto [lo, hi] = std::minmax_element(shards.begin(), shards.end(),
                                      [](const Shard& a, const Shard& b) { return a.cost < b.cost; });
  if (hi->cost == 0) return 0;
  if (lo->cost == 0) return std::numeric_limits<double>::infinity();
  return hi->cost / lo->cost - 1;
}

std::string selection_regex(const std::vector<std::string>& names) {
  if (names.empty()) return "^$";
  std::string rx = "^(";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) rx += '|';
    for (char c : names[i]) {
      // The metacharacters of CTest's regex (cmsys::RegularExpression) and
      // of POSIX ERE; a closing ] or } is literal in both.
      if (std::string_view("\\^$.|?*+()[{").find(c) != std::string_view::npos) rx += '\\';
      rx += c;
    }
  }
  return rx + ")$";
}

}  // namespace ktstr::ci
