// Per-worker measurement state. Plain trivially-copyable structs so they can
// live in a MAP_SHARED slot written by the worker and read by the runner;
// no allocation, no pointers. Single writer (the worker) per object.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::guest {

// A set of CPU numbers below kMaxCpus (the largest supported guest is 252 vCPUs).
struct CpuMask {
  static constexpr int kMaxCpus = 256;
  std::array<uint64_t, kMaxCpus / 64> bits{};

  void set(int cpu) {
    if (cpu >= 0 && cpu < kMaxCpus) bits[static_cast<size_t>(cpu) / 64] |= uint64_t{1} << (cpu % 64);
  }
  [[nodiscard]] bool test(int cpu) const {
    return cpu >= 0 && cpu < kMaxCpus && (bits[static_cast<size_t>(cpu) / 64] >> (cpu % 64)) & 1;
  }
  [[nodiscard]] std::vector<int> list() const;
};

// Uniform reservoir sample of at most N values (Vitter's Algorithm R,
// "Random Sampling with a Reservoir", ACM TOMS 1985) with a small xorshift
// generator so it needs no allocation and behaves the same in every process.
template <size_t N>
struct Reservoir {
  uint64_t seen = 0;
  uint64_t rng = 0x9e3779b97f4a7c15ull;
  std::array<uint64_t, N> samples{};

  void offer(uint64_t v) {
    if (seen < N) {
      samples[seen++] = v;
      return;
    }
    ++seen;
    uint64_t j = next() % seen;  // keep v with probability N/seen
    if (j < N) samples[j] = v;
  }
  [[nodiscard]] size_t size() const { return seen < N ? static_cast<size_t>(seen) : N; }
  [[nodiscard]] std::vector<uint64_t> values() const {
    return std::vector<uint64_t>(samples.begin(), samples.begin() + static_cast<long>(size()));
  }

 private:
  uint64_t next() {  // xorshift64 (Marsaglia 2003); state 0 is its fixed point
    if (rng == 0) rng = 0x9e3779b97f4a7c15ull;  // zero-filled shared memory
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  }
};

using WakeReservoir = Reservoir<kMaxLatencySamples>;

// Progress of one worker within one step: work units, the longest gap
// between consecutive progress observations, and where it ran.
struct ProgressTracker {
  uint64_t start_ns = 0;     // step start (absolute CLOCK_MONOTONIC)
  uint64_t last_ns = 0;      // last observation; start_ns before the first
  uint64_t iterations = 0;
  uint64_t max_gap_ns = 0;
  uint64_t max_gap_at_ns = 0;  // end of the longest gap, relative to start_ns
  uint64_t migrations = 0;
  int last_cpu = -1;
  CpuMask cpus;

  // Starts a step window at now_ns; a worker that never runs again shows the
  // whole window as one gap.
  void begin(uint64_t now_ns, int cpu_hint = -1) {
    *this = ProgressTracker{};
    start_ns = last_ns = now_ns;
    last_cpu = cpu_hint;
  }
  // One progress observation: units of work completed, on cpu, at now_ns.
  void observe(uint64_t now_ns, int cpu, uint64_t units = 1) {
    iterations += units;
    note_gap(now_ns);
    if (last_cpu >= 0 && cpu != last_cpu) ++migrations;
    last_cpu = cpu;
    cpus.set(cpu);
  }
  // Closes the window: time since the last observation counts as a gap too.
  void finish(uint64_t end_ns) { note_gap(end_ns); }

 private:
  void note_gap(uint64_t now_ns) {
    if (now_ns < last_ns) return;
    if (now_ns - last_ns > max_gap_ns) {
      max_gap_ns = now_ns - last_ns;
      max_gap_at_ns = now_ns - start_ns;
    }
    last_ns = now_ns;
  }
};

}  // namespace ktstr::guest
