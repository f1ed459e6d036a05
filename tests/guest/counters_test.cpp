#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "guest/counters.hpp"

using namespace ktstr::guest;

TEST_CASE("histogram buckets are exact below 8 ns and 1/8 wide above") {
  for (uint64_t v = 0; v < 8; ++v) {
    CHECK(LatencyHistogram::bucket(v) == static_cast<int>(v));
    CHECK(LatencyHistogram::bucket_high(static_cast<int>(v)) == v);
  }
  // Every value lands in a bucket whose upper edge is >= it and < 1.125x it.
  for (uint64_t v : {8ull, 9ull, 15ull, 16ull, 17ull, 1000ull, 123'456ull, 999'999'999ull, (1ull << 40) + 12345}) {
    CAPTURE(v);
    const int b = LatencyHistogram::bucket(v);
    CHECK(LatencyHistogram::bucket_high(b) >= v);
    CHECK(static_cast<double>(LatencyHistogram::bucket_high(b)) < 1.125 * static_cast<double>(v) + 1);
    if (b > 0) CHECK(LatencyHistogram::bucket_high(b - 1) < v);  // and not in the bucket below
  }
  CHECK(LatencyHistogram::bucket(~0ull) == LatencyHistogram::kBuckets - 1);  // clamped, not out of range
  CHECK(LatencyHistogram::bucket_high(LatencyHistogram::kBuckets - 1) == (1ull << 41) - 1);
}

TEST_CASE("percentiles follow nearest rank within a bucket's width") {
  LatencyHistogram h;
  CHECK(h.percentile(50) == 0);
  CHECK(percentile_map(h).empty());
  std::vector<uint64_t> values;
  for (uint64_t i = 1; i <= 10'000; ++i) values.push_back(i * 1000);  // 1 us .. 10 ms
  for (uint64_t v : values) h.add(v);
  for (double q : {50.0, 90.0, 99.0, 99.9}) {
    CAPTURE(q);
    const uint64_t exact = values[static_cast<size_t>(q / 100 * 10'000) - 1];
    const uint64_t got = h.percentile(q);
    CHECK(got >= exact);
    CHECK(static_cast<double>(got) <= 1.125 * static_cast<double>(exact));
  }
  CHECK(h.percentile(100) == 10'000'000);  // never above the largest value seen
  auto m = percentile_map(h);
  REQUIRE(m.size() == 4);
  CHECK(m["p50"] <= m["p90"]);
  CHECK(m["p90"] <= m["p99"]);
  CHECK(m["p99"] <= m["p99.9"]);
}

TEST_CASE("one slow outlier among fast wakeups shows only in the top percentile") {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.add(50'000);
  h.add(80'000'000);
  CHECK(h.percentile(99) < 60'000);
  CHECK(h.percentile(99.9) < 60'000);  // rank 999 of 1000 is still fast
  CHECK(h.percentile(100) == 80'000'000);
}

TEST_CASE("counters export non-zero counts and every fact that was set") {
  CounterRow c;
  FactRow f;
  c.add(Counter::kForks, 3);
  c.add(Counter::kForks);
  c.add(Counter::kWakeupsSent, 0);
  f.set(Fact::kPinnedCpu, 0);  // a fact of zero is still reported
  std::map<std::string, uint64_t> out;
  export_counters(c, f, out);
  CHECK(out == std::map<std::string, uint64_t>{{"forks", 4}, {"pinned_cpu", 0}});
  for (size_t i = 0; i < kCounterCount; ++i) CHECK(!counter_name(static_cast<Counter>(i)).empty());
  for (size_t i = 0; i < kFactCount; ++i) CHECK(!fact_name(static_cast<Fact>(i)).empty());
}

// Counters and facts share one map in the record, so a name used by both
// (or twice) would silently overwrite a value.
TEST_CASE("counter and fact names are distinct snake_case words") {
  std::set<std::string_view> names;
  auto well_formed = [](std::string_view n) {
    return !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  };
  for (size_t i = 0; i < kCounterCount; ++i) {
    const auto n = counter_name(static_cast<Counter>(i));
    CAPTURE(n);
    CHECK(well_formed(n));
    CHECK(names.insert(n).second);
  }
  for (size_t i = 0; i < kFactCount; ++i) {
    const auto n = fact_name(static_cast<Fact>(i));
    CAPTURE(n);
    CHECK(well_formed(n));
    CHECK(names.insert(n).second);
  }
  CHECK(names.size() == kCounterCount + kFactCount);
}

TEST_CASE("a fact set twice keeps the last value and an unset fact stays absent") {
  FactRow f;
  f.set(Fact::kPinnedCpu, 3);
  f.set(Fact::kPinnedCpu, 1);
  CounterRow c;
  c.add(Counter::kTimeslices, 7);
  std::map<std::string, uint64_t> out;
  export_counters(c, f, out);
  CHECK(out == std::map<std::string, uint64_t>{{"pinned_cpu", 1}, {"timeslices", 7}});
  CHECK(c.get(Counter::kTimeslices) == 7);
  CHECK(c.get(Counter::kForks) == 0);
}

TEST_CASE("percentiles of a single sample and of two clusters") {
  LatencyHistogram one;
  one.add(1'234);
  for (double q : {0.1, 50.0, 100.0}) CHECK(one.percentile(q) == 1'234);  // capped at the only value seen
  LatencyHistogram two;
  for (int i = 0; i < 90; ++i) two.add(1'000);
  for (int i = 0; i < 10; ++i) two.add(1'000'000);
  CHECK(two.percentile(90) < 1'125);    // rank 90 is the last fast one
  CHECK(two.percentile(91) >= 1'000'000);  // rank 91 the first slow one
  CHECK(two.total == 100);
  CHECK(two.max_ns == 1'000'000);
}
