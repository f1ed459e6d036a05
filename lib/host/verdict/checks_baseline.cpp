// Relative checks of an A/B run: the scheduler judged against the baseline
// measured seconds earlier in the same VM, cell by cell (step, cgroup).
// Formulas and defaults: lib/host/verdict/README.md, "A/B runs".
#include <fmt/format.h>

#include "host/verdict/ab_metrics.hpp"
#include "host/verdict/checks.hpp"

namespace ktstr::verdict {

std::optional<double> effective_spread_over_baseline_limit(const RunTelemetry& t, const Thresholds& th) {
  if (!t.baseline) return std::nullopt;
  return th.max_spread_over_baseline_pp.value_or(kDefaultSpreadOverBaselinePp);
}

std::optional<double> effective_share_vs_baseline_limit(const RunTelemetry& t, const Thresholds& th) {
  if (!t.baseline) return std::nullopt;
  return th.min_share_vs_baseline_pct.value_or(kDefaultShareVsBaselinePct);
}

std::vector<Violation> check_baseline(const RunTelemetry& t, const VmFacts&, const Thresholds&) {
  if (!t.baseline) return {};
  const auto& s = t.baseline->scheduler;
  // Without a healthy baseline phase there is nothing to judge against:
  // that says nothing about the scheduler under test.
  std::string why;
  if (s.failed) why = fmt::format("baseline scheduler failed: {}", s.failure.empty() ? "no reason reported" : s.failure);
  else if (!s.name.empty() && !s.attached && t.error.empty()) why = "baseline scheduler never attached";
  else if (t.baseline->workers.empty() && !t.workers.empty()) why = "the baseline phase measured no workers";
  if (why.empty()) return {};
  return {Violation{.check = "baseline", .subject = baseline_name(t), .detail = why,
                    .severity = Outcome::kInconclusive}};
}

std::vector<Violation> check_spread_over_baseline(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  auto limit = effective_spread_over_baseline_limit(t, th);
  if (!limit) return {};
  std::vector<Violation> out;
  for (const auto& c : pair_cells(t)) {
    auto d = c.spread_delta();
    if (!d || *d <= *limit) continue;
    out.push_back(Violation{.check = "max_spread_over_baseline_pp", .subject = c.subject(), .observed = *d,
                            .threshold = *limit, .unit = "pp",
                            .detail = fmt::format("spread {:.1f} pp; under {} worst {:.1f} pp, same cell {}",
                                                  *c.spread_sched, baseline_name(t), *c.spread_ref,
                                                  c.spread_base ? fmt::format("{:.1f} pp", *c.spread_base)
                                                                : std::string("n/a"))});
  }
  return out;
}

std::vector<Violation> check_share_vs_baseline(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  auto limit = effective_share_vs_baseline_limit(t, th);
  if (!limit) return {};
  std::vector<Violation> out;
  for (const auto& c : pair_cells(t)) {
    auto pct = c.share_pct();
    if (!pct || *pct >= *limit) continue;
    out.push_back(Violation{.check = "min_share_vs_baseline_pct", .subject = c.subject(), .observed = *pct,
                            .threshold = *limit, .unit = "%",
                            .detail = fmt::format("{:.1f}% of the step's work vs {:.1f}% under {}",
                                                  100 * *c.share_sched, 100 * *c.share_base, baseline_name(t))});
  }
  return out;
}

std::vector<Violation> check_rate_vs_baseline(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!t.baseline || !th.min_rate_vs_baseline_pct) return {};
  const double limit = *th.min_rate_vs_baseline_pct;
  std::vector<Violation> out;
  for (const auto& c : pair_cells(t)) {
    auto pct = c.rate_pct();
    if (!pct || *pct >= limit) continue;
    out.push_back(Violation{.check = "min_rate_vs_baseline_pct", .subject = c.subject(), .observed = *pct,
                            .threshold = limit, .unit = "%",
                            .detail = fmt::format("{:.1f}/s vs {:.1f}/s under {}", *c.rate_sched, *c.rate_base,
                                                  baseline_name(t))});
  }
  return out;
}

std::vector<Violation> check_gap_over_baseline(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!t.baseline || !th.max_gap_over_baseline_ms) return {};
  std::vector<Violation> out;
  for (const auto& c : pair_cells(t)) {
    if (c.gap_delta() <= *th.max_gap_over_baseline_ms) continue;
    out.push_back(Violation{.check = "max_gap_over_baseline_ms", .subject = c.subject(), .observed = c.gap_delta(),
                            .threshold = th.max_gap_over_baseline_ms, .unit = "ms",
                            .detail = fmt::format("worst gap {:.1f} ms vs {:.1f} ms under {}", c.gap_sched,
                                                  c.gap_base, baseline_name(t))});
  }
  return out;
}

}  // namespace ktstr::verdict
