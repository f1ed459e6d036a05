// Building blocks the work families share (work_*.cpp): units of CPU work,
// timed sleeps, CPU pinning and small readers of per-process kernel counters.
// Internal to lib/guest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "guest/work.hpp"

namespace ktstr::guest {

// A short fixed unit of CPU work (~200 dependent multiply-adds) the compiler cannot drop.
inline void burn_unit() {
  volatile uint64_t x = 1;
  for (int i = 0; i < 200; ++i) x = x * 2862933555777941757ull + 3037000493ull;
}

// Burns units (one progress observation each) for ns of wall time or until stopped.
void burn_for(WorkerContext& ctx, uint64_t ns);
// Sleeps until an absolute CLOCK_MONOTONIC deadline; the lateness is a wake-latency sample.
void sleep_until(WorkerContext& ctx, uint64_t deadline_ns);
// Sleeps ns without recording anything (a pause, not a measured wakeup).
void nap(uint64_t ns);
// Spins in units until stopped: what group work does when its group has one member.
void spin_until_stopped(WorkerContext& ctx);

// The CPUs this process may run on (sched_getaffinity(2)), sorted.
std::vector<int> allowed_cpus();
// Pins the calling process to cpu; false when the kernel refuses.
bool pin_to_cpu(int cpu);
// Pins the caller to CPU number (group.id mod allowed CPUs) of its allowed set,
// so every member of a group shares one CPU and groups spread over the CPUs.
// Records the pinned_cpu fact; -1 when pinning failed.
int pin_group_to_one_cpu(WorkerContext& ctx, const GroupLink& group);

// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID).
uint64_t thread_cpu_ns();
// getrusage(RUSAGE_SELF) fields: minor faults, involuntary context switches.
uint64_t minor_faults();
uint64_t involuntary_switches();
// The first integer in a /proc or /sys file, if it has one.
std::optional<long> read_long(const std::string& path);

// Nanoseconds since `since` (0 when the clock reads earlier).
inline uint64_t elapsed_since(uint64_t now, uint64_t since) { return now > since ? now - since : 0; }

}  // namespace ktstr::guest
