// The host-side monitor's record of a run: what each guest CPU's runqueue
// held at a fixed period, read by the host straight from guest RAM with no
// guest cooperation (vmm/monitor). Shared by the VM supervisor, which fills
// it, and the verdict library, which judges it and keeps it in the sidecar.
// Bounded: at most kMaxMonitorSamples samples of one row per vCPU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ktstr {

// Sample rounds kept per run: 1200 is two minutes at the default 10 Hz. A
// longer run halves its samples (every other one dropped, the newest kept)
// and doubles the period each time the log fills.
inline constexpr size_t kMaxMonitorSamples = 1200;

// One CPU's runqueue at one sample (kernel/sched/sched.h: struct rq).
struct CpuSample {
  uint32_t nr_running = 0;      // rq->nr_running: runnable tasks, the running one included
  uint32_t scx_nr_running = 0;  // rq->scx.nr_running: of those, sched_ext tasks (0 without sched_ext)
  uint64_t clock_ns = 0;        // rq->clock: the runqueue's clock, advanced by ticks and scheduling events
  int32_t curr_pid = -1;        // rq->curr->pid; 0 is the idle task; -1 not read
  std::string curr_comm;        // rq->curr->comm
  // Runnable tasks that are not running, walked from the fair class's
  // rq->cfs_tasks (minus rq->curr) and sched_ext's rq->scx.runnable_list.
  uint32_t waiting = 0;
  std::vector<int> waiting_cpus;  // union of those tasks' allowed CPUs (task->cpus_ptr), sorted
  bool waiting_known = false;     // the walk completed; false: a list changed under the read or was too long
  int64_t scx_oldest_wait_ms = -1;  // now - the oldest p->scx.runnable_at on runnable_list; -1 unknown or none

  friend bool operator==(const CpuSample&, const CpuSample&) = default;
};

// Every CPU at one moment.
struct MonitorSample {
  uint64_t t_ns = 0;          // host time since the VM was launched
  std::string scx_state;      // sched_ext enable state without its prefix: "ENABLED", "DISABLED", ...; empty unknown
  std::string scx_exit_kind;  // sched_ext exit kind without its prefix: "NONE", "ERROR_STALL", ...; empty unknown
  std::vector<CpuSample> cpus;  // index = CPU number

  // The guest's time at this sample: the largest runqueue clock. It only
  // moves while some CPU runs or takes ticks, so a VM the host pauses (or
  // starves of host CPU) accrues no guest time.
  [[nodiscard]] uint64_t guest_ns() const;

  friend bool operator==(const MonitorSample&, const MonitorSample&) = default;
};

struct MonitorLog {
  std::string error;        // why there are no (or no further) samples; empty when the monitor ran
  uint64_t period_ns = 0;   // current sampling period (doubles with each halving)
  uint32_t halvings = 0;    // times the log was halved to stay within kMaxMonitorSamples
  uint64_t hello_ns = 0;    // host time since launch when the guest's first frame arrived; 0 none
  uint64_t exit_ns = 0;     // host time since launch when the guest's exit frame arrived; 0 none
  uint64_t setup_ns = 0;    // host time spent reading vmlinux (overlapping the boot) and finding the kernel
  uint64_t sampling_ns = 0; // host time spent taking the samples
  std::vector<MonitorSample> samples;  // in time order

  // Appends s; when the log is full, first drops every other sample (the
  // newest kept) and doubles the period.
  void append(MonitorSample s);
  // Whether a new sample is due at host time now_ns.
  [[nodiscard]] bool due(uint64_t now_ns) const;
  // The guest's run start (time 0 of the telemetry) in host time since
  // launch: the exit frame's arrival minus the run's duration, which is late
  // by the time the guest took to send its report; never before the first
  // frame. nullopt without a first frame.
  [[nodiscard]] std::optional<uint64_t> run_start_ns(uint64_t duration_ns) const;
};

// One number of one CPU over the run, for a counter track of a timeline:
// "cpu0" / "nr_running" / points (ns since the guest's run start, value).
struct MonitorCounter {
  std::string cpu;   // "cpu0"
  std::string name;  // "nr_running", "scx_nr_running", "waiting", "scx_oldest_wait_ms"
  std::vector<std::pair<uint64_t, double>> points;  // in time order
};

// Every CPU's counters from the samples taken during the run (run_start_ns
// of a run of duration_ns; samples before it, the boot, are left out), with
// unreadable samples skipped; empty without a run start.
std::vector<MonitorCounter> monitor_counters(const MonitorLog& log, uint64_t duration_ns);

// JSON: a sample's CPUs are rows of kCpuSampleColumns (a 16-vCPU log of
// 1200 samples would be megabytes as objects).
inline constexpr const char* kCpuSampleColumns[] = {"nr_running", "scx_nr_running", "clock_ns", "curr_pid",
                                                    "curr_comm", "waiting", "waiting_cpus", "waiting_known",
                                                    "scx_oldest_wait_ms"};
void to_json(nlohmann::json& j, const CpuSample& c);
void from_json(const nlohmann::json& j, CpuSample& c);
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(MonitorSample, t_ns, scx_state, scx_exit_kind, cpus)
void to_json(nlohmann::json& j, const MonitorLog& m);
void from_json(const nlohmann::json& j, MonitorLog& m);

}  // namespace ktstr
