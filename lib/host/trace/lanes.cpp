#include "host/trace/lanes.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace ktstr::trace {
namespace {

struct Edge {
  uint64_t t;
  bool opens;
  size_t record;
};

// Sweeps the edges of one CPU's runs in time order, keeping the set of
// records open between consecutive distinct times.
std::vector<LaneSpan> sweep(std::vector<Edge>& edges) {
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.t, a.opens, a.record) < std::tie(b.t, b.opens, b.record);  // closes first
  });
  std::map<size_t, int> open;  // record -> open runs (a record's runs never overlap, but be safe)
  std::vector<LaneSpan> out;
  for (size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    if (e.opens) ++open[e.record];
    else if (--open[e.record] == 0) open.erase(e.record);
    if (i + 1 == edges.size() || edges[i + 1].t == e.t || open.empty()) continue;
    LaneSpan span{.start_us = e.t, .end_us = edges[i + 1].t};
    for (const auto& [record, n] : open) span.records.push_back(record);
    if (!out.empty() && out.back().end_us == span.start_us && out.back().records == span.records)
      out.back().end_us = span.end_us;
    else
      out.push_back(std::move(span));
  }
  return out;
}

}  // namespace

std::vector<CpuLane> cpu_lanes(const RunTelemetry& t) {
  std::map<int, std::vector<Edge>> edges;
  for (size_t i = 0; i < t.workers.size(); ++i)
    for (const auto& r : t.workers[i].placement) {
      const uint64_t end = std::max(r.end_us, r.start_us + 1);
      edges[r.cpu].push_back({r.start_us, true, i});
      edges[r.cpu].push_back({end, false, i});
    }
  std::vector<CpuLane> out;
  for (auto& [cpu, e] : edges) out.push_back({.cpu = cpu, .spans = sweep(e)});
  return out;
}

}  // namespace ktstr::trace
