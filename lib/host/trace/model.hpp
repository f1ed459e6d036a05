// What the timeline renderers take besides the run's telemetry: a heading,
// marks (the verdict's violations, placed in time) and counter series. The
// trace library knows nothing of verdicts or sidecars (lib/host/verdict
// turns those into these), so anything that has a RunTelemetry can draw it.
#pragma once

#include <cstdint>
#include <string>
#include <span>
#include <utility>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::trace {

// The heading of a picture or trace.
struct Title {
  std::string test;        // test variant
  std::string scheduler;   // empty: the EEVDF baseline
  std::string topology;    // "1n2l2c1t"
  std::string outcome;     // "pass", "fail", "inconclusive", "skip"
  std::string kernel;      // kernel version, may be empty
};

// Something to point at: a violation and where in the run it happened.
struct Mark {
  std::string label;      // short, e.g. "gap cg0/w1 step 0"
  std::string detail;     // the full line, e.g. the formatted violation
  bool timed = false;     // false: no place in time (listed, not drawn)
  uint64_t start_ns = 0;  // relative to run start
  uint64_t end_ns = 0;    // == start_ns: an instant
};

// A named number over run time: one counter track. Progress rates come from
// progress_counters(); other sources (per-CPU samples) add their own.
struct CounterSeries {
  std::string group;  // tracks are grouped by this (one trace "process" each)
  std::string name;   // the track's name, e.g. "cg0/w1"
  std::string unit;   // the value's name, e.g. "iter/s"
  std::vector<std::pair<uint64_t, double>> points;  // (ns since run start, value), in time order
};

// "cg0/w1"; a worker of the test's root cgroup is "/w1".
std::string worker_name(const WorkerTelemetry& w);

// Where the run's time axis ends: the latest of duration, step ends,
// scheduler events, placement runs and marks; at least 1 ms.
uint64_t run_extent_ns(const RunTelemetry& t, std::span<const Mark> marks);

}  // namespace ktstr::trace
