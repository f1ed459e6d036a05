// Summary figures of one run: the `--- stats ---` block of the report, the
// metrics `ktstr stats compare` gates on and the CDash measurements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

// One cgroup over all steps of the run.
struct CgroupStats {
  std::string name;                            // "" is the test root, printed "/"
  int workers = 0;                             // distinct worker indices seen
  uint64_t migrations = 0;
  std::optional<double> mean_iteration_rate;   // mean of per-record iteration rates, iter/s
  std::optional<double> worst_spread_pp;       // max over steps of the off-CPU spread
  std::optional<double> worst_gap_ms;          // max worker gap
  std::optional<double> p99_wake_us;           // nearest-rank p99 over all workers' samples
  std::optional<double> migrations_per_cpu_s;  // sum migrations / sum CPU seconds
};

struct RunStats {
  int workers = 0;      // distinct (cgroup, worker) pairs
  int cpus = 0;         // vCPUs of the VM
  int cpus_used = 0;    // distinct CPUs any worker ran on
  uint64_t migrations = 0;
  std::optional<double> worst_spread_pp;
  std::string worst_spread_at;  // "cg0 step 1"
  std::optional<double> worst_gap_ms;
  std::string worst_gap_at;     // worker label
  std::vector<CgroupStats> cgroups;  // sorted by name
};

RunStats compute_stats(const RunTelemetry& t);

// One named figure: "<cgroup>.<kind>", the root cgroup named "root".
struct Metric {
  std::string name;
  std::string kind;  // iter_rate, spread_pp, gap_ms, p99_wake_us, migrations_per_cpu_s
  double value = 0;
};

// The defined per-cgroup figures of a run, in cgroup then kind order.
std::vector<Metric> metrics_of(const RunStats& s);

// The cgroup's name in metric names and report lines ("root" for "").
std::string cgroup_display(const std::string& name);

}  // namespace ktstr::verdict
