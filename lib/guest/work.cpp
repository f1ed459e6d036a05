#include "guest/work.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <array>

#include "base/fd.hpp"

namespace ktstr::guest {
namespace {

constexpr std::array<std::string_view, 8> kWorkNames = {"spin",          "yield",           "mixed",   "bursty",
                                                        "pingpong_pipe", "pingpong_futex", "sync_io", "callable"};
constexpr std::array<std::string_view, 4> kPolicyNames = {"normal", "batch", "idle", "ext"};

// Shared (not PRIVATE) futex ops: the word lives in a MAP_SHARED region
// used by several processes (futex(2), "FUTEX_PRIVATE_FLAG").
void futex_wait(std::atomic<uint32_t>& w, uint32_t expected, long timeout_ns) {
  timespec ts{0, timeout_ns};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAIT, expected, &ts, nullptr, 0);
}
void futex_wake(std::atomic<uint32_t>& w) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

// A short fixed unit of CPU work; the compiler cannot drop it.
inline void burn_unit() {
  volatile uint64_t x = 1;
  for (int i = 0; i < 200; ++i) x = x * 2862933555777941757ull + 3037000493ull;
}

void burn_for(WorkerContext& ctx, uint64_t ns) {
  uint64_t end = ctx.now_ns() + ns;
  while (!ctx.should_stop()) {
    burn_unit();
    ctx.progress();
    if (ctx.now_ns() >= end) break;
  }
}

// Sleeps until an absolute deadline; the lateness is the wake latency.
void sleep_until(WorkerContext& ctx, uint64_t deadline_ns) {
  timespec ts{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
  uint64_t now = ctx.now_ns();
  ctx.wake_latency(now > deadline_ns ? now - deadline_ns : 0);
}

void run_pipe_pingpong(WorkerContext& ctx, const PairLink& pair) {
  if (pair.is_even) {  // the even side serves first
    uint64_t t = ctx.now_ns();
    (void)!write(pair.write_fd, &t, sizeof t);
  }
  while (!ctx.should_stop()) {
    pollfd p{pair.read_fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;  // wake up regularly to honour stop
    uint64_t sent = 0;
    if (read(pair.read_fd, &sent, sizeof sent) != static_cast<ssize_t>(sizeof sent)) break;  // partner gone
    uint64_t now = ctx.now_ns();
    ctx.wake_latency(now > sent ? now - sent : 0);
    burn_unit();
    ctx.progress();
    uint64_t t = ctx.now_ns();
    if (write(pair.write_fd, &t, sizeof t) != static_cast<ssize_t>(sizeof t)) break;
  }
}

void run_futex_pingpong(WorkerContext& ctx, const PairLink& pair) {
  WorkerSlot& shared = *pair.even;
  const uint32_t mine = pair.is_even ? 0 : 1;
  while (!ctx.should_stop()) {
    uint32_t cur = shared.turn.load(std::memory_order_acquire);
    if (cur != mine) {
      futex_wait(shared.turn, cur, 50'000'000);
      continue;
    }
    uint64_t now = ctx.now_ns();
    uint64_t sent = shared.signal_ns.load(std::memory_order_relaxed);
    if (sent != 0) ctx.wake_latency(now > sent ? now - sent : 0);
    burn_unit();
    ctx.progress();
    shared.signal_ns.store(ctx.now_ns(), std::memory_order_relaxed);
    shared.turn.store(1 - mine, std::memory_order_release);
    futex_wake(shared.turn);
  }
}

void run_sync_io(WorkerContext& ctx) {
  auto fd = open_file(fmt::format("/tmp/ktstr-io-{}", getpid()), O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (!fd) return;
  std::array<char, 4096> buf{};
  for (uint64_t i = 0; !ctx.should_stop(); ++i) {
    off_t off = static_cast<off_t>((i % 256) * buf.size());
    buf[0] = static_cast<char>(i);
    if (pwrite(fd->get(), buf.data(), buf.size(), off) < 0) break;
    fdatasync(fd->get());
    if (pread(fd->get(), buf.data(), buf.size(), off) < 0) break;
    ctx.progress();
  }
  unlink(fmt::format("/tmp/ktstr-io-{}", getpid()).c_str());
}

}  // namespace

uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::string_view work_type_name(WorkType t) { return kWorkNames[static_cast<size_t>(t)]; }
std::string_view policy_name(Policy p) { return kPolicyNames[static_cast<size_t>(p)]; }

Result<WorkType> parse_work_type(std::string_view s) {
  for (size_t i = 0; i < kWorkNames.size(); ++i)
    if (kWorkNames[i] == s) return static_cast<WorkType>(i);
  return fail("unknown work type '{}' (spin, yield, mixed, bursty, pingpong_pipe, pingpong_futex, sync_io)", s);
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

uint64_t WorkerContext::now_ns() const { return monotonic_ns(); }

ProgressTracker& WorkerContext::tracker(uint64_t now) {
  int s = static_cast<int>(ctl_.step.load(std::memory_order_acquire));
  if (s >= kMaxSteps) s = kMaxSteps - 1;
  if (s != step_) {
    step_ = s;
    uint64_t start = ctl_.step_start_ns[s].load(std::memory_order_relaxed);
    if (start < slot_.go_ns) start = slot_.go_ns;  // spawned mid-step
    slot_.steps[s].begin(start > now ? now : start);
    slot_.placement[s].begin();
  }
  return slot_.steps[s];
}

void WorkerContext::progress(uint64_t units) {
  const uint64_t now = monotonic_ns();
  const int cpu = sched_getcpu();
  tracker(now).observe(now, cpu, units);
  slot_.placement[step_].observe(now, cpu, units);
}

void WorkerContext::wake_latency(uint64_t latency_ns) {
  tracker(monotonic_ns());
  slot_.wake[step_].offer(latency_ns);
}

void run_work(const WorkSpec& spec, WorkerContext& ctx, WorkerSlot& slot, const PairLink& pair) {
  (void)slot;
  switch (spec.type) {
    case WorkType::kSpin:
      while (!ctx.should_stop()) {
        burn_unit();
        ctx.progress();
      }
      return;
    case WorkType::kYield:
      while (!ctx.should_stop()) {
        burn_unit();
        sched_yield();
        ctx.progress();
      }
      return;
    case WorkType::kMixed:
    case WorkType::kBursty: {
      // Bursty: ten times the compute, then ten times the sleep, so wakeups
      // arrive in clumps rather than a steady trickle.
      const uint64_t k = spec.type == WorkType::kBursty ? 10 : 1;
      while (!ctx.should_stop()) {
        burn_for(ctx, spec.compute_ns * k);
        sleep_until(ctx, ctx.now_ns() + spec.sleep_ns * k);
        ctx.progress();
      }
      return;
    }
    case WorkType::kPipePingPong:
      if (pair.read_fd >= 0) return run_pipe_pingpong(ctx, pair);
      break;
    case WorkType::kFutexPingPong:
      if (pair.even != nullptr) return run_futex_pingpong(ctx, pair);
      break;
    case WorkType::kSyncIo:
      return run_sync_io(ctx);
    case WorkType::kCallable:
      if (spec.fn) {
        while (!ctx.should_stop()) spec.fn(ctx);
        return;
      }
      break;
  }
  // An unpaired ping-pong worker (odd count) or a callable without a body spins.
  while (!ctx.should_stop()) {
    burn_unit();
    ctx.progress();
  }
}

}  // namespace ktstr::guest
