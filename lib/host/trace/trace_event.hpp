// The run as a Chrome/Perfetto trace: Trace Event Format, JSON Object Format
// ("Trace Event Format", Google, the document linked from
// https://perfetto.dev/docs/getting-started/other-formats). Opens in
// ui.perfetto.dev and chrome://tracing. Timestamps are microseconds since
// run start. Tracks (lib/host/trace/README.md has the table):
//   process 1 "vCPUs": one thread per vCPU ("vCPU N", tid N+1), complete
//     events (X) naming the worker(s) seen there (cpu_lanes);
//   process 2 "scenario": "steps" (tid 100.., X per step, args: ops),
//     "scheduler" (tid 1, instant events i: started, enabled, ejected with
//     the kernel's reason, died), "verdict" (tid 200.., the marks: X, or i
//     for an instant), as many threads of each as keep their events disjoint;
//   process 10.. one per counter group: counter events (C), one track per
//     series (the progress rates, and whatever else the caller passes).
#pragma once

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"

namespace ktstr::trace {

// The trace document: {"traceEvents": [...], "displayTimeUnit": "ms",
// "otherData": {heading}}. Counter series are written as given.
nlohmann::json trace_document(const RunTelemetry& t, const Title& title, std::span<const Mark> marks,
                              std::span<const CounterSeries> counters);

// trace_document() with the progress counters of t appended to `extra`,
// serialised compactly (one line).
std::string trace_json(const RunTelemetry& t, const Title& title, std::span<const Mark> marks,
                       std::span<const CounterSeries> extra = {});

}  // namespace ktstr::trace
