#include <doctest/doctest.h>

#include "fixture.hpp"
#include "host/trace/lanes.hpp"
#include "host/trace/tracks.hpp"

using namespace ktstr;
using namespace ktstr::trace;

namespace {
WorkerTelemetry with_runs(const char* cgroup, int index, std::vector<CpuRun> runs) {
  WorkerTelemetry w{.cgroup = cgroup, .worker = index, .pid = 100 + index};
  w.placement = std::move(runs);
  return w;
}
}  // namespace

TEST_CASE("lanes: one per CPU, disjoint, overlaps become shared spans") {
  RunTelemetry t;
  t.workers.push_back(with_runs("a", 0, {{.start_us = 0, .end_us = 100, .cpu = 0}, {.start_us = 200, .end_us = 300, .cpu = 1}}));
  t.workers.push_back(with_runs("b", 1, {{.start_us = 50, .end_us = 150, .cpu = 0}, {.start_us = 400, .end_us = 400, .cpu = 1}}));
  auto lanes = cpu_lanes(t);
  REQUIRE(lanes.size() == 2);
  CHECK(lanes[0].cpu == 0);
  REQUIRE(lanes[0].spans.size() == 3);
  CHECK(lanes[0].spans[0].start_us == 0);
  CHECK(lanes[0].spans[0].end_us == 50);
  CHECK(lanes[0].spans[0].records == std::vector<size_t>{0});
  CHECK(lanes[0].spans[1].records == std::vector<size_t>{0, 1});  // 50-100: both seen
  CHECK(lanes[0].spans[2].start_us == 100);
  CHECK(lanes[0].spans[2].end_us == 150);
  CHECK(lanes[0].spans[2].records == std::vector<size_t>{1});
  REQUIRE(lanes[1].spans.size() == 2);
  CHECK(lanes[1].spans[1].start_us == 400);
  CHECK(lanes[1].spans[1].end_us == 401);  // a single observation counts as 1 us
}

TEST_CASE("lanes: touching runs of the same worker join, the sample run's lanes never overlap") {
  RunTelemetry t;
  t.workers.push_back(with_runs("a", 0, {{.start_us = 0, .end_us = 10, .cpu = 3}}));
  t.workers.push_back(with_runs("a", 0, {{.start_us = 10, .end_us = 20, .cpu = 3}}));
  auto lanes = cpu_lanes(t);
  REQUIRE(lanes.size() == 1);
  CHECK(lanes[0].spans.size() == 2);  // different records: not joined
  auto sample = cpu_lanes(testing::sample_run());
  REQUIRE(sample.size() == 2);
  for (const auto& lane : sample)
    for (size_t i = 1; i < lane.spans.size(); ++i) {
      CHECK(lane.spans[i].start_us >= lane.spans[i - 1].end_us);
      CHECK(lane.spans[i].end_us > lane.spans[i].start_us);
    }
}

TEST_CASE("tracks: overlapping intervals go to further tracks, disjoint ones share") {
  auto t = assign_tracks({{0, 10}, {5, 15}, {10, 20}, {12, 13}, {30, 30}, {30, 30}});
  CHECK(t == std::vector<int>{0, 1, 0, 2, 0, 0});
  CHECK(assign_tracks({}).empty());
}
