// Plays a Scenario: creates cgroups and workers, applies ops, holds each
// step, and records per-step telemetry. Ends a step early when the
// scheduler fails or the host asks to stop.
#pragma once

#include <functional>

#include "base/telemetry.hpp"
#include "guest/cgroup.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/scenario.hpp"
#include "guest/scheduler.hpp"

namespace ktstr::guest {

struct RunContext {
  const CpuLayout* layout = nullptr;
  const CgroupManager* cgroups = nullptr;
  SchedulerRunner* scheduler = nullptr;     // nullptr: EEVDF baseline
  uint64_t duration_ns = 0;                 // the test duration holds are fractions of
  uint64_t run_start_ns = 0;                // CLOCK_MONOTONIC origin of telemetry times
  std::function<bool()> stop_requested;     // polled during holds (host control); may be empty
};

// Runs s, appending steps, cgroups and workers to out. Errors are
// infrastructure failures (a cgroup write failed, a spec did not resolve);
// a failing scheduler is not an error: it ends the run early and shows in
// out.scheduler.
Result<void> run_scenario(const Scenario& s, const RunContext& ctx, RunTelemetry& out);

}  // namespace ktstr::guest
