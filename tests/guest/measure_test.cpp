#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "guest/measure.hpp"

using namespace ktstr::guest;

TEST_CASE("gap tracking finds the longest gap and counts the tail") {
  ProgressTracker p;
  p.begin(1000);
  p.observe(1010, 0);
  p.observe(1020, 0);
  p.observe(1500, 0);  // gap of 480 ending at +500
  p.observe(1510, 0);
  CHECK(p.iterations == 4);
  CHECK(p.max_gap_ns == 480);
  CHECK(p.max_gap_at_ns == 500);
  p.finish(2200);  // 690 without progress at the end
  CHECK(p.max_gap_ns == 690);
  CHECK(p.max_gap_at_ns == 1200);
}

TEST_CASE("a worker that never runs shows the whole window as a gap") {
  ProgressTracker p;
  p.begin(50);
  p.finish(1050);
  CHECK(p.iterations == 0);
  CHECK(p.max_gap_ns == 1000);
}

TEST_CASE("migrations and CPU sets") {
  ProgressTracker p;
  p.begin(0);
  for (int cpu : {3, 3, 5, 5, 3, 200, 200}) p.observe(1, cpu);
  CHECK(p.migrations == 3);
  CHECK(p.cpus.list() == std::vector<int>{3, 5, 200});
  CHECK(!p.cpus.test(4));
  p.cpus.set(999);  // out of range is ignored, not UB
  CHECK(p.cpus.list().size() == 3);
}

TEST_CASE("reservoir keeps a bounded uniform sample") {
  Reservoir<64> r;
  for (uint64_t i = 0; i < 10; ++i) r.offer(i);
  CHECK(r.size() == 10);
  CHECK(r.values() == std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  for (uint64_t i = 10; i < 100000; ++i) r.offer(i);
  CHECK(r.size() == 64);
  CHECK(r.seen == 100000);
  auto v = r.values();
  // A uniform sample of 0..99999 has a mean near 50000; only samples stuck in
  // the first 64 (no replacement) or the last values (always replacing) would
  // land far away.
  double mean = 0;
  for (auto x : v) mean += static_cast<double>(x) / static_cast<double>(v.size());
  CHECK(mean > 30000);
  CHECK(mean < 70000);
  CHECK(std::count_if(v.begin(), v.end(), [](uint64_t x) { return x >= 64; }) > 60);
}

TEST_CASE("a zero-filled reservoir (fresh shared memory) still samples uniformly") {
  static Reservoir<16> r;  // static storage: zero-filled like a fresh MAP_ANONYMOUS page
  std::memset(static_cast<void*>(&r), 0, sizeof r);
  for (uint64_t i = 0; i < 10000; ++i) r.offer(i);
  auto v = r.values();
  CHECK(std::count_if(v.begin(), v.end(), [](uint64_t x) { return x >= 16; }) > 12);
  std::sort(v.begin(), v.end());
  CHECK(std::unique(v.begin(), v.end()) == v.end());
}
