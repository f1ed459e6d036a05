#include <doctest/doctest.h>

#include <vector>

#include "fixtures.hpp"
#include "host/verdict/metrics.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

TEST_CASE("off-CPU percentage") {
  CHECK(*off_cpu_pct(make_worker("a", 0, 0, 1, 1 << 20, 1 << 18)) == 75.0);
  CHECK(*off_cpu_pct(make_worker("a", 0, 0, 1, 1000, 1000)) == 0.0);
  CHECK(*off_cpu_pct(make_worker("a", 0, 0, 1, 1000, 1200)) == 0.0);  // accounting skew clamps at 0
  CHECK(*off_cpu_pct(make_worker("a", 0, 0, 1, 1000, 0)) == 100.0);
  CHECK_FALSE(off_cpu_pct(make_worker("a", 0, 0, 1, 0, 0)));
}

TEST_CASE("iteration rate and migrations per CPU second") {
  auto w = make_worker("a", 0, 0, 250, kSecond / 2, kSecond / 4);
  w.migrations = 3;
  CHECK(*iteration_rate(w) == 500.0);
  CHECK(*migrations_per_cpu_s(w) == 12.0);
  w.wall_ns = 0;
  w.cpu_ns = 0;
  CHECK_FALSE(iteration_rate(w));
  CHECK_FALSE(migrations_per_cpu_s(w));
}

TEST_CASE("nearest-rank percentile") {
  std::vector<uint64_t> hundred;
  for (uint64_t i = 100; i >= 1; --i) hundred.push_back(i);  // unsorted on purpose
  CHECK(*percentile_nearest_rank(hundred, 99) == 99);
  CHECK(*percentile_nearest_rank(hundred, 100) == 100);
  CHECK(*percentile_nearest_rank(hundred, 50) == 50);
  std::vector<uint64_t> two_hundred;
  for (uint64_t i = 1; i <= 200; ++i) two_hundred.push_back(i);
  CHECK(*percentile_nearest_rank(two_hundred, 99) == 198);
  std::vector<uint64_t> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(*percentile_nearest_rank(ten, 99) == 10);  // ceil(9.9) = 10th
  std::vector<uint64_t> one{42};
  CHECK(*percentile_nearest_rank(one, 99) == 42);
  CHECK_FALSE(percentile_nearest_rank(std::vector<uint64_t>{}, 99));
}

TEST_CASE("coefficient of variation (population)") {
  std::vector<double> v{100, 300};
  CHECK(*coefficient_of_variation(v) == doctest::Approx(0.5));
  std::vector<double> same{7, 7, 7};
  CHECK(*coefficient_of_variation(same) == 0.0);
  CHECK_FALSE(coefficient_of_variation(std::vector<double>{5}));
  CHECK_FALSE(coefficient_of_variation(std::vector<double>{0, 0}));
}

TEST_CASE("grouping keeps empty cgroups and orders by step then name") {
  RunTelemetry t;
  t.cgroups = {CgroupTelemetry{.name = "empty", .step = 0}, CgroupTelemetry{.name = "b", .step = 1}};
  t.workers = {make_worker("b", 0, 1, 1, 1, 1), make_worker("a", 0, 0, 1, 1, 1)};
  auto g = group_workers(t);
  REQUIRE(g.size() == 3);
  CHECK(g[0].cgroup == "a");
  CHECK(g[1].cgroup == "empty");
  CHECK(g[1].workers.empty());
  CHECK(g[2].cgroup == "b");
  CHECK(g[2].step == 1);
  CHECK_FALSE(spread(g[1]));  // empty cgroup: no spread
  CHECK_FALSE(spread(g[0]));  // one worker: no spread
}
