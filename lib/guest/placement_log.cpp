#include "guest/placement_log.hpp"

#include <algorithm>
#include <span>

#include "guest/measure.hpp"

namespace ktstr::guest {

void PlacementLog::observe(uint64_t now_ns, int cpu, uint64_t units) {
  uint64_t now_us = now_ns / 1000;
  if (count > 0 && count <= runs.size()) {
    CpuRun& last = runs[count - 1];
    // CLOCK_MONOTONIC read on another CPU can be a little behind the last
    // reading (under TCG the vCPUs' TSCs drift apart); runs stay in order.
    now_us = std::max(now_us, last.end_us);
    if (last.cpu == cpu && now_us - last.end_us <= kPlacementGapUs) {
      last.end_us = now_us;
      last.units += units;
      return;
    }
  }
  if (count >= runs.size())
    count = static_cast<uint32_t>(coarsen_runs(std::span<CpuRun>(runs.data(), runs.size()), runs.size() / 2, merged_us));
  runs[count] = CpuRun{.start_us = now_us, .end_us = now_us, .units = units, .cpu = cpu};
  ++count;
}

std::vector<CpuRun> PlacementLog::snapshot(uint64_t base_ns) const {
  const uint64_t base_us = base_ns / 1000;
  const size_t n = std::min<size_t>(count, runs.size());
  std::vector<CpuRun> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    CpuRun r = runs[i];
    const bool ordered = r.end_us >= r.start_us && r.start_us >= base_us &&
                         (out.empty() || r.start_us - base_us >= out.back().end_us);
    if (!ordered || r.cpu < 0 || r.cpu >= CpuMask::kMaxCpus) break;  // torn by the writer: keep the prefix
    r.start_us -= base_us;
    r.end_us -= base_us;
    out.push_back(r);
  }
  return out;
}

}  // namespace ktstr::guest
