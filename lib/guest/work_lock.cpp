// Memory and locking: page-fault churn, futex mutex contention and a
// priority inversion (a low-priority holder starved by busier tasks while a
// high-priority waiter blocks on its lock).
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/mapping.hpp"
#include "guest/futex.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {

constexpr uint64_t kFaultRegion = 4ull << 20;
constexpr int kLockWord = 0;   // GroupArea word[]: the mutex
constexpr int kOwnerWord = 1;  // word[]: rank + 1 of the member inside the critical section

// Takes the group lock, counting the acquisition and (when it had to wait)
// the contention and the wait as a latency sample. False when stopped.
bool take(WorkerContext& ctx, FutexLock& lock) {
  const uint64_t t0 = ctx.now_ns();
  const auto got = lock.lock([&] { return ctx.should_stop(); });
  if (got == FutexLock::Acquired::kStopped) return false;
  ctx.count(Counter::kLockAcquired);
  if (got == FutexLock::Acquired::kContended) {
    ctx.count(Counter::kLockContended);
    ctx.wake_latency(elapsed_since(ctx.now_ns(), t0));
  }
  return true;
}

// The low-priority holder: holds the lock for hold_cpu_ns of its own CPU
// time (however long that takes on a busy CPU), then pauses.
void hold_lock_low(const WorkSpec& spec, WorkerContext& ctx, FutexLock& lock) {
  setpriority(PRIO_PROCESS, 0, 19);
  const uint64_t hold_cpu_ns = 4 * spec.compute_ns;
  while (!ctx.should_stop()) {
    if (!take(ctx, lock)) return;
    const uint64_t c0 = thread_cpu_ns(), w0 = ctx.now_ns();
    while (thread_cpu_ns() - c0 < hold_cpu_ns && !ctx.should_stop()) {
      burn_unit();
      ctx.progress();
    }
    ctx.count(Counter::kHoldCpuNs, thread_cpu_ns() - c0);
    ctx.count(Counter::kHoldWallNs, elapsed_since(ctx.now_ns(), w0));
    ctx.count(Counter::kLockHolds);
    lock.unlock();
    nap(spec.sleep_ns);
  }
}

// The high-priority waiter: pauses, then wants the lock briefly.
void want_lock_high(const WorkSpec& spec, WorkerContext& ctx, FutexLock& lock) {
  setpriority(PRIO_PROCESS, 0, -20);
  while (!ctx.should_stop()) {
    nap(spec.sleep_ns);
    if (!take(ctx, lock)) return;
    burn_unit();
    lock.unlock();
    ctx.progress();
  }
}

}  // namespace

// Maps a fresh 4 MiB private region, touches one byte per page (a minor
// fault each) and unmaps it again; the guest kernel's tinyconfig has no
// madvise(2) (CONFIG_ADVISE_SYSCALLS), so munmap is what drops the pages.
void run_page_fault_churn(const WorkSpec&, WorkerContext& ctx, const GroupLink&) {
  const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  while (!ctx.should_stop()) {
    auto mem = Mapping::anonymous(kFaultRegion, /*shared=*/false);
    if (!mem) return;
    madvise(mem->data(), mem->size(), MADV_NOHUGEPAGE);  // hosts with THP: one fault per 4 KiB page
    const uint64_t f0 = minor_faults();
    uint64_t touched = 0;
    for (uint64_t off = 0; off < mem->size() && !ctx.should_stop(); off += page, ++touched) {
      *reinterpret_cast<volatile char*>(mem->data() + off) = 1;
      if (touched % 64 == 63) ctx.progress();
    }
    ctx.count(Counter::kPageFaults, minor_faults() - f0);
    ctx.count(Counter::kPagesTouched, touched);
  }
}

// Every member: lock, two units inside (checking nobody else is inside),
// unlock, one unit outside.
void run_mutex_contention(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  GroupArea& a = *g.area;
  FutexLock lock(a.word[kLockWord]);
  const auto me = static_cast<uint32_t>(g.rank + 1);
  while (take(ctx, lock)) {
    if (a.word[kOwnerWord].exchange(me) != 0) ctx.count(Counter::kExclusionViolations);
    burn_unit();
    burn_unit();
    if (a.word[kOwnerWord].exchange(0) != me) ctx.count(Counter::kExclusionViolations);
    lock.unlock();
    burn_unit();
    ctx.progress();
  }
}

// Rank 0 holds (nice 19), the last rank waits (nice -20), ranks between
// spin at nice 0; the whole group shares one CPU, so the holder runs only in
// the hogs' leftovers while the waiter blocks on its lock.
void run_priority_inversion(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  pin_group_to_one_cpu(ctx, g);
  FutexLock lock(g.area->word[kLockWord]);
  if (g.rank == 0) return hold_lock_low(spec, ctx, lock);
  if (g.rank == g.size - 1) return want_lock_high(spec, ctx, lock);
  spin_until_stopped(ctx);
}

}  // namespace ktstr::guest
