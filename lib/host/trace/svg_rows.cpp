#include "host/trace/svg_rows.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "host/trace/model.hpp"

namespace ktstr::trace {
namespace {

// Worker records seen per column of one CPU's row (indices into t.workers).
using Columns = std::vector<std::vector<size_t>>;

void mark(Columns& cols, size_t record, const CpuRun& r, double columns_per_us) {
  const int last = static_cast<int>(cols.size()) - 1;
  const int c0 = std::clamp(static_cast<int>(std::floor(static_cast<double>(r.start_us) * columns_per_us)), 0, last);
  const int c1 = std::clamp(static_cast<int>(std::ceil(static_cast<double>(r.end_us) * columns_per_us)), c0 + 1, last + 1);
  for (int c = c0; c < c1; ++c)
    if (cols[c].empty() || cols[c].back() != record) cols[c].push_back(record);
}

std::vector<int> composition(const RunTelemetry& t, const std::vector<size_t>& records,
                             const std::vector<std::string>& cgroups) {
  std::vector<int> per(cgroups.size(), 0);
  for (size_t r : records) {
    auto it = std::lower_bound(cgroups.begin(), cgroups.end(), t.workers[r].cgroup);
    if (it != cgroups.end() && *it == t.workers[r].cgroup) ++per[static_cast<size_t>(it - cgroups.begin())];
  }
  return per;
}

// Joins neighbouring columns of equal composition into stretches.
std::vector<RowStretch> stretches(const RunTelemetry& t, const Columns& cols, const std::vector<std::string>& cgroups) {
  std::vector<RowStretch> out;
  std::set<std::string> names;
  for (int c = 0; c < static_cast<int>(cols.size()); ++c) {
    if (cols[c].empty()) continue;
    auto per = composition(t, cols[c], cgroups);
    if (out.empty() || out.back().end_column != c || out.back().per_cgroup != per) {
      if (!out.empty()) out.back().workers.assign(names.begin(), names.end());
      names.clear();
      out.push_back({.first_column = c, .end_column = c, .per_cgroup = std::move(per)});
    }
    out.back().end_column = c + 1;
    for (size_t r : cols[c]) names.insert(worker_name(t.workers[r]));
  }
  if (!out.empty()) out.back().workers.assign(names.begin(), names.end());
  return out;
}

}  // namespace

std::vector<std::string> cgroup_names(const RunTelemetry& t) {
  std::set<std::string> names;
  for (const auto& c : t.cgroups) names.insert(c.name);
  for (const auto& w : t.workers) names.insert(w.cgroup);
  return {names.begin(), names.end()};
}

int cpu_count(const RunTelemetry& t) {
  int n = std::max(t.vcpus, 0);
  for (const auto& w : t.workers)
    for (const auto& r : w.placement) n = std::max(n, r.cpu + 1);
  return n;
}

std::vector<CpuRow> cpu_rows(const RunTelemetry& t, const std::vector<std::string>& cgroups, int columns,
                             uint64_t extent_ns) {
  const int n = cpu_count(t);
  std::vector<Columns> cols(static_cast<size_t>(n), Columns(static_cast<size_t>(std::max(columns, 1))));
  const double columns_per_us = static_cast<double>(columns) * 1000.0 / static_cast<double>(std::max<uint64_t>(extent_ns, 1));
  for (size_t i = 0; i < t.workers.size(); ++i)
    for (const auto& r : t.workers[i].placement)
      if (r.cpu >= 0 && r.cpu < n) mark(cols[static_cast<size_t>(r.cpu)], i, r, columns_per_us);
  std::vector<CpuRow> out;
  for (int cpu = 0; cpu < n; ++cpu) out.push_back({.cpu = cpu, .stretches = stretches(t, cols[static_cast<size_t>(cpu)], cgroups)});
  return out;
}

}  // namespace ktstr::trace
