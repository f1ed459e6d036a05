// Named per-worker counters and a wake-latency histogram. Plain
// trivially-copyable structs that live in a worker's shared slot (one writer:
// the worker) and become the name -> value maps of WorkerTelemetry
// (`counters`, `wake_percentiles_ns`). Each work type counts what shows its
// signature; lib/guest/README.md lists every name.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace ktstr::guest {

// Events counted per step. The name tables in counters.cpp follow the
// order of both enums.
enum class Counter : uint8_t {
  kWakeupsSent,        // wakeups this worker issued (futex, eventfd, token hand-off)
  kWakeupsReceived,    // wakeups this worker consumed
  kFutexWoken,         // waiters the kernel reported woken by this worker's FUTEX_WAKE
  kRaceWins,           // thundering herd: woken and won the work item
  kRaceLosses,         // thundering herd: woken and found nothing to do
  kEpollWaits,         // epoll_wait calls that returned events
  kEpollEvents,        // ready descriptors those calls returned
  kProduced,           // producer/consumer: items queued
  kConsumed,           // items dequeued
  kBlockedFull,        // a producer found the queue full and slept
  kBlockedEmpty,       // a consumer found the queue empty and slept
  kForks,              // children forked (and reaped)
  kNiceChanges,        // setpriority(2) calls that changed the nice value
  kAffinityChanges,    // sched_setaffinity(2) calls that succeeded
  kLlcCrossings,       // affinity changes whose CPU lies in another LLC than the previous one
  kPolicyChanges,      // sched_setscheduler(2) calls that succeeded
  kToNormal,           // ... of which to SCHED_NORMAL
  kToBatch,            // ... to SCHED_BATCH
  kToIdle,             // ... to SCHED_IDLE
  kToExt,              // ... to SCHED_EXT
  kCgroupMoves,        // writes of the worker's own PID into another cgroup.procs
  kMoveFailures,       // such writes the kernel refused
  kPageFaults,         // minor faults (getrusage ru_minflt) during the churn loop
  kPagesTouched,       // pages written by the churn loop
  kLockAcquired,       // lock acquisitions
  kLockContended,      // ... that had to wait
  kExclusionViolations,  // another holder seen inside the critical section (must stay 0)
  kLockHolds,          // priority inversion: critical sections of the low-priority holder
  kHoldCpuNs,          // ... CPU time spent inside them (CLOCK_THREAD_CPUTIME_ID)
  kHoldWallNs,         // ... wall time spent inside them
  kSignalsSent,        // signals queued to a group member (sigqueue(3))
  kSignalsReceived,    // signals delivered to this worker's handler
  kSignalsDropped,     // sigqueue refused (EAGAIN: RLIMIT_SIGPENDING)
  kInvoluntarySwitches,  // getrusage ru_nivcsw: times this worker was preempted
  kPhasesHigh,         // IPC variance: ALU phases completed
  kPhasesLow,          // ... memory-bound phases completed
  kLinesTouched,       // cache lines visited by a pointer chase
  kAluOps,             // integer operations of the ALU loop
  kTimeslices,         // schedstat field 3: times the task got on a CPU (filled by the runner)
  kCount
};

// Values set once per worker (configuration it derived or was given);
// reported in every step record of the worker.
enum class Fact : uint8_t {
  kGroupId,          // the worker's group, numbered per run (group work types)
  kGroupRank,        // its role index in the group
  kGroupSize,        // members in its group
  kPinnedCpu,        // the CPU it pinned itself to
  kSmtThreads,       // threads of the core it pinned to
  kWorkingSetBytes,  // memory its loop sweeps
  kLlcBytes,         // size of the LLC it runs under (sysfs), 0 unknown
  kLlcShareBytes,    // that LLC divided by the CPUs sharing it
  kNiceLevels,       // distinct nice values it ran at
  kCgroupsVisited,   // distinct cgroups it moved itself into
  kExtUnavailable,   // 1: no sched_ext scheduler was enabled, SCHED_EXT skipped
  kRtRuntimeUs,      // /proc/sys/kernel/sched_rt_runtime_us (when not -1)
  kRtPeriodUs,       // /proc/sys/kernel/sched_rt_period_us
  kRtUnthrottled,    // 1: sched_rt_runtime_us is -1 (RT throttling off)
  kRtRefused,        // 1: the kernel refused SCHED_FIFO
  kFairServerRuntimeNs,  // the pinned CPU's fair deadline server: runtime per period (debugfs)
  kFairServerPeriodNs,   // ... and its period
  kExtServer,        // 1: the kernel has a deadline server for sched_ext tasks (debugfs sched/ext_server)
  kCount
};

inline constexpr size_t kCounterCount = static_cast<size_t>(Counter::kCount);
inline constexpr size_t kFactCount = static_cast<size_t>(Fact::kCount);

std::string_view counter_name(Counter c);
std::string_view fact_name(Fact f);

struct CounterRow {
  std::array<uint64_t, kCounterCount> v{};
  void add(Counter c, uint64_t n = 1) { v[static_cast<size_t>(c)] += n; }
  [[nodiscard]] uint64_t get(Counter c) const { return v[static_cast<size_t>(c)]; }
};

struct FactRow {
  uint64_t set_mask = 0;
  std::array<uint64_t, kFactCount> v{};
  void set(Fact f, uint64_t x) {
    v[static_cast<size_t>(f)] = x;
    set_mask |= uint64_t{1} << static_cast<unsigned>(f);
  }
};

// Adds the non-zero counters and every fact that was set to out, by name.
void export_counters(const CounterRow& counters, const FactRow& facts, std::map<std::string, uint64_t>& out);

// Log-linear histogram of nanosecond latencies: exact below 8 ns, then 8
// buckets per power of two (relative width <= 1/8), clamped at 2^41 ns
// (~37 min). 312 buckets, ~1.3 KiB: cheap enough for every step of every worker.
struct LatencyHistogram {
  static constexpr int kSubBits = 3;
  static constexpr int kMaxExp = 40;
  static constexpr int kBuckets = (1 << kSubBits) * (kMaxExp - kSubBits + 2);
  std::array<uint32_t, kBuckets> counts{};
  uint64_t total = 0;
  uint64_t max_ns = 0;

  void add(uint64_t ns);
  static int bucket(uint64_t ns);
  static uint64_t bucket_high(int b);  // largest value that maps to bucket b
  // Nearest-rank percentile (q in (0, 100]): the upper edge of the bucket
  // holding that rank, never above the largest value seen; 0 when empty.
  [[nodiscard]] uint64_t percentile(double q) const;
};

// "p50", "p90", "p99", "p99.9" of h; empty when h is empty.
std::map<std::string, uint64_t> percentile_map(const LatencyHistogram& h);

}  // namespace ktstr::guest
