#include "host/verdict/ab_metrics.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {

RunTelemetry baseline_view(const RunTelemetry& t) {
  RunTelemetry v{.test = t.test, .topology = t.topology, .vcpus = t.vcpus, .debug_kernel = t.debug_kernel};
  if (!t.baseline) return v;
  v.steps = t.baseline->steps;
  v.cgroups = t.baseline->cgroups;
  v.workers = t.baseline->workers;
  v.scheduler = t.baseline->scheduler;
  v.duration_ns = t.baseline->end_ns - t.baseline->start_ns;
  return v;
}

std::string baseline_name(const RunTelemetry& t) {
  if (!t.baseline) return "";
  return t.baseline->name.empty() ? std::string("eevdf") : t.baseline->name;
}

std::optional<double> CellPair::spread_delta() const {
  if (!spread_ref || !spread_sched) return std::nullopt;
  return *spread_sched - *spread_ref;
}

std::optional<double> CellPair::rate_pct() const {
  if (!rate_base || !rate_sched || *rate_base <= 0) return std::nullopt;
  return 100.0 * *rate_sched / *rate_base;
}

std::optional<double> CellPair::share_pct() const {
  if (!share_base || !share_sched || *share_base <= 0) return std::nullopt;
  return 100.0 * *share_sched / *share_base;
}

std::string CellPair::subject() const { return fmt::format("{} step {}", cgroup.empty() ? "/" : cgroup, step); }

namespace {

// One phase's figures of a cell; nullopt when no worker was measured.
struct CellFigures {
  std::optional<double> spread, rate, share;
  double total_rate = 0;  // sum of the workers' rates
  double gap = 0;
};

std::optional<CellFigures> figures(const WorkerGroup& g) {
  CellFigures f;
  double rate_sum = 0;
  int rates = 0;
  for (const auto* w : g.workers) {
    if (auto r = iteration_rate(*w)) rate_sum += *r, ++rates;
    f.gap = std::max(f.gap, gap_ms(*w));
  }
  if (rates == 0) return std::nullopt;
  f.total_rate = rate_sum;
  f.rate = rate_sum / rates;
  if (auto s = spread(g)) f.spread = s->pp;
  return f;
}

std::map<std::pair<int, std::string>, CellFigures> cells_of(const RunTelemetry& t) {
  std::map<std::pair<int, std::string>, CellFigures> out;
  std::map<int, std::pair<double, int>> steps;  // step -> (sum of rates, cells)
  for (const auto& g : group_workers(t)) {
    auto f = figures(g);
    if (!f) continue;
    auto& [sum, n] = steps[g.step];
    sum += f->total_rate, ++n;
    out.emplace(std::pair{g.step, g.cgroup}, *f);
  }
  for (auto& [key, f] : out)
    if (const auto& [sum, n] = steps[key.first]; n > 1 && sum > 0) f.share = f.total_rate / sum;
  return out;
}

}  // namespace

std::vector<CellPair> pair_cells(const RunTelemetry& t) {
  std::vector<CellPair> out;
  if (!t.baseline) return out;
  auto base = cells_of(baseline_view(t));
  std::optional<double> worst_base;
  for (const auto& [key, b] : base)
    if (b.spread && (!worst_base || *b.spread > *worst_base)) worst_base = b.spread;
  for (const auto& [key, s] : cells_of(t)) {
    auto it = base.find(key);
    if (it == base.end()) continue;
    const auto& b = it->second;
    out.push_back(CellPair{.cgroup = key.second, .step = key.first, .spread_base = b.spread, .spread_sched = s.spread,
                           .spread_ref = worst_base,
                           .rate_base = b.rate, .rate_sched = s.rate, .share_base = b.share,
                           .share_sched = s.share, .gap_base = b.gap, .gap_sched = s.gap});
  }
  return out;
}

AbSummary summarize_ab(const std::vector<CellPair>& cells) {
  AbSummary s;
  for (const auto& c : cells) {
    if (auto d = c.spread_delta(); d && (!s.worst_spread_delta_pp || *d > *s.worst_spread_delta_pp))
      s.worst_spread_delta_pp = d, s.worst_spread_at = c.subject();
    if (auto r = c.rate_pct(); r && (!s.min_rate_pct || *r < *s.min_rate_pct))
      s.min_rate_pct = r, s.min_rate_at = c.subject();
    if (auto r = c.share_pct(); r && (!s.min_share_pct || *r < *s.min_share_pct))
      s.min_share_pct = r, s.min_share_at = c.subject();
    if (!s.worst_gap_delta_ms || c.gap_delta() > *s.worst_gap_delta_ms)
      s.worst_gap_delta_ms = c.gap_delta(), s.worst_gap_at = c.subject();
  }
  return s;
}

}  // namespace ktstr::verdict
