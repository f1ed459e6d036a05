// A worker's CPU placement during one step, recorded online into fixed
// space so it can live in the MAP_SHARED worker slot (no allocation, no
// pointers; all-zero is the empty log). Single writer: the worker. The
// runner reads it while the worker may still be writing, so snapshot()
// keeps only a consistent, time-ordered prefix.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "base/placement.hpp"

namespace ktstr::guest {

struct PlacementLog {
  uint32_t count = 0;
  uint64_t merged_us = 0;  // misattributed by halving (coarsen_runs)
  std::array<CpuRun, kMaxCpuRuns> runs{};

  // Empties the log for a new step (the array keeps its stale contents).
  void begin() {
    count = 0;
    merged_us = 0;
  }
  // One progress observation: extends the last run when it is on the same
  // CPU and at most kPlacementGapUs old, else starts a run; a full log is
  // first halved with coarsen_runs. A time before the last run's end (a
  // clock read on another CPU) counts as that end, so runs never overlap.
  void observe(uint64_t now_ns, int cpu, uint64_t units);
  // The runs with times relative to base_ns (the run start), dropping any
  // the concurrent writer left inconsistent.
  [[nodiscard]] std::vector<CpuRun> snapshot(uint64_t base_ns) const;
};

}  // namespace ktstr::guest
