#include "guest/futex.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>

namespace ktstr::guest {
namespace {

uint32_t* addr(std::atomic<uint32_t>& w) { return reinterpret_cast<uint32_t*>(&w); }

}  // namespace

void futex_wait(std::atomic<uint32_t>& w, uint32_t expected, long timeout_ns) {
  timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  syscall(SYS_futex, addr(w), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

int futex_wake(std::atomic<uint32_t>& w, int n) {
  long r = syscall(SYS_futex, addr(w), FUTEX_WAKE, n, nullptr, nullptr, 0);
  return r < 0 ? 0 : static_cast<int>(r);
}

int futex_wake_all(std::atomic<uint32_t>& w) { return futex_wake(w, INT_MAX); }

void FutexLock::unlock() {
  // 1 -> 0 needs no syscall; from 2 someone may sleep: free it and wake one.
  if (w_.fetch_sub(1, std::memory_order_release) != 1) {
    w_.store(0, std::memory_order_release);
    futex_wake(w_, 1);
  }
}

}  // namespace ktstr::guest
