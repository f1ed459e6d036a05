// Opt-in checks: each runs only when its threshold is set.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/topology.hpp"
#include "host/verdict/checks.hpp"
#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {

std::vector<Violation> check_iteration_rate(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.min_iteration_rate) return {};
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    auto rate = iteration_rate(w);
    if (!rate || *rate >= *th.min_iteration_rate) continue;
    out.push_back(Violation{.check = "min_iteration_rate", .subject = worker_label(w), .observed = *rate,
                            .threshold = th.min_iteration_rate, .unit = "iter/s",
                            .detail = fmt::format("{} iterations in {:.3f} s", w.iterations,
                                                  static_cast<double>(w.wall_ns) / 1e9)});
  }
  return out;
}

std::vector<Violation> check_migration_ratio(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.max_migration_ratio) return {};
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    auto ratio = migrations_per_cpu_s(w);
    if (!ratio || *ratio <= *th.max_migration_ratio) continue;
    out.push_back(Violation{.check = "max_migration_ratio", .subject = worker_label(w), .observed = *ratio,
                            .threshold = th.max_migration_ratio, .unit = "migr/cpu-s",
                            .detail = fmt::format("{} migrations in {:.3f} s on CPU", w.migrations,
                                                  static_cast<double>(w.cpu_ns) / 1e9)});
  }
  return out;
}

namespace {
// The worker's own cpuset, else its cgroup's cpuset in the same step.
const std::vector<int>* allowed_cpus(const RunTelemetry& t, const WorkerTelemetry& w) {
  if (!w.cpuset.empty()) return &w.cpuset;
  for (const auto& c : t.cgroups)
    if (c.step == w.step && c.name == w.cgroup && !c.cpuset.empty()) return &c.cpuset;
  return nullptr;
}
}  // namespace

std::vector<Violation> check_isolation(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.isolation.value_or(false)) return {};
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    const auto* allowed = allowed_cpus(t, w);
    if (!allowed) continue;
    std::vector<int> sorted_allowed = *allowed, outside;
    std::sort(sorted_allowed.begin(), sorted_allowed.end());
    for (int cpu : w.cpus_used)
      if (!std::binary_search(sorted_allowed.begin(), sorted_allowed.end(), cpu)) outside.push_back(cpu);
    if (outside.empty()) continue;
    out.push_back(Violation{.check = "isolation", .subject = worker_label(w),
                            .observed = static_cast<double>(outside.size()), .threshold = 0.0, .unit = "CPUs",
                            .detail = fmt::format("ran on CPUs {} outside cpuset {}", format_cpu_list(outside),
                                                  format_cpu_list(sorted_allowed))});
  }
  return out;
}

std::vector<Violation> check_p99_wake(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.max_p99_wake_us) return {};
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    auto p99 = percentile_nearest_rank(w.wake_latency_ns, 99.0);
    if (!p99) continue;
    double us = static_cast<double>(*p99) / 1e3;
    if (us <= *th.max_p99_wake_us) continue;
    out.push_back(Violation{.check = "max_p99_wake_us", .subject = worker_label(w), .observed = us,
                            .threshold = th.max_p99_wake_us, .unit = "us",
                            .detail = fmt::format("nearest rank over {} samples", w.wake_latency_ns.size())});
  }
  return out;
}

std::vector<Violation> check_throughput_cv(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.max_throughput_cv) return {};
  std::vector<Violation> out;
  for (const auto& g : group_workers(t)) {
    std::vector<double> rates;
    for (const auto* w : g.workers)
      if (auto r = iteration_rate(*w)) rates.push_back(*r);
    auto cv = coefficient_of_variation(rates);
    if (!cv || *cv <= *th.max_throughput_cv) continue;
    out.push_back(Violation{.check = "max_throughput_cv",
                            .subject = fmt::format("{} step {}", g.cgroup.empty() ? "/" : g.cgroup, g.step),
                            .observed = *cv, .threshold = th.max_throughput_cv,
                            .detail = fmt::format("over {} workers", rates.size())});
  }
  return out;
}

}  // namespace ktstr::verdict
