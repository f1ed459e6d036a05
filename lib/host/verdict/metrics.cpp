#include "host/verdict/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace ktstr::verdict {

std::optional<double> off_cpu_pct(const WorkerTelemetry& w) {
  if (w.wall_ns == 0) return std::nullopt;
  double pct = 100.0 * (1.0 - static_cast<double>(w.cpu_ns) / static_cast<double>(w.wall_ns));
  return std::clamp(pct, 0.0, 100.0);
}

std::optional<double> iteration_rate(const WorkerTelemetry& w) {
  if (w.wall_ns == 0) return std::nullopt;
  return static_cast<double>(w.iterations) / (static_cast<double>(w.wall_ns) / 1e9);
}

std::optional<double> migrations_per_cpu_s(const WorkerTelemetry& w) {
  if (w.cpu_ns == 0) return std::nullopt;
  return static_cast<double>(w.migrations) / (static_cast<double>(w.cpu_ns) / 1e9);
}

double gap_ms(const WorkerTelemetry& w) { return static_cast<double>(w.max_gap_ns) / 1e6; }

std::optional<uint64_t> percentile_nearest_rank(std::span<const uint64_t> samples, double p) {
  if (samples.empty()) return std::nullopt;
  std::vector<uint64_t> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  // Integer arithmetic for the rank: 0.99 * 100 in floating point is 98.99999...
  auto n = sorted.size();
  auto p_milli = static_cast<uint64_t>(std::llround(p * 1000.0));
  size_t rank = static_cast<size_t>((p_milli * n + 100000 - 1) / 100000);
  rank = std::clamp<size_t>(rank, 1, n);
  return sorted[rank - 1];
}

std::optional<double> coefficient_of_variation(std::span<const double> values) {
  if (values.size() < 2) return std::nullopt;
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  if (mean == 0) return std::nullopt;
  double var = 0;
  for (double v : values) var += (v - mean) * (v - mean);
  var /= static_cast<double>(values.size());
  return std::sqrt(var) / mean;
}

std::vector<WorkerGroup> group_workers(const RunTelemetry& t) {
  std::map<std::pair<int, std::string>, WorkerGroup> groups;
  for (const auto& c : t.cgroups) {
    auto& g = groups[{c.step, c.name}];
    g.cgroup = c.name;
    g.step = c.step;
  }
  for (const auto& w : t.workers) {
    auto& g = groups[{w.step, w.cgroup}];
    g.cgroup = w.cgroup;
    g.step = w.step;
    g.workers.push_back(&w);
  }
  std::vector<WorkerGroup> out;
  out.reserve(groups.size());
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  return out;
}

std::optional<Spread> spread(const WorkerGroup& g) {
  std::optional<Spread> out;
  double lo = 0, hi = 0;
  int measured = 0;
  for (const auto* w : g.workers) {
    auto pct = off_cpu_pct(*w);
    if (!pct) continue;
    if (measured++ == 0) {
      lo = hi = *pct;
      out = Spread{0, w, w};
      continue;
    }
    if (*pct < lo) lo = *pct, out->low = w;
    if (*pct > hi) hi = *pct, out->high = w;
  }
  if (measured < 2) return std::nullopt;
  out->pp = hi - lo;
  return out;
}

std::string worker_label(const WorkerTelemetry& w) {
  return fmt::format("{}/w{} step {}", w.cgroup.empty() ? "" : w.cgroup, w.worker, w.step);
}

}  // namespace ktstr::verdict
