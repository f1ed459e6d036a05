// Raw run telemetry: what the guest measured, sent to the host as JSON
// (MsgType::kTelemetry) and kept verbatim in the sidecar so a run can be
// re-judged later. The guest measures; the host judges (lib/host/verdict).
// Sizes are bounded by the guest: at most kMaxLatencySamples latency samples
// and kMaxCpuRuns placement runs per worker and step, at most kMaxSnapshots
// snapshots and kMaxSnapshotSamples worker samples in them per run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_optional.hpp"
#include "base/placement.hpp"

namespace ktstr {

inline constexpr size_t kMaxLatencySamples = 512;
inline constexpr size_t kMaxSnapshots = 256;
inline constexpr size_t kMaxSnapshotSamples = 16384;  // ~1.8 MB of JSON at ~110 bytes a sample

// One worker process during one step.
struct WorkerTelemetry {
  std::string cgroup;           // cgroup name (path relative to the test root)
  int worker = 0;               // index within its cgroup
  int pid = 0;
  int step = 0;                 // step index this record covers
  std::string work_type;        // "spin", "yield", "pingpong_pipe", ...
  std::string policy;           // "normal", "batch", "idle", "ext"
  uint64_t iterations = 0;      // work units completed in the step
  uint64_t wall_ns = 0;         // wall time the worker was measured
  uint64_t cpu_ns = 0;          // on-CPU time (/proc/PID/schedstat field 1)
  uint64_t runq_wait_ns = 0;    // run-queue wait (/proc/PID/schedstat field 2)
  uint64_t max_gap_ns = 0;      // longest gap between consecutive progress observations
  uint64_t max_gap_at_ns = 0;   // when that gap ended, relative to step start
  uint64_t migrations = 0;      // observed CPU changes
  std::vector<int> cpus_used;   // sorted set of CPUs the worker was seen on
  std::vector<int> cpuset;      // CPUs it was allowed (empty: all)
  std::vector<uint64_t> wake_latency_ns;  // reservoir sample, <= kMaxLatencySamples
  uint64_t wake_samples_seen = 0;         // total wakeups sampled into the reservoir
  // Named counts that show a work type's signature (wakeups_sent, forks,
  // page_faults, timeslices, ...) and facts the worker set (group_rank,
  // pinned_cpu, ...); absent = 0. At most ~60 names (lib/guest/README.md).
  std::map<std::string, uint64_t> counters;
  // "p50", "p90", "p99", "p99.9" of every wake-latency sample of the step (a
  // log-linear histogram, <= 12.5 % relative error); empty without samples.
  std::map<std::string, uint64_t> wake_percentiles_ns;
  uint64_t progress_start_ns = 0;  // when max_gap_at_ns counts from, relative to run start
  std::vector<CpuRun> placement;   // where it ran, in time order, <= kMaxCpuRuns (base/placement.hpp)
  uint64_t placement_merged_us = 0;  // time the placement shows wrongly after coarsening
};

// One cgroup as configured during a step.
struct CgroupTelemetry {
  std::string name;
  int step = 0;
  std::vector<int> cpuset;  // empty: unrestricted
  int weight = 100;
  int workers = 0;
};

// One step of the scenario and the ops applied before it.
struct StepTelemetry {
  int index = 0;
  std::string name;
  uint64_t start_ns = 0;  // relative to run start
  uint64_t end_ns = 0;
  std::vector<std::string> ops;  // human-readable ops applied at step start
};

// A scheduler lifecycle event seen by the guest.
struct SchedEvent {
  uint64_t t_ns = 0;     // relative to run start
  // "started", "enabled", "kill" (the test signalled it); how it stopped:
  // "ejected" (the kernel disabled it with an error exit), "killed" (its
  // process died of a signal), "exited" (its process exited on its own),
  // "unregistered" (sched_ext disabled without an error while it still runs),
  // "timeout" (never enabled); "exit_info" (the kernel's exit report). Sidecars
  // before these kinds carry "died" for a process end.
  std::string kind;
  std::string detail;    // e.g. the kernel's sched_ext exit reason
};

// The scheduler as the guest saw it.
struct SchedulerTelemetry {
  std::string name;          // empty: EEVDF baseline
  std::string ops_name;      // /sys/kernel/sched_ext/root/ops
  bool attached = false;     // reached "enabled"
  bool failed = false;       // stopped during the run (ejected, killed, exited, unregistered) or never enabled
  std::string failure;       // reason text (kernel's exit message when available)
  std::vector<SchedEvent> events;
  std::string log_tail;      // last lines of the scheduler's stdout/stderr
  std::string dump;          // sched_ext state dump (SysRq-D) on failure
};

// A failed assertion inside the guest test body.
struct AssertionTelemetry {
  std::string file;
  int line = 0;
  std::string expr;
  std::string message;
};

// The baseline phase of an A/B run: the same scenarios, in the same VM and
// cgroups and for the same durations, measured under the baseline scheduler
// just before the scheduler under test attached. Step indices match the
// scheduler phase's, so (step, cgroup) cells line up one to one.
struct BaselineTelemetry {
  std::string name;             // "eevdf" or the baseline sched_ext scheduler's name
  uint64_t start_ns = 0;        // phase start, relative to run start
  uint64_t end_ns = 0;          // phase end (before the scheduler under test attached)
  std::vector<StepTelemetry> steps;
  std::vector<CgroupTelemetry> cgroups;
  std::vector<WorkerTelemetry> workers;
  SchedulerTelemetry scheduler; // a sched_ext baseline's lifecycle; empty name for EEVDF
};

// One worker at a snapshot: its counters cumulative since it was released
// (so a worker that moved between cgroups keeps counting; pid identifies it).
struct WorkerSample {
  std::string cgroup;         // its cgroup at the snapshot
  int worker = 0;             // index within the cgroup it was spawned in
  int pid = 0;
  uint64_t iterations = 0;    // work units since release
  uint64_t cpu_ns = 0;        // /proc/PID/schedstat field 1 since release
  uint64_t runq_wait_ns = 0;  // /proc/PID/schedstat field 2 since release
  uint64_t migrations = 0;    // observed CPU changes since release
};

// The live workers' counters at one moment of a step: taken by a timed
// Op::snapshot or periodically (Scenario::snapshots_per_step).
struct SnapshotTelemetry {
  std::string name;           // the op's name, or "<step>@k/N" for periodic ones
  int step = 0;
  bool periodic = false;
  uint64_t t_ns = 0;          // relative to run start, before the first read
  uint64_t read_ns = 0;       // how long reading every worker took (the samples lie in [t_ns, t_ns + read_ns])
  std::vector<WorkerSample> workers;
};

// Everything the guest reports about one test run.
struct RunTelemetry {
  std::string test;
  std::string topology;         // declared topology, canonical string ("1n2l4c2t", "1n2l3_1c1t")
  int vcpus = 0;
  bool debug_kernel = false;
  uint64_t duration_ns = 0;     // whole run
  uint64_t start_uptime_ns = 0; // guest CLOCK_MONOTONIC (time since boot) when the run started
  std::vector<StepTelemetry> steps;
  std::vector<CgroupTelemetry> cgroups;
  std::vector<WorkerTelemetry> workers;
  SchedulerTelemetry scheduler;
  std::vector<AssertionTelemetry> assertions;
  std::string error;            // guest-side infrastructure error, empty if none
  // Set when the test declared a baseline: steps/cgroups/workers above are
  // the scheduler phase, this is the baseline phase. Absent (null) otherwise,
  // and in telemetry recorded before A/B runs existed.
  std::optional<BaselineTelemetry> baseline;
  std::vector<SnapshotTelemetry> snapshots;  // in time order; absent in sidecars older than snapshots
  uint64_t snapshots_dropped = 0;  // snapshots not taken (kMaxSnapshots / kMaxSnapshotSamples) or thinned to fit a frame
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WorkerTelemetry, cgroup, worker, pid, step, work_type, policy,
                                                iterations, wall_ns, cpu_ns, runq_wait_ns, max_gap_ns,
                                                max_gap_at_ns, migrations, cpus_used, cpuset, wake_latency_ns,
                                                wake_samples_seen, counters, wake_percentiles_ns, progress_start_ns,
                                                placement, placement_merged_us)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CgroupTelemetry, name, step, cpuset, weight, workers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StepTelemetry, index, name, start_ns, end_ns, ops)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SchedEvent, t_ns, kind, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SchedulerTelemetry, name, ops_name, attached, failed, failure,
                                                events, log_tail, dump)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AssertionTelemetry, file, line, expr, message)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BaselineTelemetry, name, start_ns, end_ns, steps, cgroups, workers,
                                                scheduler)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WorkerSample, cgroup, worker, pid, iterations, cpu_ns, runq_wait_ns,
                                                migrations)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SnapshotTelemetry, name, step, periodic, t_ns, read_ns, workers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunTelemetry, test, topology, vcpus, debug_kernel, duration_ns,
                                                start_uptime_ns, steps, cgroups, workers, scheduler, assertions, error,
                                                baseline, snapshots, snapshots_dropped)

}  // namespace ktstr
