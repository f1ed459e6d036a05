#include <doctest/doctest.h>

#include <cstring>
#include <memory>

#include "guest/placement_log.hpp"
#include "guest/work.hpp"

using namespace ktstr;
using namespace ktstr::guest;

namespace {
constexpr uint64_t kUs = 1000;  // observe() takes nanoseconds
}

TEST_CASE("observations on one CPU without a long pause form one run") {
  PlacementLog log;
  log.begin();
  log.observe(1000 * kUs, 2, 1);
  log.observe(1050 * kUs, 2, 1);
  log.observe(1150 * kUs, 2, 3);  // 100 us pause: still the same run
  log.observe(1251 * kUs, 2, 1);  // 101 us: off-CPU in between
  log.observe(1260 * kUs, 3, 1);  // another CPU
  auto runs = log.snapshot(1000 * kUs);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].start_us == 0);
  CHECK(runs[0].end_us == 150);
  CHECK(runs[0].units == 5);
  CHECK(runs[0].cpu == 2);
  CHECK(runs[1].start_us == 251);
  CHECK(runs[1].end_us == 251);
  CHECK(runs[2].cpu == 3);
  CHECK(log.merged_us == 0);
}

TEST_CASE("a clock reading behind the last one (another CPU's) keeps the runs in order") {
  PlacementLog log;
  log.begin();
  log.observe(1000 * kUs, 0, 1);
  log.observe(1040 * kUs, 0, 1);
  log.observe(1030 * kUs, 1, 1);  // migrated; this CPU's clock reads 10 us behind
  log.observe(1035 * kUs, 1, 1);
  log.observe(1020 * kUs, 1, 1);
  auto runs = log.snapshot(0);
  REQUIRE(runs.size() == 2);  // nothing dropped as torn
  CHECK(runs[0].end_us == 1040);
  CHECK(runs[1].start_us == 1040);
  CHECK(runs[1].end_us == 1040);
  CHECK(runs[1].units == 3);
}

TEST_CASE("a full log halves itself: bounded, ordered, no work lost") {
  // Zero-filled, as a fresh MAP_SHARED slot is.
  auto mem = std::make_unique<unsigned char[]>(sizeof(PlacementLog));
  std::memset(mem.get(), 0, sizeof(PlacementLog));
  auto* log = reinterpret_cast<PlacementLog*>(mem.get());
  uint64_t t = 5'000'000;
  const int kSlices = 1000;
  for (int i = 0; i < kSlices; ++i) {  // 1 ms on a CPU, then 1 ms off, alternating two CPUs
    for (int k = 0; k < 20; ++k) log->observe((t + static_cast<uint64_t>(k) * 50) * kUs, i % 2, 1);
    t += 2000;
    CHECK(log->count <= kMaxCpuRuns);
  }
  auto runs = log->snapshot(0);
  CHECK(runs.size() <= kMaxCpuRuns);
  CHECK(runs.size() >= kMaxCpuRuns / 2);
  CHECK(runs.front().start_us == 5'000'000);
  CHECK(runs.back().end_us == t - 2000 + 950);
  uint64_t units = 0;
  for (size_t i = 0; i < runs.size(); ++i) {
    units += runs[i].units;
    if (i > 0) CHECK(runs[i].start_us > runs[i - 1].end_us);
  }
  CHECK(units == 20u * kSlices);
  CHECK(log->merged_us > 0);
  log->begin();
  CHECK(log->snapshot(0).empty());
}

TEST_CASE("a snapshot keeps the consistent prefix of a log being written") {
  PlacementLog log;
  log.begin();
  log.observe(100 * kUs, 0, 1);
  log.observe(300 * kUs, 1, 1);
  log.observe(500 * kUs, 0, 1);
  log.runs[1].end_us = 50;  // as if torn mid-write
  CHECK(log.snapshot(0).size() == 1);
  log.runs[1].end_us = 300;
  log.runs[2].cpu = -7;
  CHECK(log.snapshot(0).size() == 2);
  log.count = 10'000;  // a count beyond the array is clamped
  CHECK(log.snapshot(0).size() == 2);
}

TEST_CASE("the worker slot stays within its documented size") {
  // worker_pool.cpp states ~166 KiB per slot (reservoirs, placement logs,
  // counter rows and latency histograms).
  CHECK(sizeof(PlacementLog) == 16 + kMaxCpuRuns * sizeof(CpuRun));
  CHECK(sizeof(WorkerSlot) < 168 * 1024);
  CHECK(sizeof(WorkerSlot) > 164 * 1024);
}
