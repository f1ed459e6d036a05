#include "host/verdict/run_stats.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {

std::string cgroup_display(const std::string& name) { return name.empty() ? "root" : name; }

namespace {

struct CgroupAccumulator {
  std::set<int> workers;
  uint64_t migrations = 0;
  uint64_t cpu_ns = 0;
  double rate_sum = 0;
  int rate_count = 0;
  std::vector<uint64_t> wake_samples;
  CgroupStats out;
};

void add_worker(CgroupAccumulator& a, const WorkerTelemetry& w) {
  a.workers.insert(w.worker);
  a.migrations += w.migrations;
  a.cpu_ns += w.cpu_ns;
  if (auto r = iteration_rate(w)) a.rate_sum += *r, ++a.rate_count;
  a.wake_samples.insert(a.wake_samples.end(), w.wake_latency_ns.begin(), w.wake_latency_ns.end());
  double gap = gap_ms(w);
  if (!a.out.worst_gap_ms || gap > *a.out.worst_gap_ms) a.out.worst_gap_ms = gap;
}

CgroupStats finish(const std::string& name, CgroupAccumulator& a) {
  CgroupStats s = a.out;
  s.name = name;
  s.workers = static_cast<int>(a.workers.size());
  s.migrations = a.migrations;
  if (a.rate_count > 0) s.mean_iteration_rate = a.rate_sum / a.rate_count;
  if (auto p = percentile_nearest_rank(a.wake_samples, 99.0)) s.p99_wake_us = static_cast<double>(*p) / 1e3;
  if (a.cpu_ns > 0) s.migrations_per_cpu_s = static_cast<double>(a.migrations) / (static_cast<double>(a.cpu_ns) / 1e9);
  return s;
}

}  // namespace

RunStats compute_stats(const RunTelemetry& t) {
  RunStats rs;
  rs.cpus = t.vcpus;
  std::map<std::string, CgroupAccumulator> acc;
  std::set<int> cpus_used;
  for (const auto& g : group_workers(t)) {
    auto& a = acc[g.cgroup];
    for (const auto* w : g.workers) {
      add_worker(a, *w);
      cpus_used.insert(w->cpus_used.begin(), w->cpus_used.end());
      rs.migrations += w->migrations;
      double gap = gap_ms(*w);
      if (!rs.worst_gap_ms || gap > *rs.worst_gap_ms) rs.worst_gap_ms = gap, rs.worst_gap_at = worker_label(*w);
    }
    if (auto s = spread(g)) {
      if (!a.out.worst_spread_pp || s->pp > *a.out.worst_spread_pp) a.out.worst_spread_pp = s->pp;
      if (!rs.worst_spread_pp || s->pp > *rs.worst_spread_pp)
        rs.worst_spread_pp = s->pp, rs.worst_spread_at = fmt::format("{} step {}", cgroup_display(g.cgroup), g.step);
    }
  }
  for (auto& [name, a] : acc) {
    rs.cgroups.push_back(finish(name, a));
    rs.workers += rs.cgroups.back().workers;
  }
  rs.cpus_used = static_cast<int>(cpus_used.size());
  return rs;
}

std::vector<Metric> metrics_of(const RunStats& s) {
  std::vector<Metric> out;
  for (const auto& c : s.cgroups) {
    auto add = [&](const char* kind, const std::optional<double>& v) {
      if (v) out.push_back(Metric{fmt::format("{}.{}", cgroup_display(c.name), kind), kind, *v});
    };
    add("iter_rate", c.mean_iteration_rate);
    add("spread_pp", c.worst_spread_pp);
    add("gap_ms", c.worst_gap_ms);
    add("p99_wake_us", c.p99_wake_us);
    add("migrations_per_cpu_s", c.migrations_per_cpu_s);
  }
  return out;
}

}  // namespace ktstr::verdict
