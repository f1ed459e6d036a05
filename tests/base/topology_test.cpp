#include <doctest/doctest.h>

#include "base/topology.hpp"

using ktstr::Topology;

TEST_CASE("topology parses and formats canonical strings") {
  auto t = Topology::parse("2n4l2c2t");
  REQUIRE(t);
  CHECK(t->nodes == 2);
  CHECK(t->llcs == 4);
  CHECK(t->cores == 2);
  CHECK(t->threads == 2);
  CHECK(t->vcpus() == 16);
  CHECK(t->str() == "2n4l2c2t");
}

TEST_CASE("topology rejects impossible strings with a reason") {
  CHECK_FALSE(Topology::parse("0n1l1c1t"));
  CHECK_FALSE(Topology::parse("1n1l0c1t"));
  CHECK_FALSE(Topology::parse("2n3l1c1t"));
  CHECK(Topology::parse("2n3l1c1t").error().message.find("evenly") != std::string::npos);
  CHECK_FALSE(Topology::parse("1n1l1c"));
  CHECK_FALSE(Topology::parse("1n1l1c1tx"));
  CHECK_FALSE(Topology::parse("1n64l4c1t"));  // 256 > 252
  CHECK(Topology::parse("1n63l4c1t"));        // 252
}

TEST_CASE("cpu placement is thread-fastest, LLCs spread over nodes") {
  auto t = *Topology::parse("2n4l2c2t");
  auto p = t.place(13);  // llc 3, core 0, thread 1
  CHECK(p.llc == 3);
  CHECK(p.core == 0);
  CHECK(p.thread == 1);
  CHECK(p.node == 1);
  CHECK(t.cpus_of_llc(1) == std::vector<int>{4, 5, 6, 7});
  CHECK(t.cpus_of_node(0) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("cpu lists round-trip through the sysfs format") {
  CHECK(ktstr::format_cpu_list({3, 0, 1, 2, 8, 10, 11}) == "0-3,8,10-11");
  CHECK(*ktstr::parse_cpu_list("0-3,8,10-11\n") == std::vector<int>{0, 1, 2, 3, 8, 10, 11});
  CHECK(ktstr::parse_cpu_list("")->empty());
  CHECK_FALSE(ktstr::parse_cpu_list("3-1"));
  CHECK_FALSE(ktstr::parse_cpu_list("a"));
}
