// What a worker process does, and the shared-memory slot it reports into.
// Workers are processes (cgroups act on PIDs); each measures itself every
// iteration into a WorkerSlot in a MAP_SHARED|MAP_ANONYMOUS region that the
// runner reads at step boundaries.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "base/error.hpp"
#include "guest/measure.hpp"
#include "guest/placement_log.hpp"

namespace ktstr::guest {

enum class WorkType {
  kSpin,           // pure CPU loop; one observation per short compute unit
  kYield,          // sched_yield() after every unit
  kMixed,          // compute ~compute_ns, then sleep ~sleep_ns
  kBursty,         // bursts of compute, then longer sleeps (timer wakeups)
  kPipePingPong,   // pairs (2k, 2k+1) bounce a timestamp through pipes
  kFutexPingPong,  // pairs hand a turn back and forth through a shared futex word
  kSyncIo,         // 4 KiB pwrite + fdatasync + pread on a tmpfs file
  kCallable,       // a user-supplied function (WorkSpec::fn)
};

enum class Policy { kNormal, kBatch, kIdle, kExt };

std::string_view work_type_name(WorkType t);
Result<WorkType> parse_work_type(std::string_view s);
std::string_view policy_name(Policy p);
Result<Policy> parse_policy(std::string_view s);
// The sched_setscheduler(2) policy number; SCHED_EXT is 7
// (include/uapi/linux/sched.h, 6.12).
int policy_number(Policy p);

inline constexpr int kMaxSteps = 16;

// Handed to a user-supplied callable, which is called repeatedly until the
// worker is stopped and reports its work units with progress().
class WorkerContext;
using WorkFn = std::function<void(WorkerContext&)>;

struct WorkSpec {
  WorkType type = WorkType::kSpin;
  Policy policy = Policy::kNormal;
  uint64_t compute_ns = 500'000;  // kMixed/kBursty compute per cycle
  uint64_t sleep_ns = 500'000;    // kMixed/kBursty sleep per cycle
  WorkFn fn;                      // kCallable
};

// Runner-owned words every worker reads.
struct ControlWords {
  std::atomic<uint32_t> go{0};    // futex: 0 until the runner releases workers
  std::atomic<uint32_t> step{0};  // current step index
  std::atomic<uint64_t> step_start_ns[kMaxSteps]{};
};

// One worker's report area. Written by the worker; read by the runner.
struct WorkerSlot {
  std::atomic<uint32_t> ready{0};   // 1 ready, 2 setup failed (setup_errno says why)
  std::atomic<uint32_t> stop{0};    // runner asks the worker to exit
  std::atomic<uint32_t> turn{0};    // futex ping-pong: whose turn (pair's even slot)
  std::atomic<uint64_t> signal_ns{0};  // futex ping-pong: when the turn was handed over
  int setup_errno = 0;
  uint64_t go_ns = 0;                // when this worker was released
  ProgressTracker steps[kMaxSteps];
  WakeReservoir wake[kMaxSteps];
  PlacementLog placement[kMaxSteps];  // where it ran, per step
};

class WorkerContext {
 public:
  WorkerContext(ControlWords& ctl, WorkerSlot& slot) : ctl_(ctl), slot_(slot) {}
  [[nodiscard]] bool should_stop() const { return slot_.stop.load(std::memory_order_relaxed) != 0; }
  // One progress observation (now, current CPU) into the step's tracker and
  // placement log; rolls over to a new step.
  void progress(uint64_t units = 1);
  // A wakeup that should have happened at expected_ns (latency = now - expected).
  void wake_latency(uint64_t latency_ns);
  [[nodiscard]] uint64_t now_ns() const;

 private:
  ProgressTracker& tracker(uint64_t now);
  ControlWords& ctl_;
  WorkerSlot& slot_;
  int step_ = -1;
};

// Pair plumbing for ping-pong work: fds of this side's pipe ends and the
// partner's slot. Empty for other work types.
struct PairLink {
  int read_fd = -1;
  int write_fd = -1;
  WorkerSlot* even = nullptr;  // holds the shared futex word
  bool is_even = false;
};

// The body of a worker process after release: runs spec until stopped.
void run_work(const WorkSpec& spec, WorkerContext& ctx, WorkerSlot& slot, const PairLink& pair);

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns();

}  // namespace ktstr::guest
