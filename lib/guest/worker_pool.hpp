// Owner of all worker processes of a run and of the shared-memory region
// they report into. Workers start in two phases: spawn() forks them, moves
// them into their cgroup and waits until each is ready; release() lets them
// go. Step boundaries snapshot every worker into WorkerTelemetry records.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/telemetry.hpp"
#include "guest/cgroup.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {

// /proc/PID/schedstat: on-CPU time, run-queue wait, timeslices
// (Documentation/scheduler/sched-stats.rst).
struct Schedstat {
  uint64_t cpu_ns = 0;
  uint64_t wait_ns = 0;
  uint64_t timeslices = 0;  // times the task arrived on a CPU
};
Result<Schedstat> read_schedstat(pid_t pid);

class WorkerPool {
 public:
  static constexpr int kMaxWorkers = 2048;  // 4x the largest (252-vCPU) guest, rounded up

  // Times in the records (placement, progress_start_ns) are relative to
  // time_base_ns (the run start on CLOCK_MONOTONIC).
  static Result<WorkerPool> create(uint64_t time_base_ns = 0);
  WorkerPool(WorkerPool&&) noexcept;
  WorkerPool& operator=(WorkerPool&&) = delete;
  WorkerPool(const WorkerPool&) = delete;
  ~WorkerPool();

  // Forks count workers running spec in cgroup (nullptr: stay in the
  // runner's cgroup), labelled cgroup_name/index first_index...; group
  // work (ping-pong, fan-out, ...) groups consecutive workers of this batch
  // (group_size_of(spec) each, the last group possibly smaller). Returns
  // their ids once every one is ready (not yet released).
  Result<std::vector<int>> spawn(const WorkSpec& spec, int count, const Cgroup* cgroup, const std::string& cgroup_name,
                                 int first_index);
  // Lets the given workers start working; their measurement begins now.
  void release(const std::vector<int>& ids);
  // Restricts a live worker to cpus (sched_setaffinity(2)); its records
  // report them as its cpuset from now on.
  Result<void> set_affinity(int id, const std::vector<int>& cpus);
  // Moves a live worker to another cgroup.
  Result<void> move(int id, const Cgroup& cgroup, const std::string& cgroup_name);
  // Stops one worker now; with record and during a step (after begin_step),
  // its partial record for that step is reported by the next end_step().
  // Between steps (ops before a hold) the previous end_step() already
  // reported it, so no second record is made.
  void kill(int id, bool record = true);
  // Stops and reaps every live worker without recording (error paths).
  void stop_all();
  // Live worker ids of a cgroup, in index order.
  [[nodiscard]] std::vector<int> live_in(const std::string& cgroup_name) const;
  // Every released live worker's counters since its release, read now (the
  // samples of a snapshot), in spawn order.
  [[nodiscard]] std::vector<WorkerSample> sample() const;

  // Opens step s at now: workers measure into step s from here on.
  void begin_step(int s);
  // Closes step s: returns one record per worker alive in it (including those
  // killed during it). When last, every worker is stopped and reaped.
  std::vector<WorkerTelemetry> end_step(int s, bool last);
  // When the last end_step() finished reading CPU times: every worker's
  // measurement window (wall_ns) lies before it.
  [[nodiscard]] uint64_t window_end_ns() const { return window_end_ns_; }

 private:
  struct Worker;
  WorkerPool() = default;
  WorkerTelemetry snapshot(Worker& w, int s, uint64_t end_ns, const Schedstat& now) const;
  void reap(Worker& w, std::chrono::milliseconds grace);
  // spawn()'s steps: the limits, one fork into its group, the wait for ready.
  Result<int> check_spawn(const WorkSpec& spec, int count, const std::string& cgroup_name) const;
  Result<int> fork_worker(const WorkSpec& spec, const GroupLink& link, const Cgroup* cgroup, const std::string& cgroup_name,
                          int index);
  Result<void> wait_ready(const std::vector<int>& ids, const WorkSpec& spec, const std::string& cgroup_name);

  void* region_ = nullptr;
  size_t region_bytes_ = 0;
  ControlWords* ctl_ = nullptr;
  WorkerSlot* slots_ = nullptr;
  std::vector<Worker> workers_;
  std::vector<WorkerTelemetry> pending_;  // records of workers killed in the current step
  int step_ = 0;
  bool in_step_ = false;  // between begin_step() and end_step()
  int next_group_ = 0;  // id of the next group of group work
  uint64_t window_end_ns_ = 0;
  uint64_t time_base_ns_ = 0;
};

}  // namespace ktstr::guest
