// Futex primitives over words in MAP_SHARED memory, used by workers of
// different processes (so never FUTEX_PRIVATE_FLAG: futex(2), "Private
// futexes"). Every wait takes a timeout so a waiter can notice a stop request.
#pragma once

#include <atomic>
#include <cstdint>

namespace ktstr::guest {

// How long one wait of a worker lasts before it re-checks its stop flag.
inline constexpr long kWaitNs = 50'000'000;

// Sleeps while w == expected, at most timeout_ns; returns at once otherwise.
void futex_wait(std::atomic<uint32_t>& w, uint32_t expected, long timeout_ns);
// Wakes up to n waiters of w; returns how many the kernel woke.
int futex_wake(std::atomic<uint32_t>& w, int n);
// Wakes every waiter of w.
int futex_wake_all(std::atomic<uint32_t>& w);

// A mutex on one shared word: 0 free, 1 held, 2 held with (possible)
// waiters — the three-state futex mutex of U. Drepper, "Futexes Are Tricky"
// (2011), section 6. Only the holder unlocks.
class FutexLock {
 public:
  enum class Acquired { kFree, kContended, kStopped };
  explicit FutexLock(std::atomic<uint32_t>& w) : w_(w) {}
  // Takes the lock; kContended when it had to wait. Gives up (kStopped,
  // lock not held) when should_stop() turns true while waiting.
  template <class Stop>
  Acquired lock(Stop&& should_stop) {
    uint32_t c = 0;
    if (w_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return Acquired::kFree;
    if (c != 2) c = w_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      if (should_stop()) return Acquired::kStopped;
      futex_wait(w_, 2, kWaitNs);
      c = w_.exchange(2, std::memory_order_acquire);
    }
    return Acquired::kContended;
  }
  void unlock();

 private:
  std::atomic<uint32_t>& w_;
};

}  // namespace ktstr::guest
