// The CPU rows of the picture as pixel columns: for each vCPU, stretches of
// columns in which the same number of workers of each cgroup was seen
// running. Drawing by columns bounds the picture's size (at most one
// stretch per column and CPU) however many runs the telemetry holds, and
// shows coarsened, overlapping runs honestly: a column where two workers
// were seen is split between them.
#pragma once

#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::trace {

struct RowStretch {
  int first_column = 0;
  int end_column = 0;                // exclusive
  std::vector<int> per_cgroup;       // workers seen, by index into the cgroup list
  std::vector<std::string> workers;  // their names, for the tooltip
};

struct CpuRow {
  int cpu = 0;
  std::vector<RowStretch> stretches;  // in column order, without empty ones
};

// The cgroups of a run in name order: those configured and those workers name.
std::vector<std::string> cgroup_names(const RunTelemetry& t);

// How many vCPUs the picture shows: t.vcpus, or more if runs name higher CPUs.
int cpu_count(const RunTelemetry& t);

// One row per CPU 0..cpu_count(t)-1 over `columns` columns spanning
// [0, extent_ns]; a run covers the columns its time touches (at least one).
std::vector<CpuRow> cpu_rows(const RunTelemetry& t, const std::vector<std::string>& cgroups, int columns,
                             uint64_t extent_ns);

}  // namespace ktstr::trace
