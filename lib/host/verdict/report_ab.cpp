#include "host/verdict/report_ab.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "host/verdict/ab_metrics.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/run_stats.hpp"

namespace ktstr::verdict {

namespace {

using Row = std::array<std::string, 5>;  // cgroup, figure, baseline, scheduler, delta

std::string num(const std::optional<double>& v, const char* unit, int precision = 1) {
  return v ? fmt::format("{:.{}f}{}", *v, precision, unit) : std::string("n/a");
}

// Delta as the figure is judged: relative for rates, absolute otherwise.
std::string delta(const std::optional<double>& b, const std::optional<double>& s, bool relative, const char* unit) {
  if (!b || !s) return "n/a";
  if (relative) return *b > 0 ? fmt::format("{:+.1f}%", 100.0 * (*s - *b) / *b) : std::string("n/a");
  return fmt::format("{:+.1f}{}", *s - *b, unit);
}

void add_cgroup_rows(std::vector<Row>& rows, const CgroupStats& b, const CgroupStats& s) {
  const auto name = cgroup_display(s.name);
  auto add = [&](const char* figure, const std::optional<double>& vb, const std::optional<double>& vs,
                 const char* unit, bool relative, int precision = 1) {
    if (!vb && !vs) return;
    rows.push_back({name, figure, num(vb, unit, precision), num(vs, unit, precision), delta(vb, vs, relative, unit)});
  };
  add("iter_rate", b.mean_iteration_rate, s.mean_iteration_rate, "/s", true);
  add("spread", b.worst_spread_pp, s.worst_spread_pp, " pp", false);
  add("gap", b.worst_gap_ms, s.worst_gap_ms, " ms", false);
  add("p99 wake", b.p99_wake_us, s.p99_wake_us, " us", false);
  add("migrations", b.migrations_per_cpu_s, s.migrations_per_cpu_s, "/cpu-s", false, 2);
}

std::string render(const std::vector<Row>& rows) {
  std::array<size_t, 5> width{};
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line = fmt::format("  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:>{}}", r[0], width[0], r[1], width[1], r[2],
                                   width[2], r[3], width[3], r[4], width[4]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string format_ab_table(const RunTelemetry& t) {
  if (!t.baseline) return {};
  const auto base = compute_stats(baseline_view(t));
  const auto sched = compute_stats(t);
  std::vector<Row> rows{{"cgroup", "figure", "baseline", "scheduler", "delta"}};
  for (const auto& s : sched.cgroups) {
    auto it = std::find_if(base.cgroups.begin(), base.cgroups.end(), [&](const auto& b) { return b.name == s.name; });
    if (it != base.cgroups.end()) add_cgroup_rows(rows, *it, s);
  }
  std::string out = fmt::format("--- A/B: baseline {} | scheduler {} ---\n", baseline_name(t),
                                t.scheduler.name.empty() ? "eevdf" : t.scheduler.name);
  out += render(rows);
  const auto ab = summarize_ab(pair_cells(t));
  auto at = [](const std::string& where) { return where.empty() ? std::string() : " (" + where + ")"; };
  out += fmt::format(
      "  worst cell: spread over baseline {}{}, share vs baseline {}{}, rate vs baseline {}{}, gap over baseline {}{}\n",
      num(ab.worst_spread_delta_pp, " pp"), at(ab.worst_spread_at), num(ab.min_share_pct, "%"), at(ab.min_share_at),
      num(ab.min_rate_pct, "%"), at(ab.min_rate_at), num(ab.worst_gap_delta_ms, " ms"), at(ab.worst_gap_at));
  return out;
}

std::vector<TimelineRow> ab_timeline_rows(const RunTelemetry& t) {
  std::vector<TimelineRow> rows;
  if (!t.baseline) return rows;
  const auto& b = *t.baseline;
  const std::string who = fmt::format("baseline {}", baseline_name(t));
  for (const auto& st : b.steps)
    rows.push_back({st.start_ns, fmt::format("{:8.3f}s {} step {} '{}' until {:.3f}s", st.start_ns / 1e9, who,
                                             st.index, st.name, st.end_ns / 1e9)});
  for (const auto& e : b.scheduler.events)
    rows.push_back({e.t_ns, fmt::format("{:8.3f}s {} scheduler {}", e.t_ns / 1e9, who, labelled(e.kind, e.detail))});
  rows.push_back({b.end_ns, fmt::format("{:8.3f}s {} phase ended", b.end_ns / 1e9, who)});
  return rows;
}

std::string format_ab_brief(const RunTelemetry& t) {
  if (!t.baseline) return {};
  const auto ab = summarize_ab(pair_cells(t));
  return fmt::format(", A/B vs {}: spread over baseline {}, share vs baseline {}", baseline_name(t),
                     ab.worst_spread_delta_pp ? fmt::format("{:+.1f} pp", *ab.worst_spread_delta_pp) : "n/a",
                     num(ab.min_share_pct, "%", 0));
}

}  // namespace ktstr::verdict
