// Fairness checks behind not_starved: off-CPU spread within a cgroup and the
// longest gap between a worker's progress observations.
#include <fmt/format.h>

#include "host/verdict/checks.hpp"
#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {

std::optional<double> effective_spread_limit(const RunTelemetry& t, const Thresholds& th) {
  if (th.max_spread_pct) return th.max_spread_pct;
  // In an A/B run not_starved judges spread against the baseline instead
  // (check_spread_over_baseline): the absolute default would judge the host.
  if (t.baseline) return std::nullopt;
  if (th.not_starved.value_or(false)) return t.debug_kernel ? kDefaultSpreadPctDebug : kDefaultSpreadPct;
  return std::nullopt;
}

std::optional<double> effective_gap_limit(const RunTelemetry& t, const Thresholds& th) {
  if (th.max_gap_ms) return th.max_gap_ms;
  if (th.not_starved.value_or(false)) return t.debug_kernel ? kDefaultGapMsDebug : kDefaultGapMs;
  return std::nullopt;
}

std::vector<Violation> check_spread(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  auto limit = effective_spread_limit(t, th);
  if (!limit) return {};
  std::vector<Violation> out;
  for (const auto& g : group_workers(t)) {
    auto s = spread(g);
    if (!s || s->pp <= *limit) continue;
    out.push_back(Violation{
        .check = "spread",
        .subject = fmt::format("{} step {}", g.cgroup.empty() ? "/" : g.cgroup, g.step),
        .observed = s->pp,
        .threshold = *limit,
        .unit = "pp",
        .detail = fmt::format("off-CPU w{} {:.1f}% vs w{} {:.1f}%", s->low->worker, *off_cpu_pct(*s->low),
                              s->high->worker, *off_cpu_pct(*s->high))});
  }
  return out;
}

std::vector<Violation> check_gap(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  auto limit = effective_gap_limit(t, th);
  if (!limit) return {};
  std::vector<Violation> out;
  for (const auto& w : t.workers) {
    double gap = gap_ms(w);
    if (gap <= *limit) continue;
    out.push_back(Violation{.check = "gap",
                            .subject = worker_label(w),
                            .observed = gap,
                            .threshold = *limit,
                            .unit = "ms",
                            .detail = fmt::format("ended {:.3f} s into the step",
                                                  static_cast<double>(w.max_gap_at_ns) / 1e9)});
  }
  return out;
}

}  // namespace ktstr::verdict
