#include "guest/work.hpp"

#include <sched.h>

#include <array>

#include <fmt/ranges.h>

#include "guest/futex.hpp"
#include "guest/work_families.hpp"

namespace ktstr::guest {
namespace {

struct Entry {
  WorkTypeInfo info;
  WorkBody run;
  bool starts_itself = false;  // the body calls WorkerContext::start() after its setup
};

using enum WorkType;
constexpr GroupFds kNoFds = GroupFds::kNone;
constexpr bool kStartsItself = true;

// The name table: one row per WorkType, in enum order (checked below).
constexpr std::array kTable = {
    Entry{{kSpin, "spin", 1, kNoFds, "CPU loop of short compute units"}, run_spin},
    Entry{{kYield, "yield", 1, kNoFds, "a compute unit, then sched_yield()"}, run_yield},
    Entry{{kMixed, "mixed", 1, kNoFds, "compute compute_ns, sleep sleep_ns"}, run_mixed},
    Entry{{kBursty, "bursty", 1, kNoFds, "ten times the compute, then ten times the sleep"}, run_bursty},
    Entry{{kPipePingPong, "pingpong_pipe", 2, GroupFds::kPipes, "pairs bounce a timestamp through pipes"},
          run_pipe_pingpong},
    Entry{{kFutexPingPong, "pingpong_futex", 2, kNoFds, "pairs hand a turn back and forth through futexes"},
          run_wake_chain},
    Entry{{kSyncIo, "sync_io", 1, kNoFds, "4 KiB pwrite + fdatasync + pread on tmpfs"}, run_sync_io},
    Entry{{kAlu, "alu", 1, kNoFds, "register-only integer loop, never blocks"}, run_alu},
    Entry{{kSmtSpin, "smt_spin", 2, kNoFds, "pairs pinned to the SMT threads of one core, spinning"}, run_smt_spin},
    Entry{{kCachePressure, "cache_pressure", 1, kNoFds, "pointer chase over twice the worker's LLC share"},
          run_cache_pressure, kStartsItself},
    Entry{{kIpcVariance, "ipc_variance", 1, kNoFds, "alternating ALU and pointer-chase phases"}, run_ipc_variance,
          kStartsItself},
    Entry{{kFutexFanout, "futex_fanout", 4, kNoFds, "one waker wakes all N waiters per event"}, run_futex_fanout},
    Entry{{kWakeChain, "wake_chain", 4, kNoFds, "a token passes A -> B -> C -> ... -> A"}, run_wake_chain},
    Entry{{kThunderingHerd, "thundering_herd", 5, kNoFds, "N waiters woken per event, one wins it"},
          run_thundering_herd},
    Entry{{kAsymmetricWaker, "asymmetric_waker", 4, kNoFds, "a never-sleeping waker round-robins over sleepers"},
          run_asymmetric_waker},
    Entry{{kEpollStorm, "epoll_storm", 5, GroupFds::kEventfds, "producers signal eventfds, one poller drains them"},
          run_epoll_storm},
    Entry{{kProducerConsumer, "producer_consumer", 4, kNoFds, "N-1 producers feed one slower consumer"},
          run_producer_consumer},
    Entry{{kForkChurn, "fork_churn", 1, kNoFds, "vfork a child that exits at once, reap, repeat"}, run_fork_churn},
    Entry{{kNiceSweep, "nice_sweep", 1, kNoFds, "walk nice through -20..19 while running"}, run_nice_sweep},
    Entry{{kAffinityChurn, "affinity_churn", 1, kNoFds, "re-pin to each allowed CPU in turn, alternating LLCs"},
          run_affinity_churn},
    Entry{{kPolicyChurn, "policy_churn", 1, kNoFds, "cycle NORMAL, BATCH, IDLE (and EXT when enabled)"},
          run_policy_churn},
    Entry{{kCgroupAttachStorm, "cgroup_attach_storm", 1, kNoFds, "move itself between its cgroup and its siblings"},
          run_cgroup_attach_storm},
    Entry{{kPageFaultChurn, "page_fault_churn", 1, kNoFds, "map 4 MiB, touch every page, unmap, repeat"},
          run_page_fault_churn},
    Entry{{kMutexContention, "mutex_contention", 4, kNoFds, "the group contends for one futex mutex"},
          run_mutex_contention},
    Entry{{kPriorityInversion, "priority_inversion", 3, kNoFds, "nice 19 holder, nice 0 hogs, nice -20 waiter"},
          run_priority_inversion},
    Entry{{kSignalStorm, "signal_storm", 4, kNoFds, "members queue real-time signals around a ring"},
          run_signal_storm},
    Entry{{kPreemptStorm, "preempt_storm", 5, kNoFds, "short timer sleepers beside a CPU hog on one CPU"},
          run_preempt_storm},
    Entry{{kRtStarvation, "rt_starvation", 3, kNoFds, "a SCHED_FIFO hog beside normal spinners on one CPU"},
          run_rt_starvation},
    Entry{{kSchbench, "schbench", 5, kNoFds, "a message thread wakes workers; wakeup latency percentiles"},
          run_schbench},
    Entry{{kCallable, "callable", 1, kNoFds, "a user-supplied function"}, run_callable},
};

constexpr bool table_in_enum_order() {
  for (size_t i = 0; i < kTable.size(); ++i)
    if (static_cast<size_t>(kTable[i].info.type) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "kTable rows must follow the WorkType order");
static_assert(kTable.size() == static_cast<size_t>(kCallable) + 1, "every WorkType needs a kTable row");

constexpr std::array<std::string_view, 4> kPolicyNames = {"normal", "batch", "idle", "ext"};

constexpr std::array<WorkTypeInfo, kTable.size()> infos() {
  std::array<WorkTypeInfo, kTable.size()> out{};
  for (size_t i = 0; i < kTable.size(); ++i) out[i] = kTable[i].info;
  return out;
}
constexpr auto kInfos = infos();

}  // namespace

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::span<const WorkTypeInfo> work_types() { return kInfos; }
const WorkTypeInfo& work_type_info(WorkType t) { return kInfos[static_cast<size_t>(t)]; }
std::string_view work_type_name(WorkType t) { return work_type_info(t).name; }
std::string_view policy_name(Policy p) { return kPolicyNames[static_cast<size_t>(p)]; }

Result<WorkType> parse_work_type(std::string_view s) {
  std::vector<std::string_view> names;
  for (const auto& i : kInfos) {
    if (i.name == s) return i.type;
    names.push_back(i.name);
  }
  return fail("unknown work type '{}' (known: {})", s, fmt::join(names, ", "));
}

Result<Policy> parse_policy(std::string_view s) {
  for (size_t i = 0; i < kPolicyNames.size(); ++i)
    if (kPolicyNames[i] == s) return static_cast<Policy>(i);
  return fail("unknown scheduling policy '{}' (normal, batch, idle, ext)", s);
}

int policy_number(Policy p) {
  switch (p) {
    case Policy::kNormal: return SCHED_OTHER;
    case Policy::kBatch: return SCHED_BATCH;
    case Policy::kIdle: return SCHED_IDLE;
    case Policy::kExt: return 7;  // SCHED_EXT
  }
  return SCHED_OTHER;
}

int group_size_of(const WorkSpec& spec) {
  const int dflt = work_type_info(spec.type).group_size;
  return dflt > 1 && spec.group_size > 0 ? spec.group_size : dflt;
}

uint64_t WorkerContext::now_ns() const { return monotonic_ns(); }

bool WorkerContext::start() {
  if (!started_) {
    started_ = true;
    slot_.ready.store(kSlotReady, std::memory_order_release);
    futex_wake_all(slot_.ready);
    while (slot_.ready.load(std::memory_order_acquire) != kSlotGo && !should_stop())
      futex_wait(slot_.ready, kSlotReady, 100'000'000);
  }
  return !should_stop();
}

ProgressTracker& WorkerContext::tracker(uint64_t now) {
  int s = static_cast<int>(ctl_.step.load(std::memory_order_acquire));
  if (s > kBetweenSteps) s = kBetweenSteps;
  if (s != step_) {
    step_ = s;
    uint64_t start = ctl_.step_start_ns[s].load(std::memory_order_relaxed);
    if (start < slot_.go_ns) start = slot_.go_ns;  // spawned mid-step
    slot_.steps[s].begin(start > now ? now : start);
    slot_.placement[s].begin();
  }
  return slot_.steps[s];
}

// The step is read before the CPU: the runner opens a step only after its
// ops (sched_setaffinity, cpuset writes) moved the worker, so a CPU read
// after seeing the new step is one the worker may use in it. Read the other
// way round, a CPU from before an affinity op could land in the next step
// (seen as an isolation violation in affinity_change).
void WorkerContext::progress(uint64_t units) {
  const uint64_t now = monotonic_ns();
  ProgressTracker& t = tracker(now);
  const int cpu = sched_getcpu();
  t.observe(now, cpu, units);
  slot_.placement[step_].observe(now, cpu, units);
}

void WorkerContext::wake_latency(uint64_t latency_ns) {
  tracker(monotonic_ns());
  slot_.wake[step_].offer(latency_ns);
  slot_.latency[step_].add(latency_ns);
}

void WorkerContext::count(Counter c, uint64_t n) {
  tracker(monotonic_ns());
  slot_.counters[step_].add(c, n);
}

void run_work(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& group) {
  if (group.size > 1) {
    ctx.fact(Fact::kGroupId, static_cast<uint64_t>(group.id));
    ctx.fact(Fact::kGroupRank, static_cast<uint64_t>(group.rank));
    ctx.fact(Fact::kGroupSize, static_cast<uint64_t>(group.size));
  }
  const Entry& e = kTable[static_cast<size_t>(spec.type)];
  if (!e.starts_itself && !ctx.start()) return;
  e.run(spec, ctx, group);
}

}  // namespace ktstr::guest
