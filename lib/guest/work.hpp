// What a worker process does, and the shared-memory slot it reports into.
// Workers are processes (cgroups act on PIDs); each measures itself every
// iteration into a WorkerSlot in a MAP_SHARED|MAP_ANONYMOUS region that the
// runner reads at step boundaries. The work types live in work_<family>.cpp;
// this header and work.cpp hold their names, the group plumbing and the dispatch.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "guest/counters.hpp"
#include "guest/measure.hpp"
#include "guest/placement_log.hpp"

namespace ktstr::guest {

// Every work type; lib/guest/README.md describes each one's signature.
enum class WorkType {
  kSpin,              // pure CPU loop; one observation per short compute unit
  kYield,             // sched_yield() after every unit
  kMixed,             // compute ~compute_ns, then sleep ~sleep_ns
  kBursty,            // bursts of compute, then longer sleeps (timer wakeups)
  kPipePingPong,      // pairs bounce a timestamp through pipes
  kFutexPingPong,     // pairs hand a turn back and forth through futex words
  kSyncIo,            // 4 KiB pwrite + fdatasync + pread on a tmpfs file
  kAlu,               // register-only integer loop (high IPC, no memory traffic)
  kSmtSpin,           // pairs pinned to the two SMT threads of one core, spinning
  kCachePressure,     // pointer chase over twice the worker's share of the LLC
  kIpcVariance,       // alternating ALU and memory-bound phases
  kFutexFanout,       // one waker wakes N waiters per event (FUTEX_WAKE all)
  kWakeChain,         // a token passes A -> B -> C -> ... through per-member futexes
  kThunderingHerd,    // N waiters woken per event, one wins the work item
  kAsymmetricWaker,   // a never-sleeping waker round-robins wakeups over sleepers
  kEpollStorm,        // producers signal eventfds; one poller drains them with epoll
  kProducerConsumer,  // producers outnumber a slower consumer on a bounded queue
  kForkChurn,         // vfork a child that exits at once, reap it, repeat
  kNiceSweep,         // walk the nice value through -20..19 while running
  kAffinityChurn,     // re-pin to one CPU after another, alternating LLCs
  kPolicyChurn,       // cycle NORMAL, BATCH, IDLE (and EXT when a scheduler is enabled)
  kCgroupAttachStorm, // move itself between its cgroup and its sibling cgroups
  kPageFaultChurn,    // map a region, touch every page, unmap it, repeat
  kMutexContention,   // the group contends for one futex mutex
  kPriorityInversion, // nice-19 holder, nice-0 hogs and a nice -20 waiter on one CPU
  kSignalStorm,       // members queue real-time signals at each other
  kPreemptStorm,      // short timer sleepers wake up beside a CPU hog on one CPU
  kRtStarvation,      // a SCHED_FIFO hog beside normal spinners on one CPU
  kSchbench,          // a message thread wakes workers; wakeup latency percentiles
  kCallable,          // a user-supplied function (WorkSpec::fn)
};

enum class Policy { kNormal, kBatch, kIdle, kExt };

// Descriptors the runner creates per group before forking its members.
enum class GroupFds { kNone, kPipes, kEventfds };

struct WorkTypeInfo {
  WorkType type;
  std::string_view name;
  int group_size;      // members per group by default; 1: every worker works alone
  GroupFds fds;
  std::string_view doc;  // one line
};

// Every work type, in enum order.
std::span<const WorkTypeInfo> work_types();
const WorkTypeInfo& work_type_info(WorkType t);
std::string_view work_type_name(WorkType t);
// The error lists every known name.
Result<WorkType> parse_work_type(std::string_view s);
std::string_view policy_name(Policy p);
Result<Policy> parse_policy(std::string_view s);
// The sched_setscheduler(2) policy number; SCHED_EXT is 7
// (include/uapi/linux/sched.h, 6.12).
int policy_number(Policy p);

inline constexpr int kMaxSteps = 16;
// ControlWords::step while the runner applies the ops between two steps.
// Observations then go to a scratch row (index kBetweenSteps of every
// per-step array) that no record reports.
inline constexpr int kBetweenSteps = kMaxSteps;

// Handed to a user-supplied callable, which is called repeatedly until the
// worker is stopped and reports its work units with progress().
class WorkerContext;
using WorkFn = std::function<void(WorkerContext&)>;

struct WorkSpec {
  WorkType type = WorkType::kSpin;
  Policy policy = Policy::kNormal;
  uint64_t compute_ns = 500'000;  // compute per cycle (mixed, bursty, schbench request, hold, phase unit)
  uint64_t sleep_ns = 500'000;    // sleep per cycle (mixed, bursty, preempt storm, inversion waiter)
  int group_size = 0;             // group work: members per group; 0 = the type's default
  WorkFn fn;                      // kCallable
};

// Members per group of spec (1 for solo work types).
int group_size_of(const WorkSpec& spec);

// Runner-owned words every worker reads.
struct ControlWords {
  std::atomic<uint32_t> go{0};    // futex: 0 until the runner releases workers
  std::atomic<uint32_t> step{0};  // current step index, or kBetweenSteps
  std::atomic<uint64_t> step_start_ns[kMaxSteps + 1]{};
};

// What the members of one group share: futex words, stamps and a small
// queue, each work type giving them its own meaning. Lives in the slot of
// the group's first member; zero-filled at start.
struct GroupArea {
  static constexpr int kMaxMembers = 64;
  static constexpr int kQueueSlots = 64;
  std::atomic<uint32_t> word[4]{};
  std::atomic<uint64_t> value[4]{};
  std::atomic<uint32_t> member_word[kMaxMembers]{};  // one futex word per member
  std::atomic<uint64_t> member_stamp[kMaxMembers]{};
  std::atomic<int32_t> pid[kMaxMembers]{};           // set by each member before it reports ready
  std::atomic<uint64_t> queue[kQueueSlots]{};
};

// WorkerSlot::ready: 0 while the worker sets up, then kSlotReady (or
// kSlotSetupFailed) from the worker, then kSlotGo from the runner.
inline constexpr uint32_t kSlotReady = 1, kSlotSetupFailed = 2, kSlotGo = 3;

// One worker's report area. Written by the worker; read by the runner.
struct WorkerSlot {
  std::atomic<uint32_t> ready{0};   // kSlot* above (setup_errno says why setup failed)
  std::atomic<uint32_t> stop{0};    // runner asks the worker to exit
  int setup_errno = 0;
  uint64_t go_ns = 0;                // when this worker was released
  ProgressTracker steps[kMaxSteps + 1];  // per step, and kBetweenSteps
  WakeReservoir wake[kMaxSteps + 1];
  PlacementLog placement[kMaxSteps + 1];  // where it ran
  GroupArea group;                   // used when this worker leads a group
  CounterRow counters[kMaxSteps + 1];
  FactRow facts;
  LatencyHistogram latency[kMaxSteps + 1];
};

class WorkerContext {
 public:
  WorkerContext(ControlWords& ctl, WorkerSlot& slot) : ctl_(ctl), slot_(slot) {}
  [[nodiscard]] bool should_stop() const { return slot_.stop.load(std::memory_order_relaxed) != 0; }
  // Ends setup: reports the worker ready and waits for the runner's release;
  // false when stopped first. run_work() calls it before the work, except for
  // types with costly setup (the pointer-chase buffers), which call it
  // themselves once set up so that setup stays out of every step.
  bool start();
  // One progress observation (now, current CPU) into the step's tracker and
  // placement log; rolls over to a new step.
  void progress(uint64_t units = 1);
  // One wakeup latency sample (reservoir and histogram of the current step).
  void wake_latency(uint64_t latency_ns);
  // Adds n to a counter of the current step.
  void count(Counter c, uint64_t n = 1);
  // Sets a per-worker fact (reported with every step).
  void fact(Fact f, uint64_t v) { slot_.facts.set(f, v); }
  [[nodiscard]] uint64_t now_ns() const;

 private:
  ProgressTracker& tracker(uint64_t now);
  ControlWords& ctl_;
  WorkerSlot& slot_;
  int step_ = -1;
  bool started_ = false;
};

// A worker's place in its group: consecutive workers of one spawn batch form
// groups of group_size_of(spec) members (the last one may be smaller).
struct GroupLink {
  int id = 0;                   // group number, unique within the run
  int rank = 0;                 // 0 .. size-1
  int size = 1;                 // members of this group
  GroupArea* area = nullptr;    // the group's shared area
  std::vector<int> read_fds;    // per member: its pipe read end or eventfd (GroupFds)
  std::vector<int> write_fds;   // per member: its pipe write end or eventfd
};

// The body of a worker process after release: runs spec until stopped.
void run_work(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& group);

// CLOCK_MONOTONIC in nanoseconds.
uint64_t monotonic_ns();

}  // namespace ktstr::guest
