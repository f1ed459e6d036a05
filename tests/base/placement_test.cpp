#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "base/placement.hpp"

using namespace ktstr;

namespace {
CpuRun run(uint64_t start, uint64_t end, int cpu, uint64_t units = 1) {
  return CpuRun{.start_us = start, .end_us = end, .units = units, .cpu = cpu};
}
}  // namespace

TEST_CASE("merge cost: the gap on one CPU, plus the shorter run across CPUs") {
  CHECK(merge_cost(run(0, 10, 1), run(30, 40, 1)) == 20);
  CHECK(merge_cost(run(0, 10, 1), run(30, 35, 2)) == 25);
  CHECK(merge_cost(run(0, 10, 1), run(10, 100, 2)) == 10);
  CHECK(merge_cost(run(0, 10, 1), run(5, 20, 1)) == 0);  // overlapping (torn) input costs no gap
}

TEST_CASE("coarsening merges the cheapest pair first and accounts for it") {
  std::vector<CpuRun> runs = {run(0, 10, 0, 5), run(15, 20, 0, 2), run(100, 110, 0, 1), run(300, 400, 1, 7)};
  uint64_t merged = 0;
  coarsen_runs(runs, 3, merged);
  REQUIRE(runs.size() == 3);
  CHECK(merged == 5);  // the 5 us gap between the first two
  CHECK(runs[0].start_us == 0);
  CHECK(runs[0].end_us == 20);
  CHECK(runs[0].units == 7);
  CHECK(runs[0].cpu == 0);

  coarsen_runs(runs, 2, merged);  // next: the 80 us gap (vs 190 + 10 across CPUs)
  REQUIRE(runs.size() == 2);
  CHECK(merged == 85);
  CHECK(runs[0].end_us == 110);

  coarsen_runs(runs, 1, merged);  // across CPUs: gap 190 + shorter run 100
  REQUIRE(runs.size() == 1);
  CHECK(merged == 85 + 190 + 100);
  CHECK(runs[0].cpu == 0);  // the 110 us run outweighs the 100 us one
  CHECK(runs[0].end_us == 400);
  CHECK(runs[0].units == 15);  // no work is lost

  coarsen_runs(runs, 0, merged);
  CHECK(runs.empty());
  CHECK(merged == 375);  // dropping shows nothing, so nothing wrongly
}

TEST_CASE("coarsening is stable on ties and keeps the runs in time order") {
  std::vector<CpuRun> runs;
  for (uint64_t i = 0; i < 64; ++i) runs.push_back(run(i * 100, i * 100 + 50, static_cast<int>(i % 2)));
  uint64_t merged = 0;
  coarsen_runs(runs, 16, merged);
  REQUIRE(runs.size() == 16);
  CHECK(runs.front().start_us == 0);
  CHECK(runs.back().end_us == 63 * 100 + 50);
  for (size_t i = 1; i < runs.size(); ++i) CHECK(runs[i].start_us > runs[i - 1].end_us);
  uint64_t units = 0;
  for (const auto& r : runs) units += r.units;
  CHECK(units == 64);
  CHECK(merged > 0);
}

TEST_CASE("a run serialises as [start_us, end_us, cpu, units]") {
  nlohmann::json j = run(12, 34, 5, 678);
  CHECK(j.dump() == "[12,34,5,678]");
  auto back = j.get<CpuRun>();
  CHECK(back.start_us == 12);
  CHECK(back.end_us == 34);
  CHECK(back.cpu == 5);
  CHECK(back.units == 678);
  CHECK_THROWS(nlohmann::json::parse("[1,2]").get<CpuRun>());
}
