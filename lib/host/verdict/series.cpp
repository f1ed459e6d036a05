#include "host/verdict/series.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

namespace ktstr::verdict {
namespace {

uint64_t metric_of(const WorkerSample& w, const std::string& metric) {
  if (metric == "cpu_ns") return w.cpu_ns;
  if (metric == "runq_wait_ns") return w.runq_wait_ns;
  if (metric == "migrations") return w.migrations;
  return w.iterations;
}

double seconds_at(const SnapshotTelemetry& s) { return static_cast<double>(s.t_ns + s.read_ns / 2) / 1e9; }

// The snapshots a series reads, in time order. Rates and shares skip a
// snapshot less than kMinSnapshotIntervalNs after the last one kept.
std::vector<const SnapshotTelemetry*> kept_snapshots(const RunTelemetry& t, bool intervals) {
  std::vector<const SnapshotTelemetry*> out;
  for (const auto& s : t.snapshots)
    if (!intervals || out.empty() || s.t_ns >= out.back()->t_ns + kMinSnapshotIntervalNs) out.push_back(&s);
  return out;
}

// Who a series is about: a cgroup's workers (pid 0) or one worker.
struct Subject {
  std::string label;
  std::string cgroup;
  int pid = 0;
};

std::vector<Subject> subjects(const RunTelemetry& t, const TemporalAssertion& a) {
  std::vector<Subject> out;
  if (!a.per_worker && !a.cgroup.empty()) return {{.label = a.cgroup, .cgroup = a.cgroup}};
  std::set<std::string> cgroups;
  std::set<int> pids;
  for (const auto& s : t.snapshots)
    for (const auto& w : s.workers) {
      if (!a.cgroup.empty() && !in_subtree(w.cgroup, a.cgroup)) continue;
      if (!a.per_worker && cgroups.insert(w.cgroup).second)
        out.push_back({.label = w.cgroup.empty() ? "/" : w.cgroup, .cgroup = w.cgroup});
      if (a.per_worker && pids.insert(w.pid).second)
        out.push_back({.label = fmt::format("{}/w{}", w.cgroup.empty() ? "/" : w.cgroup, w.worker), .cgroup = w.cgroup,
                       .pid = w.pid});
    }
  std::sort(out.begin(), out.end(), [](const Subject& x, const Subject& y) { return x.label < y.label; });
  return out;
}

bool member(const WorkerSample& w, const Subject& s, const TemporalAssertion& a) {
  if (a.per_worker) return w.pid == s.pid;
  return a.cgroup.empty() ? w.cgroup == s.cgroup : in_subtree(w.cgroup, a.cgroup);
}

// The metric's growth of every worker sampled at `at` since `prev` (keyed
// by pid): a worker absent there was released since, so it grew from 0; one
// whose counter went backwards is a reused pid and counts from 0 too.
std::map<int, double> growth(const SnapshotTelemetry& prev, const SnapshotTelemetry& at, const std::string& metric) {
  std::map<int, uint64_t> before;
  for (const auto& w : prev.workers) before[w.pid] = metric_of(w, metric);
  std::map<int, double> out;
  for (const auto& w : at.workers) {
    const uint64_t now = metric_of(w, metric);
    auto it = before.find(w.pid);
    const uint64_t base = it != before.end() && it->second <= now ? it->second : 0;
    out[w.pid] = static_cast<double>(now - base);
  }
  return out;
}

bool in_step(const RunTelemetry& t, const TemporalAssertion& a, int step) {
  if (a.step) return step == *a.step;
  if (a.step_name.empty()) return true;
  for (const auto& s : t.steps)
    if (s.index == step && s.name == a.step_name) return true;
  return false;
}

// The point of subject at snapshot k of `kept`, if it has one.
std::optional<SeriesPoint> point_at(const std::vector<const SnapshotTelemetry*>& kept, size_t k, const Subject& subject,
                                    const TemporalAssertion& a) {
  const SnapshotTelemetry& at = *kept[k];
  SeriesPoint p{.snapshot = at.name, .step = at.step, .start_s = seconds_at(at), .t_s = seconds_at(at)};
  bool sampled = false;
  if (a.of == "value") {
    for (const auto& w : at.workers)
      if (member(w, subject, a)) sampled = true, p.value += static_cast<double>(metric_of(w, a.metric));
    return sampled ? std::optional(p) : std::nullopt;
  }
  if (k == 0) return std::nullopt;
  p.start_s = seconds_at(*kept[k - 1]);
  const auto grown = growth(*kept[k - 1], at, a.metric);
  double mine = 0, all = 0;
  for (const auto& w : at.workers) {
    const double g = grown.at(w.pid);
    all += g;
    if (member(w, subject, a)) sampled = true, mine += g;
  }
  if (!sampled || p.t_s <= p.start_s) return std::nullopt;
  if (a.of == "rate") p.value = mine / (p.t_s - p.start_s);
  else if (all > 0) p.value = 100.0 * mine / all;
  else return std::nullopt;
  return p;
}

}  // namespace

std::vector<Series> build_series(const RunTelemetry& t, const TemporalAssertion& a) {
  const auto kept = kept_snapshots(t, a.of != "value");
  std::vector<Series> out;
  for (const auto& subject : subjects(t, a)) {
    Series s{.subject = subject.label, .cgroup = subject.cgroup};
    for (size_t k = 0; k < kept.size(); ++k)
      if (auto p = point_at(kept, k, subject, a); p && in_step(t, a, p->step)) s.points.push_back(std::move(*p));
    bool sampled = false;
    for (const auto* snap : kept)
      for (const auto& w : snap->workers) sampled = sampled || member(w, subject, a);
    if (sampled) out.push_back(std::move(s));
  }
  return out;
}

std::string series_unit(const TemporalAssertion& a) {
  if (a.of == "share") return "%";
  const char* base = a.metric == "iterations" ? "iter" : a.metric == "migrations" ? "migr" : "ns";
  return a.of == "rate" ? fmt::format("{}/s", base) : std::string(base);
}

}  // namespace ktstr::verdict
