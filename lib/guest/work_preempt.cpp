// Interruptions of running tasks: a ring of real-time signals, short timer
// sleepers preempting a CPU hog, and a SCHED_FIFO hog beside normal tasks.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "guest/futex.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {

// What the signal handler leaves for the worker's loop: a count and the
// latest latencies (a small ring; the loop drains it after every send).
// The count is also published in the group area (g_published) for the sender.
constexpr uint64_t kRing = 256;
constexpr uint64_t kInFlight = 8;  // signal_storm: queued, not yet handled, per member
std::atomic<uint64_t> g_delivered{0};
std::atomic<uint64_t> g_latency[kRing];
std::atomic<uint64_t>* g_published = nullptr;

// Async-signal-safe: clock_gettime and lock-free atomics only (signal-safety(7)).
extern "C" void on_storm_signal(int, siginfo_t* si, void*) {
  const auto sent = reinterpret_cast<uintptr_t>(si->si_value.sival_ptr);
  const uint64_t n = g_delivered.load(std::memory_order_relaxed);
  g_latency[n % kRing].store(elapsed_since(monotonic_ns(), sent), std::memory_order_relaxed);
  g_delivered.store(n + 1, std::memory_order_release);
  g_published->store(n + 1, std::memory_order_release);
}

// Moves what the handler recorded since `drained` into the worker's telemetry.
void drain_signals(WorkerContext& ctx, uint64_t& drained) {
  const uint64_t n = g_delivered.load(std::memory_order_acquire);
  if (n == drained) return;
  ctx.count(Counter::kSignalsReceived, n - drained);
  for (uint64_t i = n - drained > kRing ? n - kRing : drained; i < n; ++i)
    ctx.wake_latency(g_latency[i % kRing].load(std::memory_order_relaxed));
  drained = n;
}

}  // namespace

// Each member queues SIGRTMIN (with its send time) to the next member after
// every unit while fewer than kInFlight of its signals wait in the next
// member's queue. Real-time signals queue instead of merging (signal(7)), but
// RLIMIT_SIGPENDING counts the pending signals of every process of the user:
// unbounded, one slow member's backlog made every sigqueue() fail with EAGAIN
// and starved other members (measured: 42,677 refused, two members of a
// group never signalled in 2 s). The window keeps the backlog at kInFlight
// per member; with one in flight, every signal waited for its receiver's
// next timeslice (130 per second per group of four on 2 vCPUs).
void run_signal_storm(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  GroupArea& a = *g.area;
  g_published = &a.member_stamp[g.rank];  // before the handler can run
  struct sigaction sa{};
  sa.sa_sigaction = on_storm_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGRTMIN, &sa, nullptr);
  // SIGRTMIN's default action terminates: send only once the target's handler is in place.
  a.member_word[g.rank].store(1, std::memory_order_release);
  const int next = (g.rank + 1) % g.size;
  const pid_t target = a.pid[next].load();
  uint64_t drained = 0, sent = 0;
  while (!ctx.should_stop()) {
    burn_unit();
    const bool room = a.member_word[next].load(std::memory_order_acquire) != 0 &&
                    a.member_stamp[next].load(std::memory_order_acquire) + kInFlight > sent;
    if (room) {
      sigval v{};
      v.sival_ptr = reinterpret_cast<void*>(static_cast<uintptr_t>(ctx.now_ns()));
      if (sigqueue(target, SIGRTMIN, v) == 0) {
        ctx.count(Counter::kSignalsSent);
        ++sent;
      } else if (errno == EAGAIN) {
        ctx.count(Counter::kSignalsDropped);
      }
    }
    drain_signals(ctx, drained);
    ctx.progress();
  }
  // Stopped: handle no more signals, so the sender's window closes, then
  // count what was handled since the last drain. Without this a stopped
  // member kept handling (uncounted) and its sender kept sending: 244 sent
  // signals were never counted as received in one CI run.
  sigset_t rt;
  sigemptyset(&rt);
  sigaddset(&rt, SIGRTMIN);
  sigprocmask(SIG_BLOCK, &rt, nullptr);
  drain_signals(ctx, drained);
}

// Rank 0 spins; every other rank sleeps sleep_ns and does one unit, all on
// one CPU, so each sleeper's wakeup must displace the hog.
void run_preempt_storm(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  pin_group_to_one_cpu(ctx, g);
  if (g.rank == 0) {
    uint64_t last = involuntary_switches();
    for (uint64_t i = 1; !ctx.should_stop(); ++i) {
      burn_unit();
      ctx.progress();
      if (i % 64 != 0) continue;
      const uint64_t now = involuntary_switches();
      ctx.count(Counter::kInvoluntarySwitches, now - last);
      last = now;
    }
    return;
  }
  while (!ctx.should_stop()) {
    sleep_until(ctx, ctx.now_ns() + spec.sleep_ns);
    ctx.count(Counter::kWakeupsReceived);
    burn_unit();
    ctx.progress();
  }
}

// Rank 0 runs SCHED_FIFO priority 1, the others stay in their class; all on
// one CPU. What lets the others run at all depends on the kernel, so the
// worker records each mechanism it finds: RT throttling (sched_rt_runtime_us
// of every sched_rt_period_us, Documentation/scheduler/sched-rt-group.rst;
// since 6.12 only with CONFIG_RT_GROUP_SCHED), the fair deadline server that
// replaced it for SCHED_NORMAL tasks (runtime per period in debugfs
// sched/fair_server/cpuN, 50 ms of 1 s by default), and a deadline server for
// sched_ext tasks (debugfs sched/ext_server), which 6.12 does not have.
void run_rt_starvation(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  const auto runtime = read_long("/proc/sys/kernel/sched_rt_runtime_us");
  const auto period = read_long("/proc/sys/kernel/sched_rt_period_us");
  if (runtime && *runtime >= 0) ctx.fact(Fact::kRtRuntimeUs, static_cast<uint64_t>(*runtime));
  if (runtime && *runtime < 0) ctx.fact(Fact::kRtUnthrottled, 1);
  if (period) ctx.fact(Fact::kRtPeriodUs, static_cast<uint64_t>(*period));
  const int cpu = pin_group_to_one_cpu(ctx, g);
  const std::string server = fmt::format("/sys/kernel/debug/sched/fair_server/cpu{}/", std::max(cpu, 0));
  if (auto r = read_long(server + "runtime"); r && *r >= 0) ctx.fact(Fact::kFairServerRuntimeNs, static_cast<uint64_t>(*r));
  if (auto p = read_long(server + "period"); p && *p > 0) ctx.fact(Fact::kFairServerPeriodNs, static_cast<uint64_t>(*p));
  if (std::filesystem::exists("/sys/kernel/debug/sched/ext_server")) ctx.fact(Fact::kExtServer, 1);
  // The others start once the hog is SCHED_FIFO, so none of their progress
  // comes from before it.
  auto& hog_ready = g.area->word[0];
  if (g.rank == 0) {
    sched_param sp{};
    sp.sched_priority = 1;
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) ctx.fact(Fact::kRtRefused, 1);
    hog_ready.store(1, std::memory_order_release);
    futex_wake_all(hog_ready);
  }
  while (hog_ready.load(std::memory_order_acquire) == 0 && !ctx.should_stop()) futex_wait(hog_ready, 0, 50'000'000);
  spin_until_stopped(ctx);
}

}  // namespace ktstr::guest
