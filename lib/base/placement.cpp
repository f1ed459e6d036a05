#include "base/placement.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace ktstr {
namespace {

uint64_t length(const CpuRun& r) { return r.end_us > r.start_us ? r.end_us - r.start_us : 0; }

// a and b become one run on the CPU where more of it happened.
CpuRun merged(const CpuRun& a, const CpuRun& b) {
  const bool keep_a = length(a) != length(b) ? length(a) > length(b) : a.units >= b.units;
  return CpuRun{.start_us = a.start_us,
                .end_us = std::max(a.end_us, b.end_us),
                .units = a.units + b.units,
                .cpu = keep_a ? a.cpu : b.cpu};
}

}  // namespace

uint64_t merge_cost(const CpuRun& a, const CpuRun& b) {
  const uint64_t gap = b.start_us > a.end_us ? b.start_us - a.end_us : 0;
  return a.cpu == b.cpu ? gap : gap + std::min(length(a), length(b));
}

size_t coarsen_runs(std::span<CpuRun> runs, size_t target, uint64_t& merged_us) {
  size_t n = runs.size();
  if (target == 0) return 0;  // nothing kept, so nothing shown wrongly
  while (n > target) {
    size_t best = 0;
    uint64_t best_cost = merge_cost(runs[0], runs[1]);
    for (size_t i = 1; i + 1 < n; ++i) {
      const uint64_t c = merge_cost(runs[i], runs[i + 1]);
      if (c < best_cost) best = i, best_cost = c;
    }
    merged_us += best_cost;
    runs[best] = merged(runs[best], runs[best + 1]);
    std::copy(runs.begin() + static_cast<long>(best) + 2, runs.begin() + static_cast<long>(n),
              runs.begin() + static_cast<long>(best) + 1);
    --n;
  }
  return n;
}

void coarsen_runs(std::vector<CpuRun>& runs, size_t target, uint64_t& merged_us) {
  runs.resize(coarsen_runs(std::span<CpuRun>(runs), target, merged_us));
}

void to_json(nlohmann::json& j, const CpuRun& r) { j = nlohmann::json::array({r.start_us, r.end_us, r.cpu, r.units}); }

void from_json(const nlohmann::json& j, CpuRun& r) {
  r = CpuRun{.start_us = j.at(0).get<uint64_t>(), .end_us = j.at(1).get<uint64_t>(), .units = j.at(3).get<uint64_t>(),
             .cpu = j.at(2).get<int>()};
}

}  // namespace ktstr
