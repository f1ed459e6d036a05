#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "guest/cpuset_spec.hpp"

using ktstr::Topology;
using ktstr::guest::CpuLayout;
using ktstr::guest::resolve_affinity;
using ktstr::guest::resolve_cpuset;
using V = std::vector<int>;

namespace {
CpuLayout layout(const char* topo) { return CpuLayout::from_topology(*Topology::parse(topo)); }
}  // namespace

TEST_CASE("explicit lists and all") {
  auto l = layout("1n2l2c2t");  // 8 CPUs
  CHECK(*resolve_cpuset("", l) == V{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(*resolve_cpuset("all", l) == V{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(*resolve_cpuset("0-2,7", l) == V{0, 1, 2, 7});
  CHECK(*resolve_cpuset("7,0", l) == V{0, 7});
  auto bad = resolve_cpuset("0-3,8", l);
  REQUIRE(!bad);
  CHECK(bad.error().message.find("CPU 8 is not online") != std::string::npos);
  CHECK(!resolve_cpuset("x", l));
}

TEST_CASE("llc and node specs follow the topology") {
  auto l = layout("2n4l2c1t");  // 8 CPUs, 2 per LLC, 2 LLCs per node
  CHECK(*resolve_cpuset("llc:0", l) == V{0, 1});
  CHECK(*resolve_cpuset("llc:3", l) == V{6, 7});
  CHECK(*resolve_cpuset("node:1", l) == V{4, 5, 6, 7});
  auto oob = resolve_cpuset("llc:4", l);
  REQUIRE(!oob);
  CHECK(oob.error().message.find("LLC 4 out of range (guest has 4)") != std::string::npos);
  CHECK(!resolve_cpuset("node:2", l));
  CHECK(!resolve_cpuset("llc:-1", l));
  CHECK(!resolve_cpuset("llc:", l));
}

TEST_CASE("fractions take the first part of the machine") {
  auto l = layout("1n1l4c1t");
  CHECK(*resolve_cpuset("frac:1/2", l) == V{0, 1});
  CHECK(*resolve_cpuset("frac:3/4", l) == V{0, 1, 2});
  CHECK(*resolve_cpuset("frac:1/1", l) == V{0, 1, 2, 3});
  CHECK(*resolve_cpuset("frac:1/8", l) == V{0});  // never empty
  CHECK(!resolve_cpuset("frac:0/2", l));
  CHECK(!resolve_cpuset("frac:3/2", l));
  CHECK(!resolve_cpuset("frac:1/0", l));
}

TEST_CASE("splits are disjoint and cover every CPU") {
  auto l = layout("1n1l7c1t");
  V seen;
  for (int k = 0; k < 3; ++k) {
    auto part = *resolve_cpuset(fmt::format("split:{}/3", k), l);
    CHECK(part.size() >= 2);
    CHECK(part.size() <= 3);
    seen.insert(seen.end(), part.begin(), part.end());
  }
  CHECK(seen == V{0, 1, 2, 3, 4, 5, 6});
  CHECK(!resolve_cpuset("split:3/3", l));
  CHECK(!resolve_cpuset("split:0/8", l));  // 7 CPUs cannot make 8 parts
}

TEST_CASE("not: takes the complement and refuses to leave nothing") {
  const auto lay = layout("1n2l2c1t");
  CHECK(*resolve_cpuset("not:frac:1/4", lay) == std::vector<int>{1, 2, 3});
  CHECK(*resolve_cpuset("not:llc:1", lay) == std::vector<int>{0, 1});
  CHECK(*resolve_cpuset("not:not:llc:1", lay) == std::vector<int>{2, 3});
  auto none = resolve_cpuset("not:all", lay);
  REQUIRE(!none);
  CHECK(none.error().message.find("leaves no CPU") != std::string::npos);
  CHECK(!resolve_cpuset("not:llc:7", lay));
}

TEST_CASE("affinity specs: random halves per seed, others limited to the cgroup") {
  const auto lay = layout("1n2l4c1t");
  std::set<std::vector<int>> seen;
  for (uint64_t seed = 0; seed < 32; ++seed) {
    auto r = *resolve_affinity("random", {}, lay, seed);
    CHECK(r.size() == 4);
    CHECK(std::is_sorted(r.begin(), r.end()));
    CHECK(std::adjacent_find(r.begin(), r.end()) == r.end());
    seen.insert(r);
    CHECK(*resolve_affinity("random", {}, lay, seed) == r);  // deterministic
  }
  CHECK(seen.size() > 8);  // seeds give different subsets
  auto in_group = *resolve_affinity("random", {4, 5, 6}, lay, 7);
  CHECK(in_group.size() == 1);
  CHECK(in_group[0] >= 4);
  CHECK(*resolve_affinity("0-5", {4, 5, 6, 7}, lay, 0) == std::vector<int>{4, 5});
  auto disjoint = resolve_affinity("0-1", {4, 5}, lay, 0);
  REQUIRE(!disjoint);
  CHECK(disjoint.error().message.find("shares no CPU") != std::string::npos);
}
