#include "host/verdict/timeline.hpp"

#include <fmt/format.h>

#include "base/fd.hpp"
#include "host/trace/svg_timeline.hpp"
#include "host/trace/trace_event.hpp"
#include "host/verdict/violation_marks.hpp"

namespace ktstr::verdict {

trace::Title timeline_title(const Sidecar& s) {
  return {.test = s.variant.empty() ? s.test : s.variant,
          .scheduler = s.scheduler.name,
          .topology = s.topology.empty() ? s.telemetry.topology : s.topology,
          .outcome = std::string(outcome_name(s.verdict.outcome)),
          .kernel = s.kernel.version.empty() ? s.kernel.key : s.kernel.version};
}

std::string timeline_svg(const Sidecar& s) {
  return trace::render_svg(s.telemetry, timeline_title(s), violation_marks(s.telemetry, s.verdict));
}

std::string timeline_trace(const Sidecar& s, std::span<const trace::CounterSeries> counters) {
  return trace::trace_json(s.telemetry, timeline_title(s), violation_marks(s.telemetry, s.verdict), counters);
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
