// The temporal assertions: each series judged by its kind, the first point
// that broke it named in the violation (README "Temporal assertions").
#include <cmath>

#include <fmt/format.h>

#include "host/verdict/checks.hpp"
#include "host/verdict/series.hpp"

namespace ktstr::verdict {
namespace {

using Points = std::vector<SeriesPoint>;

// Records point i breaking the assertion with `observed` against `limit`.
void broke(SeriesJudgement& j, size_t i, double observed, double limit) {
  ++j.broken;
  if (j.first) return;
  j.first = i;
  j.observed = observed;
  j.limit = limit;
}

SeriesJudgement nondecreasing(const Points& p, const TemporalAssertion& a) {
  SeriesJudgement j;
  if (p.size() < 2) return {.why_not = fmt::format("{} point(s), nondecreasing needs 2", p.size())};
  for (size_t i = 1; i < p.size(); ++i, ++j.judged) {
    const double floor = p[i - 1].value * (1 - a.slack_pct / 100);
    if (p[i].value < floor) broke(j, i, p[i].value, floor);
  }
  return j;
}

SeriesJudgement within(const Points& p, const TemporalAssertion& a) {
  SeriesJudgement j;
  if (p.empty()) return {.why_not = "no points"};
  for (size_t i = 0; i < p.size(); ++i, ++j.judged) {
    if (a.min && p[i].value < *a.min) broke(j, i, p[i].value, *a.min);
    else if (a.max && p[i].value > *a.max) broke(j, i, p[i].value, *a.max);
  }
  return j;
}

SeriesJudgement steady(const Points& p, const TemporalAssertion& a) {
  SeriesJudgement j;
  if (p.size() < 2) return {.why_not = fmt::format("{} point(s), steady needs 2", p.size())};
  double mean = 0;
  for (const auto& x : p) mean += x.value;
  mean /= static_cast<double>(p.size());
  for (size_t i = 0; i < p.size(); ++i, ++j.judged) {
    const double dev = mean == 0 ? 0 : 100 * std::fabs(p[i].value - mean) / std::fabs(mean);
    if (dev > *a.pct) broke(j, i, dev, *a.pct);
  }
  return j;
}

SeriesJudgement converges(const Points& p, const TemporalAssertion& a, double origin_s) {
  SeriesJudgement j;
  const double target = a.value.value_or(0), tol = std::fabs(target) * a.tolerance_pct / 100;
  const double from = origin_s + a.window_ms / 1e3;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].start_s < from) continue;  // the interval began inside the window
    ++j.judged;
    if (p[i].value < target - tol) broke(j, i, p[i].value, target - tol);
    else if (p[i].value > target + tol) broke(j, i, p[i].value, target + tol);
  }
  if (j.judged == 0)
    return {.why_not = fmt::format("no point starts after the window ({:.3f} s); the series ends at {:.3f} s", from,
                                   p.empty() ? origin_s : p.back().t_s)};
  return j;
}

// Where a converges window starts: the filtered step's start, else the first point's interval start.
double origin_of(const RunTelemetry& t, const TemporalAssertion& a, const Points& p) {
  for (const auto& s : t.steps)
    if ((a.step && s.index == *a.step) || (!a.step_name.empty() && s.name == a.step_name))
      return static_cast<double>(s.start_ns) / 1e9;
  return p.empty() ? 0 : p.front().start_s;
}

Violation unjudged(const TemporalAssertion& a, std::string subject, std::string why) {
  return Violation{.check = "temporal", .subject = std::move(subject),
                   .detail = fmt::format("{}: not judged: {}", describe(a), why), .severity = Outcome::kInconclusive};
}

Violation failed(const TemporalAssertion& a, const Series& s, const SeriesJudgement& j) {
  const SeriesPoint& p = s.points[*j.first];
  const std::string at = a.of == "value" ? fmt::format("{:.3f} s", p.t_s)
                                         : fmt::format("interval {:.3f}-{:.3f} s", p.start_s, p.t_s);
  return Violation{.check = "temporal",
                   .subject = fmt::format("{} step {}", s.subject, p.step),
                   .observed = j.observed,
                   .threshold = j.limit,
                   .unit = a.kind == "steady" ? "% off mean" : series_unit(a),
                   .detail = fmt::format("{}: broke at snapshot '{}' ({}); {} of {} points broke", describe(a),
                                         p.snapshot, at, j.broken, j.judged)};
}

}  // namespace

SeriesJudgement judge_series(const std::vector<SeriesPoint>& points, const TemporalAssertion& a, double origin_s) {
  if (a.kind == "nondecreasing") return nondecreasing(points, a);
  if (a.kind == "within") return within(points, a);
  if (a.kind == "steady") return steady(points, a);
  return converges(points, a, origin_s);
}

std::vector<Violation> check_temporal(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  if (!th.temporal) return {};
  std::vector<Violation> out;
  for (const auto& a : *th.temporal) {
    const auto all = build_series(t, a);
    const std::string who = a.cgroup.empty() ? "/" : a.cgroup;
    if (all.empty()) {
      out.push_back(unjudged(a, who, t.snapshots.empty()
                                         ? "the run took no snapshots (Scenario::snapshots_per_step, Op::snapshot)"
                                         : fmt::format("no worker of {} in its {} snapshots", who, t.snapshots.size())));
      continue;
    }
    for (const auto& s : all) {
      const auto j = judge_series(s.points, a, origin_of(t, a, s.points));
      if (!j.why_not.empty()) out.push_back(unjudged(a, s.subject, j.why_not));
      else if (j.first) out.push_back(failed(a, s, j));
    }
  }
  return out;
}

}  // namespace ktstr::verdict
