// The formulas behind the checks and the stats, one function each, so the
// checks, the report, `ktstr stats` and CDash all compute a figure the same
// way. Every function is pure; an undefined value (no wall time, no samples)
// is nullopt, never a silent zero.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

// 100 * (1 - cpu_ns / wall_ns), clamped to [0, 100] (cpu time can exceed
// wall time by a tick of accounting skew). nullopt when wall_ns == 0.
std::optional<double> off_cpu_pct(const WorkerTelemetry& w);

// iterations / (wall_ns / 1e9). nullopt when wall_ns == 0.
std::optional<double> iteration_rate(const WorkerTelemetry& w);

// migrations / (cpu_ns / 1e9): migrations per second of CPU time. Chosen over
// migrations per iteration because an iteration's cost differs by work type
// (a spin loop vs a pipe round trip) while CPU time does not. nullopt when
// cpu_ns == 0.
std::optional<double> migrations_per_cpu_s(const WorkerTelemetry& w);

// max_gap_ns in milliseconds.
double gap_ms(const WorkerTelemetry& w);

// Nearest-rank percentile: the smallest sample such that at least p percent
// of samples are <= it, i.e. sorted[ceil(p/100 * n) - 1]. nullopt when empty.
std::optional<uint64_t> percentile_nearest_rank(std::span<const uint64_t> samples, double p);

// Population coefficient of variation, stddev / mean (stddev divides by n).
// nullopt with fewer than two values or a zero mean.
std::optional<double> coefficient_of_variation(std::span<const double> values);

// The workers of one cgroup during one step (possibly none).
struct WorkerGroup {
  std::string cgroup;
  int step = 0;
  std::vector<const WorkerTelemetry*> workers;
};

// Every (step, cgroup) pair named by a cgroup or a worker record, sorted by
// step then cgroup name. Pointers refer into t.
std::vector<WorkerGroup> group_workers(const RunTelemetry& t);

// The largest absolute difference in off-CPU percentage between two workers
// of a group, and the two workers. nullopt with fewer than two measured workers.
struct Spread {
  double pp = 0;
  const WorkerTelemetry* low = nullptr;   // least off-CPU
  const WorkerTelemetry* high = nullptr;  // most off-CPU
};
std::optional<Spread> spread(const WorkerGroup& g);

// "cg0/w1 step 0" (the root cgroup prints as "/").
std::string worker_label(const WorkerTelemetry& w);

}  // namespace ktstr::verdict
