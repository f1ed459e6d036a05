#include "host/verdict/timeline.hpp"

#include <fmt/format.h>

#include "base/fd.hpp"
#include "host/trace/svg_timeline.hpp"
#include "host/trace/trace_event.hpp"
#include "host/verdict/ab_metrics.hpp"
#include "host/verdict/violation_marks.hpp"

namespace ktstr::verdict {

trace::Title timeline_title(const Sidecar& s) {
  return {.test = s.variant.empty() ? s.test : s.variant,
          .scheduler = s.scheduler.name,
          .topology = s.topology.empty() ? s.telemetry.topology : s.topology,
          .outcome = std::string(outcome_name(s.verdict.outcome)),
          .kernel = s.kernel.version.empty() ? s.kernel.key : s.kernel.version};
}

RunTelemetry timeline_run(const RunTelemetry& t) {
  if (!t.baseline) return t;
  RunTelemetry out = t;
  const auto& b = *t.baseline;
  const std::string name = baseline_name(t);
  out.steps = b.steps;
  for (auto& st : out.steps) st.name = fmt::format("{} under {}", st.name, name);
  out.steps.insert(out.steps.end(), t.steps.begin(), t.steps.end());
  out.cgroups.insert(out.cgroups.end(), b.cgroups.begin(), b.cgroups.end());
  out.workers.insert(out.workers.end(), b.workers.begin(), b.workers.end());
  out.scheduler.events = b.scheduler.events;
  for (auto& e : out.scheduler.events)
    e.detail = e.detail.empty() ? fmt::format("baseline {}", name) : fmt::format("baseline {}: {}", name, e.detail);
  out.scheduler.events.insert(out.scheduler.events.end(), t.scheduler.events.begin(), t.scheduler.events.end());
  out.baseline.reset();
  return out;
}

std::string timeline_svg(const Sidecar& s) {
  return trace::render_svg(timeline_run(s.telemetry), timeline_title(s), violation_marks(s.telemetry, s.verdict));
}

// The host-side monitor's samples, one counter group per CPU ("monitor cpu0").
std::vector<trace::CounterSeries> monitor_series(const Sidecar& s) {
  std::vector<trace::CounterSeries> out;
  for (auto& c : monitor_counters(s.facts.monitor, s.telemetry.duration_ns))
    out.push_back({.group = "monitor " + c.cpu,
                   .name = c.name,
                   .unit = c.name.ends_with("_ms") ? "ms" : "tasks",
                   .points = std::move(c.points)});
  return out;
}

std::string timeline_trace(const Sidecar& s, std::span<const trace::CounterSeries> counters) {
  auto all = monitor_series(s);
  all.insert(all.end(), counters.begin(), counters.end());
  return trace::trace_json(timeline_run(s.telemetry), timeline_title(s), violation_marks(s.telemetry, s.verdict), all);
}

std::string timeline_html(const Sidecar& s) {
  const auto title = timeline_title(s);
  return trace::wrap_html(timeline_svg(s), fmt::format("ktstr timeline: {} ({})", title.test, title.outcome));
}

Result<void> write_timeline(const Sidecar& s, const TimelinePaths& paths) {
  KTSTR_TRY_CTX(write_file_atomic(paths.trace, timeline_trace(s)), "writing trace {}", paths.trace.string());
  KTSTR_TRY_CTX(write_file_atomic(paths.svg, timeline_svg(s)), "writing timeline {}", paths.svg.string());
  return {};
}

}  // namespace ktstr::verdict
