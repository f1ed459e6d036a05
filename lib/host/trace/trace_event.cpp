#include "host/trace/trace_event.hpp"

#include <map>

#include <fmt/format.h>

#include "host/trace/counters.hpp"
#include "host/trace/lanes.hpp"
#include "host/trace/tracks.hpp"

namespace ktstr::trace {
namespace {

using nlohmann::json;

constexpr int kCpuPid = 1, kScenarioPid = 2, kFirstCounterPid = 10;
constexpr int kSchedulerTid = 1, kFirstStepsTid = 100, kFirstVerdictTid = 200;

double us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

// Metadata events (ph M) naming and ordering a process, or a thread of it.
void name_process(json& ev, int pid, const std::string& name, int sort) {
  ev.push_back({{"ph", "M"}, {"name", "process_name"}, {"pid", pid}, {"args", {{"name", name}}}});
  ev.push_back({{"ph", "M"}, {"name", "process_sort_index"}, {"pid", pid}, {"args", {{"sort_index", sort}}}});
}
void name_thread(json& ev, int pid, int tid, const std::string& name, int sort) {
  ev.push_back({{"ph", "M"}, {"name", "thread_name"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}});
  ev.push_back(
      {{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", pid}, {"tid", tid}, {"args", {{"sort_index", sort}}}});
}

// One thread per vCPU; one complete event per span of its lane.
void add_cpus(json& ev, const RunTelemetry& t) {
  name_process(ev, kCpuPid, "vCPUs", 0);
  for (const auto& lane : cpu_lanes(t)) {
    const int tid = lane.cpu + 1;
    name_thread(ev, kCpuPid, tid, fmt::format("vCPU {}", lane.cpu), lane.cpu);
    for (const auto& span : lane.spans) {
      json workers = json::array(), steps = json::array();
      std::string name;
      for (size_t r : span.records) {
        const auto& w = t.workers[r];
        name += (name.empty() ? "" : " + ") + worker_name(w);
        workers.push_back(worker_name(w));
        steps.push_back(w.step);
      }
      ev.push_back({{"ph", "X"}, {"cat", "placement"}, {"name", name}, {"pid", kCpuPid}, {"tid", tid},
                    {"ts", span.start_us}, {"dur", span.end_us - span.start_us},
                    {"args", {{"workers", workers}, {"steps", steps}}}});
    }
  }
}

// Events with their spans: placed on threads tid_base, tid_base + 1, ...
// (named "name", "name 2", ...) so that the spans on one thread are disjoint.
struct SpanEvent {
  uint64_t start_ns, end_ns;
  json event;  // without ph/ts/dur/pid/tid
};
void add_on_threads(json& ev, int tid_base, int sort_base, const std::string& name, std::vector<SpanEvent> items) {
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& it : items) spans.emplace_back(it.start_ns, std::max(it.start_ns, it.end_ns));
  const auto track = assign_tracks(spans);
  int threads = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    json e = std::move(items[i].event);
    e["pid"] = kScenarioPid, e["tid"] = tid_base + track[i], e["ts"] = us(spans[i].first);
    if (spans[i].second > spans[i].first) e["ph"] = "X", e["dur"] = us(spans[i].second - spans[i].first);
    else e["ph"] = "i", e["s"] = "t";
    ev.push_back(std::move(e));
    threads = std::max(threads, track[i] + 1);
  }
  for (int k = 0; k < threads; ++k)
    name_thread(ev, kScenarioPid, tid_base + k, k == 0 ? name : fmt::format("{} {}", name, k + 1), sort_base + k);
}

std::vector<SpanEvent> step_events(const RunTelemetry& t) {
  std::vector<SpanEvent> out;
  for (const auto& s : t.steps)
    out.push_back({s.start_ns, s.end_ns,
                   {{"cat", "step"}, {"name", fmt::format("step {} {}", s.index, s.name)}, {"args", {{"ops", s.ops}}}}});
  return out;
}

std::vector<SpanEvent> mark_events(std::span<const Mark> marks) {
  std::vector<SpanEvent> out;
  for (const auto& m : marks)
    if (m.timed)
      out.push_back({m.start_ns, m.end_ns, {{"cat", "verdict"}, {"name", m.label}, {"args", {{"detail", m.detail}}}}});
  return out;
}

void add_scheduler_events(json& ev, const RunTelemetry& t) {
  name_thread(ev, kScenarioPid, kSchedulerTid, "scheduler", 100);
  for (const auto& e : t.scheduler.events)
    ev.push_back({{"ph", "i"}, {"s", "t"}, {"cat", "scheduler"}, {"name", "scheduler " + e.kind},
                  {"pid", kScenarioPid}, {"tid", kSchedulerTid}, {"ts", us(e.t_ns)},
                  {"args", {{"detail", e.detail}}}});
}

// Steps, scheduler events and the verdict's marks, in that order.
void add_scenario(json& ev, const RunTelemetry& t, std::span<const Mark> marks) {
  name_process(ev, kScenarioPid, "scenario", 1);
  add_on_threads(ev, kFirstStepsTid, 0, "steps", step_events(t));
  add_scheduler_events(ev, t);
  add_on_threads(ev, kFirstVerdictTid, 200, "verdict", mark_events(marks));
}

void add_counters(json& ev, std::span<const CounterSeries> series) {
  std::map<std::string, int> pids;
  for (const auto& s : series) {
    auto [it, fresh] = pids.try_emplace(s.group, kFirstCounterPid + static_cast<int>(pids.size()));
    if (fresh) name_process(ev, it->second, s.group, it->second);
    for (const auto& [t_ns, v] : s.points)
      ev.push_back({{"ph", "C"}, {"cat", s.group}, {"name", s.name}, {"pid", it->second}, {"ts", us(t_ns)},
                    {"args", {{s.unit.empty() ? "value" : s.unit, v}}}});
  }
}

}  // namespace

json trace_document(const RunTelemetry& t, const Title& title, std::span<const Mark> marks,
                    std::span<const CounterSeries> counters) {
  json ev = json::array();
  add_cpus(ev, t);
  add_scenario(ev, t, marks);
  add_counters(ev, counters);
  return {{"traceEvents", std::move(ev)},
          {"displayTimeUnit", "ms"},
          {"otherData",
           {{"generator", "ktstr"}, {"test", title.test}, {"scheduler", title.scheduler.empty() ? "eevdf" : title.scheduler},
            {"topology", title.topology}, {"outcome", title.outcome}, {"kernel", title.kernel}}}};
}

std::string trace_json(const RunTelemetry& t, const Title& title, std::span<const Mark> marks,
                       std::span<const CounterSeries> extra) {
  auto counters = progress_counters(t, run_extent_ns(t, marks));
  counters.insert(counters.end(), extra.begin(), extra.end());
  // Invalid UTF-8 (say, in a kernel message) becomes U+FFFD rather than an exception.
  return trace_document(t, title, marks, counters).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ktstr::trace
