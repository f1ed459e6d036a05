// Per-CPU lanes: which workers ran on each CPU over time, as spans that do
// not overlap, so each CPU can be one track of a trace (the Trace Event
// Format requires the complete events of one thread to nest). A worker's
// own runs never overlap, but two workers' runs on one CPU can: a coarsened
// run covers the gaps in which another worker ran there, and a run's ends
// are observations, not context switches. Such stretches become one span
// naming every worker seen on the CPU in it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::trace {

struct LaneSpan {
  uint64_t start_us = 0;          // relative to run start
  uint64_t end_us = 0;            // > start_us
  std::vector<size_t> records;    // indices into RunTelemetry::workers, ascending
};

struct CpuLane {
  int cpu = 0;
  std::vector<LaneSpan> spans;  // in time order, disjoint
};

// One lane per CPU that any placement run names, by CPU number. A run of a
// single observation (start == end) counts as 1 us. Adjacent spans with the
// same workers are joined.
std::vector<CpuLane> cpu_lanes(const RunTelemetry& t);

}  // namespace ktstr::trace
