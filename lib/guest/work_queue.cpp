// Work with a dispatcher and its clients: an epoll poller fed by eventfd
// producers, a bounded producer/consumer queue, and a schbench-like message
// thread waking request workers. Rank 0 is the poller / message thread; in
// producer/consumer the last rank consumes.
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "base/fd.hpp"
#include "guest/futex.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {


// GroupArea use of the producer/consumer queue and schbench.
constexpr int kLock = 0;       // word[]: queue mutex
constexpr int kItemsSeq = 1;   // word[]: bumped per queued item (consumer sleeps on it)
constexpr int kSpaceSeq = 2;   // word[]: bumped per dequeued item (producers sleep on it)
constexpr int kDone = 3;       // word[]: schbench workers done with this round
constexpr int kHead = 0;       // value[]: items dequeued
constexpr int kTail = 1;       // value[]: items queued
constexpr uint64_t kQueueCap = 16;

// Producer r: one unit per event, then waits for the poller's ack before the
// next, so every producer fires again right after each drain (the storm).
void epoll_producer(WorkerContext& ctx, const GroupLink& g) {
  GroupArea& a = *g.area;
  auto& pending = a.member_word[g.rank];
  const int fd = g.write_fds[static_cast<size_t>(g.rank)];
  while (!ctx.should_stop()) {
    if (pending.load(std::memory_order_acquire) != 0) {
      futex_wait(pending, 1, kWaitNs);
      continue;
    }
    burn_unit();
    ctx.progress();
    a.member_stamp[g.rank].store(ctx.now_ns(), std::memory_order_relaxed);
    pending.store(1, std::memory_order_release);
    const uint64_t one = 1;
    if (write(fd, &one, sizeof one) == static_cast<ssize_t>(sizeof one)) ctx.count(Counter::kWakeupsSent);
  }
}

void epoll_poller(WorkerContext& ctx, const GroupLink& g) {
  GroupArea& a = *g.area;
  UniqueFd ep(epoll_create1(EPOLL_CLOEXEC));
  if (!ep) return;
  for (int r = 1; r < g.size; ++r) {
    epoll_event ev{.events = EPOLLIN, .data = {.u32 = static_cast<uint32_t>(r)}};
    epoll_ctl(ep.get(), EPOLL_CTL_ADD, g.read_fds[static_cast<size_t>(r)], &ev);
  }
  epoll_event evs[GroupArea::kMaxMembers];
  while (!ctx.should_stop()) {
    const int n = epoll_wait(ep.get(), evs, GroupArea::kMaxMembers, 50);
    if (n <= 0) continue;
    ctx.count(Counter::kEpollWaits);
    ctx.count(Counter::kEpollEvents, static_cast<uint64_t>(n));
    for (int i = 0; i < n; ++i) {
      const auto r = static_cast<int>(evs[i].data.u32);
      uint64_t v = 0;
      if (read(g.read_fds[static_cast<size_t>(r)], &v, sizeof v) != static_cast<ssize_t>(sizeof v)) continue;
      ctx.wake_latency(elapsed_since(ctx.now_ns(), a.member_stamp[r].load(std::memory_order_relaxed)));
      ctx.count(Counter::kWakeupsReceived, v);
      a.member_word[r].store(0, std::memory_order_release);
      futex_wake(a.member_word[r], 1);
    }
    ctx.progress();
  }
}

// Waits, sleeping on word[wait_seq], until ready(head, tail) holds under the
// queue lock, then runs act(head, tail) still holding it. False when stopped.
template <class Ready, class Act>
bool when_queue(WorkerContext& ctx, GroupArea& a, int wait_seq, Counter blocked, Ready ready, Act act) {
  FutexLock lock(a.word[kLock]);
  auto stop = [&] { return ctx.should_stop(); };
  for (;;) {
    if (lock.lock(stop) == FutexLock::Acquired::kStopped) return false;
    const uint64_t head = a.value[kHead].load(), tail = a.value[kTail].load();
    if (ready(head, tail)) {
      act(head, tail);
      lock.unlock();
      return true;
    }
    const uint32_t seq = a.word[wait_seq].load();
    lock.unlock();
    ctx.count(blocked);
    futex_wait(a.word[wait_seq], seq, kWaitNs);
    if (ctx.should_stop()) return false;
  }
}

// Queues one item (its enqueue time); sleeps while the queue is full.
bool enqueue(WorkerContext& ctx, GroupArea& a) {
  const bool done = when_queue(
      ctx, a, kSpaceSeq, Counter::kBlockedFull, [](uint64_t head, uint64_t tail) { return tail - head < kQueueCap; },
      [&](uint64_t, uint64_t tail) {
        a.queue[tail % kQueueCap].store(ctx.now_ns(), std::memory_order_relaxed);
        a.value[kTail].store(tail + 1);
      });
  if (done) {
    a.word[kItemsSeq].fetch_add(1);
    futex_wake(a.word[kItemsSeq], 1);
  }
  return done;
}

// Takes one item and returns its enqueue time; sleeps while the queue is empty.
std::optional<uint64_t> dequeue(WorkerContext& ctx, GroupArea& a) {
  uint64_t stamp = 0;
  const bool done = when_queue(
      ctx, a, kItemsSeq, Counter::kBlockedEmpty, [](uint64_t head, uint64_t tail) { return tail > head; },
      [&](uint64_t head, uint64_t) {
        stamp = a.queue[head % kQueueCap].load(std::memory_order_relaxed);
        a.value[kHead].store(head + 1);
      });
  if (!done) return std::nullopt;
  a.word[kSpaceSeq].fetch_add(1);
  futex_wake(a.word[kSpaceSeq], 1);
  return stamp;
}

// schbench message thread: post a request to every worker, wait until all
// are done, think for sleep_ns, repeat.
void schbench_message(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& g) {
  GroupArea& a = *g.area;
  const auto workers = static_cast<uint32_t>(g.size - 1);
  while (!ctx.should_stop()) {
    a.word[kDone].store(0, std::memory_order_relaxed);
    for (int r = 1; r < g.size; ++r) {
      a.member_stamp[r].store(ctx.now_ns(), std::memory_order_relaxed);
      a.member_word[r].store(1, std::memory_order_release);
      futex_wake(a.member_word[r], 1);
      ctx.count(Counter::kWakeupsSent);
    }
    for (uint32_t d; (d = a.word[kDone].load(std::memory_order_acquire)) < workers && !ctx.should_stop();)
      futex_wait(a.word[kDone], d, kWaitNs);
    ctx.progress();
    sleep_until(ctx, ctx.now_ns() + spec.sleep_ns);
  }
}

}  // namespace

void run_epoll_storm(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2 || g.read_fds.size() != static_cast<size_t>(g.size)) return spin_until_stopped(ctx);
  return g.rank == 0 ? epoll_poller(ctx, g) : epoll_producer(ctx, g);
}

// Every producer makes an item per unit; the consumer spends one unit per
// producer on each item, so the queue fills and producers block.
void run_producer_consumer(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  GroupArea& a = *g.area;
  if (g.rank < g.size - 1) {
    while (!ctx.should_stop()) {
      burn_unit();
      if (!enqueue(ctx, a)) return;
      ctx.count(Counter::kProduced);
      ctx.progress();
    }
    return;
  }
  while (auto stamp = dequeue(ctx, a)) {
    ctx.wake_latency(elapsed_since(ctx.now_ns(), *stamp));
    for (int i = 0; i < g.size - 1; ++i) burn_unit();
    ctx.count(Counter::kConsumed);
    ctx.progress();
  }
}

// Workers: wake on a request (the wakeup latency goes to the histogram that
// gives the percentiles), compute compute_ns, report done.
void run_schbench(const WorkSpec& spec, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  if (g.rank == 0) return schbench_message(spec, ctx, g);
  GroupArea& a = *g.area;
  auto& mine = a.member_word[g.rank];
  const auto workers = static_cast<uint32_t>(g.size - 1);
  while (!ctx.should_stop()) {
    if (mine.load(std::memory_order_acquire) == 0) {
      futex_wait(mine, 0, kWaitNs);
      continue;
    }
    ctx.wake_latency(elapsed_since(ctx.now_ns(), a.member_stamp[g.rank].load(std::memory_order_relaxed)));
    ctx.count(Counter::kWakeupsReceived);
    burn_for(ctx, spec.compute_ns);
    mine.store(0, std::memory_order_relaxed);
    if (a.word[kDone].fetch_add(1, std::memory_order_acq_rel) + 1 == workers) futex_wake(a.word[kDone], 1);
  }
}

}  // namespace ktstr::guest
