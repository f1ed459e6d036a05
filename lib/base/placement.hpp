// Where a worker ran, as run-length records of CPU placement, and the one
// rule that makes them fit a fixed size. The guest records them online into
// a fixed array (guest/placement_log.hpp), the telemetry codec shrinks them
// further when a frame would exceed its budget, and the host draws them
// (lib/host/trace). Both shrinking steps use coarsen_runs(), so a picture's
// error is always the same, stated quantity: misattributed time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ktstr {

// One stretch of time a worker was seen running on one CPU: consecutive
// progress observations on `cpu` with no gap longer than kPlacementGapUs.
// Times are microseconds relative to run start (the guest's CLOCK_MONOTONIC,
// like every other telemetry time). Serialised as [start_us, end_us, cpu, units].
struct CpuRun {
  uint64_t start_us = 0;  // first observation
  uint64_t end_us = 0;    // last observation (== start_us for a single one)
  uint64_t units = 0;     // work units completed in it
  int cpu = -1;
};

// At most this many runs per worker per step; the guest halves a full log.
inline constexpr size_t kMaxCpuRuns = 128;

// A pause between two observations on the same CPU longer than this ends a
// run: the worker was off that CPU (preempted, blocked or sleeping). A spin
// unit takes about 1 us under KVM and tens of us under TCG, so 100 us is
// several units of silence, and still below EEVDF's 0.75 ms minimum slice.
inline constexpr uint64_t kPlacementGapUs = 100;

// The time a merge of adjacent runs a, b would show wrongly: the gap between
// them (shown as running) and, when they were on different CPUs, the shorter
// run (shown on the longer run's CPU).
uint64_t merge_cost(const CpuRun& a, const CpuRun& b);

// Merges adjacent runs, each time the pair with the smallest merge_cost
// (the earliest on ties), until at most `target` remain in runs[0..result).
// Adds the misattributed time to `merged_us`. Runs must be in time order;
// target 0 drops them all.
size_t coarsen_runs(std::span<CpuRun> runs, size_t target, uint64_t& merged_us);

// The same for a vector, which is resized to the result.
void coarsen_runs(std::vector<CpuRun>& runs, size_t target, uint64_t& merged_us);

void to_json(nlohmann::json& j, const CpuRun& r);
void from_json(const nlohmann::json& j, CpuRun& r);

}  // namespace ktstr
