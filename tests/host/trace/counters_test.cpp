#include <doctest/doctest.h>

#include "fixture.hpp"
#include "host/trace/counters.hpp"

using namespace ktstr;
using namespace ktstr::trace;
using testing::kMs;

TEST_CASE("progress bins: 1/200 of the run in whole ms, at least 10 ms") {
  CHECK(progress_bin_ns(2000 * kMs) == 10 * kMs);
  CHECK(progress_bin_ns(10'000 * kMs) == 50 * kMs);
  CHECK(progress_bin_ns(10'001 * kMs) == 51 * kMs);
  CHECK(progress_bin_ns(1) == 10 * kMs);
}

TEST_CASE("progress rates: units spread over each run's time, zero where the worker did not run") {
  RunTelemetry t;
  WorkerTelemetry w{.cgroup = "cg", .worker = 0, .pid = 7};
  w.placement = {{.start_us = 0, .end_us = 20'000, .units = 2000, .cpu = 0},       // 0-20 ms: 100/ms
                 {.start_us = 45'000, .end_us = 45'000, .units = 30, .cpu = 0}};  // a point in the 40-50 ms bin
  t.workers.push_back(w);
  auto series = progress_counters(t, 1000 * kMs);
  REQUIRE(series.size() == 1);
  const auto& s = series[0];
  CHECK(s.group == "progress");
  CHECK(s.name == "cg/w0");
  CHECK(s.unit == "iter/s");
  // bins of 10 ms: 1000 units each for 0-20 ms (joined), 0 for 20-40, 30 at 40-50, then the closing 0.
  REQUIRE(s.points.size() == 4);
  CHECK(s.points[0] == std::pair<uint64_t, double>{0, 100'000.0});
  CHECK(s.points[1] == std::pair<uint64_t, double>{20 * kMs, 0.0});
  CHECK(s.points[2] == std::pair<uint64_t, double>{40 * kMs, 3000.0});
  CHECK(s.points[3] == std::pair<uint64_t, double>{50 * kMs, 0.0});
}

TEST_CASE("progress rates: one series per worker across its steps, none without placement") {
  auto t = testing::sample_run();
  t.workers.push_back(WorkerTelemetry{.cgroup = "cg2", .worker = 0, .pid = 999});
  auto series = progress_counters(t, 2000 * kMs);
  REQUIRE(series.size() == 3);
  CHECK(series[0].name == "cg0/w0");
  CHECK(series[2].name == "cg1/w0");
  CHECK(series[2].points.back().first <= 1210 * kMs);  // starved after 1.2 s: the series closes there
  CHECK(series[2].points.back().second == 0.0);
  double total = 0;
  for (size_t i = 0; i + 1 < series[0].points.size(); ++i)
    total += series[0].points[i].second * static_cast<double>(series[0].points[i + 1].first - series[0].points[i].first) / 1e9;
  CHECK(total == doctest::Approx(static_cast<double>(t.workers[0].iterations + t.workers[2].iterations)).epsilon(0.001));
}
