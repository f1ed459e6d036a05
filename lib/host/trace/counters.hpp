// Progress over time, per worker, from the placement runs' work units:
// a starved worker's rate visibly drops to zero where it happened, which
// the per-step totals of the telemetry cannot show.
#pragma once

#include <vector>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"

namespace ktstr::trace {

// At most this many bins per series.
inline constexpr uint64_t kProgressBins = 200;

// The bin width for a run of extent_ns: extent / kProgressBins rounded up
// to a whole millisecond, at least 10 ms.
uint64_t progress_bin_ns(uint64_t extent_ns);

// One series per worker (by pid, in first-record order), group "progress",
// unit "iter/s": the work units of its runs spread evenly over each run's
// time and summed per bin, divided by the bin width. Bins run from the
// worker's first run to its last (0 where it did not run); equal neighbours
// are joined, and a final 0 closes the series. Workers without placement
// have no series.
std::vector<CounterSeries> progress_counters(const RunTelemetry& t, uint64_t extent_ns);

}  // namespace ktstr::trace
