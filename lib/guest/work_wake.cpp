// Futex wakeup patterns: a token chain (ping-pong is a chain of two), a
// fan-out, a thundering herd and an asymmetric waker. Group roles: rank 0
// is the waker, every other rank a waiter (the chain has no leader).
#include "guest/futex.hpp"
#include "guest/work_families.hpp"
#include "guest/work_kit.hpp"

namespace ktstr::guest {
namespace {


// GroupArea words of the fan-out and the herd.
constexpr int kGeneration = 0;  // bumped once per event; waiters sleep on it
constexpr int kArrived = 1;     // waiters back and waiting for the next event
constexpr int kItem = 2;        // herd: 1 while the event's work item is unclaimed
constexpr int kPostNs = 0;      // value[]: when the event was posted

// A waiter's side of one event: announce arrival, sleep until the generation
// moves. False when stopped.
bool await_event(WorkerContext& ctx, GroupArea& a, uint32_t waiters) {
  const uint32_t gen = a.word[kGeneration].load(std::memory_order_acquire);
  if (a.word[kArrived].fetch_add(1) + 1 == waiters) futex_wake(a.word[kArrived], 1);
  while (a.word[kGeneration].load(std::memory_order_acquire) == gen) {
    if (ctx.should_stop()) return false;
    futex_wait(a.word[kGeneration], gen, kWaitNs);
  }
  ctx.wake_latency(elapsed_since(ctx.now_ns(), a.value[kPostNs].load(std::memory_order_relaxed)));
  ctx.count(Counter::kWakeupsReceived);
  return true;
}

// The waker's side: wait until every waiter sleeps again, then post one
// event (herd: with one work item) and wake them all.
void post_events(WorkerContext& ctx, GroupArea& a, uint32_t waiters, bool with_item) {
  while (!ctx.should_stop()) {
    const uint32_t n = a.word[kArrived].load(std::memory_order_acquire);
    if (n < waiters) {
      futex_wait(a.word[kArrived], n, kWaitNs);
      continue;
    }
    a.word[kArrived].store(0, std::memory_order_relaxed);
    burn_unit();
    if (with_item) a.word[kItem].store(1, std::memory_order_relaxed);
    a.value[kPostNs].store(ctx.now_ns(), std::memory_order_relaxed);
    a.word[kGeneration].fetch_add(1, std::memory_order_release);
    ctx.count(Counter::kFutexWoken, static_cast<uint64_t>(futex_wake_all(a.word[kGeneration])));
    ctx.count(Counter::kWakeupsSent);
    ctx.progress();
  }
}

// Waits on the member's own word until someone sets it; false when stopped.
bool await_token(WorkerContext& ctx, std::atomic<uint32_t>& mine) {
  while (mine.load(std::memory_order_acquire) == 0) {
    if (ctx.should_stop()) return false;
    futex_wait(mine, 0, kWaitNs);
  }
  return true;
}

// Sets member r's word with a timestamp and wakes it.
void hand_to(WorkerContext& ctx, GroupArea& a, int r) {
  a.member_stamp[r].store(ctx.now_ns(), std::memory_order_relaxed);
  a.member_word[r].store(1, std::memory_order_release);
  ctx.count(Counter::kFutexWoken, static_cast<uint64_t>(futex_wake(a.member_word[r], 1)));
  ctx.count(Counter::kWakeupsSent);
}

// Records the latency of a wakeup handed over with hand_to().
void took_token(WorkerContext& ctx, GroupArea& a, int r) {
  const uint64_t sent = a.member_stamp[r].load(std::memory_order_relaxed);
  if (sent == 0) return;  // the first token of the chain was never handed over
  ctx.wake_latency(elapsed_since(ctx.now_ns(), sent));
  ctx.count(Counter::kWakeupsReceived);
}

}  // namespace

// The token starts at rank 0; each member does one unit and hands it on.
void run_wake_chain(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  GroupArea& a = *g.area;
  auto& mine = a.member_word[g.rank];
  if (g.rank == 0) mine.store(1, std::memory_order_release);
  while (await_token(ctx, mine)) {
    took_token(ctx, a, g.rank);
    burn_unit();
    ctx.progress();
    mine.store(0, std::memory_order_relaxed);
    hand_to(ctx, a, (g.rank + 1) % g.size);
  }
}

// Every waiter does one unit per event.
void run_futex_fanout(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  const auto waiters = static_cast<uint32_t>(g.size - 1);
  if (g.rank == 0) return post_events(ctx, *g.area, waiters, /*with_item=*/false);
  while (await_event(ctx, *g.area, waiters)) {
    burn_unit();
    ctx.progress();
  }
}

// Every waiter wakes per event, but only the first to claim the item works.
void run_thundering_herd(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  const auto waiters = static_cast<uint32_t>(g.size - 1);
  GroupArea& a = *g.area;
  if (g.rank == 0) return post_events(ctx, a, waiters, /*with_item=*/true);
  while (await_event(ctx, a, waiters)) {
    uint32_t one = 1;
    if (a.word[kItem].compare_exchange_strong(one, 0, std::memory_order_acq_rel)) {
      ctx.count(Counter::kRaceWins);
      for (int i = 0; i < 8; ++i) burn_unit();  // the work item
    } else {
      ctx.count(Counter::kRaceLosses);
    }
    ctx.progress();
  }
}

// Rank 0 never sleeps: after each unit it wakes the next sleeper in turn
// (skipping one still busy); sleepers do one unit per wakeup.
void run_asymmetric_waker(const WorkSpec&, WorkerContext& ctx, const GroupLink& g) {
  if (g.size < 2) return spin_until_stopped(ctx);
  GroupArea& a = *g.area;
  if (g.rank == 0) {
    for (uint64_t i = 0; !ctx.should_stop(); ++i) {
      burn_unit();
      ctx.progress();
      const int r = 1 + static_cast<int>(i % static_cast<uint64_t>(g.size - 1));
      if (a.member_word[r].load(std::memory_order_acquire) == 0) hand_to(ctx, a, r);
    }
    return;
  }
  auto& mine = a.member_word[g.rank];
  while (await_token(ctx, mine)) {
    took_token(ctx, a, g.rank);
    burn_unit();
    ctx.progress();
    mine.store(0, std::memory_order_release);
  }
}

}  // namespace ktstr::guest
