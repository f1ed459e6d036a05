// The timeline of a recorded run, next to its sidecar: a Chrome/Perfetto
// trace (<stem>.trace.json) and an SVG picture (<stem>.svg), optionally an
// HTML page embedding the picture. Built from the sidecar alone, so
// finalize_run and `ktstr show` (old and replayed runs) draw the same thing.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "base/error.hpp"
#include "host/trace/model.hpp"
#include "host/verdict/sidecar.hpp"

namespace ktstr::verdict {

// The heading: variant, scheduler, topology, outcome, kernel version.
trace::Title timeline_title(const Sidecar& s);

// What the timeline draws: the run's telemetry and, for an A/B run, its
// baseline phase on the same time axis (it ran first, in the same VM): the
// baseline's steps named "NAME under BASELINE", its workers' placement and a
// sched_ext baseline's events (detail prefixed "baseline NAME"). Violation
// marks still come from the run's own telemetry: they judge the scheduler.
RunTelemetry timeline_run(const RunTelemetry& t);

// The picture, the trace (with the progress counters, the host-side
// monitor's per-CPU samples and `counters`) and the HTML page, with the
// sidecar's verdict marked.
std::string timeline_svg(const Sidecar& s);
std::string timeline_trace(const Sidecar& s, std::span<const trace::CounterSeries> counters = {});
std::string timeline_html(const Sidecar& s);

// Writes the trace and the picture (atomically, each) to paths
// (timeline_paths(sidecar) for a run's own files).
Result<void> write_timeline(const Sidecar& s, const TimelinePaths& paths);

}  // namespace ktstr::verdict
