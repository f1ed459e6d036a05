// The resource-spec document and the host probe.
#include <doctest/doctest.h>
#include <sched.h>

#include "host/ci/resource_spec.hpp"

namespace ci = ktstr::ci;

TEST_CASE("resource spec: version 1.0, one cpus resource per CPU with one slot, ids as strings") {
  const auto spec = ci::resource_spec({0, 2, 5});
  CHECK(spec["version"]["major"] == 1);
  CHECK(spec["version"]["minor"] == 0);
  REQUIRE(spec["local"].is_array());
  REQUIRE(spec["local"].size() == 1);
  const auto& cpus = spec["local"][0]["cpus"];
  REQUIRE(cpus.size() == 3);
  CHECK(cpus[0]["id"] == "0");
  CHECK(cpus[1]["id"] == "2");
  CHECK(cpus[2]["id"] == "5");
  for (const auto& c : cpus) CHECK(c["slots"] == 1);
  CHECK(spec["local"][0].size() == 1);  // no other resource types
}

TEST_CASE("first_cpus numbers a budget from 0") {
  CHECK(ci::first_cpus(3) == std::vector<int>{0, 1, 2});
  CHECK(ci::first_cpus(0).empty());
}

TEST_CASE("detect_host_cpus lists exactly this process's affinity mask") {
  auto cpus = ci::detect_host_cpus();
  REQUIRE(cpus);
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof(set), &set) == 0);
  CHECK(static_cast<int>(cpus->size()) == CPU_COUNT(&set));
  for (int c : *cpus) CHECK(CPU_ISSET(c, &set));
  CHECK(std::is_sorted(cpus->begin(), cpus->end()));
}
