#include "host/trace/counters.hpp"

#include <algorithm>
#include <map>

namespace ktstr::trace {
namespace {

// Adds a run's units to the bins it overlaps, in proportion to the overlap.
void spread_units(const CpuRun& r, uint64_t bin_ns, std::vector<double>& bins) {
  const uint64_t start = r.start_us * 1000, end = std::max(r.end_us * 1000, start);
  const auto first = static_cast<size_t>(start / bin_ns), last = static_cast<size_t>(end / bin_ns);
  if (last >= bins.size()) bins.resize(last + 1, 0.0);
  if (first == last || end == start) {
    bins[first] += static_cast<double>(r.units);
    return;
  }
  const double per_ns = static_cast<double>(r.units) / static_cast<double>(end - start);
  for (size_t b = first; b <= last; ++b) {
    const uint64_t lo = std::max<uint64_t>(start, b * bin_ns), hi = std::min<uint64_t>(end, (b + 1) * bin_ns);
    if (hi > lo) bins[b] += per_ns * static_cast<double>(hi - lo);
  }
}

struct Worker {
  std::string name;
  std::vector<double> bins;
  size_t first_bin = SIZE_MAX;
  size_t last_bin = 0;  // exclusive
};

CounterSeries to_series(const Worker& w, uint64_t bin_ns) {
  CounterSeries s{.group = "progress", .name = w.name, .unit = "iter/s"};
  const double per_s = 1e9 / static_cast<double>(bin_ns);
  for (size_t b = w.first_bin; b < w.last_bin; ++b) {
    const double v = b < w.bins.size() ? w.bins[b] * per_s : 0.0;
    if (s.points.empty() || s.points.back().second != v) s.points.emplace_back(b * bin_ns, v);
  }
  s.points.emplace_back(w.last_bin * bin_ns, 0.0);
  return s;
}

}  // namespace

uint64_t progress_bin_ns(uint64_t extent_ns) {
  const uint64_t ms = (extent_ns / kProgressBins + 999'999) / 1'000'000;
  return std::max<uint64_t>(ms, 10) * 1'000'000;
}

std::vector<CounterSeries> progress_counters(const RunTelemetry& t, uint64_t extent_ns) {
  const uint64_t bin_ns = progress_bin_ns(extent_ns);
  std::vector<int> order;
  std::map<int, Worker> workers;  // by pid
  for (const auto& rec : t.workers) {
    if (rec.placement.empty()) continue;
    auto [it, fresh] = workers.try_emplace(rec.pid);
    if (fresh) order.push_back(rec.pid), it->second.name = worker_name(rec);
    Worker& w = it->second;
    for (const auto& r : rec.placement) spread_units(r, bin_ns, w.bins);
    w.first_bin = std::min<size_t>(w.first_bin, rec.placement.front().start_us * 1000 / bin_ns);
    w.last_bin = std::max<size_t>(w.last_bin, rec.placement.back().end_us * 1000 / bin_ns + 1);
  }
  std::vector<CounterSeries> out;
  for (int pid : order) out.push_back(to_series(workers[pid], bin_ns));
  return out;
}

}  // namespace ktstr::trace
