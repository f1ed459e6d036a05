#include <doctest/doctest.h>

#include "base/topology.hpp"

using ktstr::Topology;

namespace {

Topology parsed(const char* s) {
  auto t = Topology::parse(s);
  INFO(s);
  REQUIRE_MESSAGE(t, (t ? "" : t.error().message));
  return *t;
}

// The reason a string is refused ("" when it parses).
std::string why(const char* s) {
  auto t = Topology::parse(s);
  return t ? std::string() : t.error().message;
}

bool says(const char* s, const char* needle) {
  const std::string w = why(s);
  INFO(s, ": ", w);
  return w.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("uniform strings parse and format unchanged") {
  auto t = parsed("2n4l2c2t");
  CHECK(t.nodes() == 2);
  CHECK(t.llcs() == 4);
  CHECK(t.cores_of_llc(3) == 2);
  CHECK(t.max_cores() == 2);
  CHECK(t.threads() == 2);
  CHECK(t.vcpus() == 16);
  CHECK(t.is_uniform());
  CHECK(t.str() == "2n4l2c2t");
  for (const char* s : {"1n1l1c1t", "1n2l4c2t", "2n6l21c2t", "4n12l8c2t", "1n1l1c4t"}) CHECK(parsed(s).str() == s);
  CHECK(*Topology::uniform(2, 4, 2, 2) == t);
}

TEST_CASE("uneven fields are lists and the canonical form collapses equal lists") {
  auto t = parsed("2n2_1l3_1_2c1t");
  CHECK(t.nodes() == 2);
  CHECK(t.llcs() == 3);
  CHECK(t.llcs_of_node(0) == 2);
  CHECK(t.llcs_of_node(1) == 1);
  CHECK(t.cores_of_llc(0) == 3);
  CHECK(t.cores_of_llc(2) == 2);
  CHECK(t.max_cores() == 3);
  CHECK(t.vcpus() == 6);
  CHECK_FALSE(t.is_uniform());
  CHECK(t.str() == "2n2_1l3_1_2c1t");
  CHECK(parsed("2n2_2l2_2_2_2c1t").str() == "2n4l2c1t");  // equal lists are one number
  CHECK(parsed("1n2l3_1c1t").str() == "1n2l3_1c1t");
  CHECK(parsed("2n3_1l2c2t").str() == "2n3_1l2c2t");
}

TEST_CASE("memory shares: 0 is a memoryless node, ratios reduced, equal shares omitted") {
  auto t = parsed("2n2l2c1t1_0m");
  CHECK_FALSE(t.memoryless(0));
  CHECK(t.memoryless(1));
  CHECK(t.memory_weight_total() == 1);
  CHECK(t.str() == "2n2l2c1t1_0m");
  CHECK(parsed("2n2l2c1t4_0m").str() == "2n2l2c1t1_0m");
  CHECK(parsed("2n2l2c1t6_2m").str() == "2n2l2c1t3_1m");
  CHECK(parsed("2n2l2c1t1_1m").str() == "2n2l2c1t");
  CHECK(parsed("2n2l2c1t5m").str() == "2n2l2c1t");
  CHECK(parsed("2n2l2c1t1_0m").same_cpus(parsed("2n2l2c1t")));
  CHECK_FALSE(parsed("2n2l2c1t1_0m") == parsed("2n2l2c1t"));
  CHECK(parsed("3n3l1c1t2_0_1m").memory_weight(2) == 1);
}

TEST_CASE("refusals say what is wrong") {
  CHECK(says("0n1l1c1t", "'n' count must be at least 1"));
  CHECK(says("1n1l0c1t", "LLC 0 has no cores"));
  CHECK(says("1n0l1c1t", "'l' count must be at least 1"));
  CHECK(says("2n2_0l1c1t", "node 1 has no LLC"));
  CHECK(says("2n3l1c1t", "cannot be spread evenly over 2 NUMA nodes"));
  CHECK(says("2n3l1c1t", "(2_1l)"));
  CHECK(says("2n5l1c1t", "(3_2l)"));
  CHECK(says("2n2_1_1l1c1t", "'l' lists 3 LLC counts for 2 nodes"));
  CHECK(says("1n3l2_2c1t", "'c' lists 2 core counts for 3 LLCs"));
  CHECK(says("2n2l2c1t1_0_1m", "'m' lists 3 memory shares for 2 nodes"));
  CHECK(says("2n2l2c1t0_1m", "node 0 has no memory"));
  CHECK(says("1n1l1c0t", "0 threads per core"));
  CHECK(says("1n1l1c8t", "8 threads per core: 1 to 4"));
  CHECK(says("1n1l1c1_2t", "'t' takes one number"));
  CHECK(says("1_2n1l1c1t", "'n' takes one number"));
  CHECK(says("1n1l1c", "missing number before 't'"));
  CHECK(says("1n1l1c1", "expected 't' after 1"));
  CHECK(says("1n1l1c1tx", "unexpected 'x' after 't'"));
  CHECK(says("1n1l1c1t1_0", "unexpected '1_0' after 't'"));
  CHECK(says("1n1l1c1t1mx", "trailing characters 'x'"));
  CHECK(says("1n1_l1c1t", "missing number before 'l'"));
  CHECK(says("1n1l_1c1t", "missing number before 'c'"));
  CHECK(says("1n-1l1c1t", "missing number before 'l'"));
  CHECK(says("1n99999999999l1c1t", "number too large"));
  CHECK(says("1n64l4c1t", "256 vCPUs exceeds the limit of 252"));
  CHECK(says("1n2000000000l1c1t", "exceeds the limit"));
  CHECK(says("1n2l1_3c1t", "LLC 0 has one CPU but LLC 1 has 3"));
  CHECK(says("2n2l2c1t5000_1m", "memory share 5000 is too large"));
  CHECK(why("1n63l4c1t").empty());  // 252 vCPUs
  CHECK(why("1n2l1_3c2t").empty());  // SMT: every LLC has siblings
  CHECK(why("1n3l1c1t").empty());    // all single-CPU LLCs are fine
  CHECK(why("1n2l1c1t").empty());
  // The whole message names the string and the expected form.
  CHECK(why("2n3l1c1t").starts_with("invalid topology '2n3l1c1t': "));
  CHECK(why("2n3l1c1t").find("expected NnLlCcTt") != std::string::npos);
}

TEST_CASE("cpu placement is thread-fastest, LLCs spread over nodes") {
  auto t = parsed("2n4l2c2t");
  auto p = t.place(13);  // llc 3, core 0, thread 1
  CHECK(p.llc == 3);
  CHECK(p.core == 0);
  CHECK(p.thread == 1);
  CHECK(p.node == 1);
  CHECK(t.cpus_of_llc(1) == std::vector<int>{4, 5, 6, 7});
  CHECK(t.cpus_of_node(0) == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(t.cpus_of_core(2, 1) == std::vector<int>{10, 11});
}

TEST_CASE("placement of uneven shapes follows the lists") {
  auto t = parsed("2n2_1l3_1_2c1t");  // node 0: LLC 0 {0,1,2}, LLC 1 {3}; node 1: LLC 2 {4,5}
  CHECK(t.cpus_of_llc(0) == std::vector<int>{0, 1, 2});
  CHECK(t.cpus_of_llc(1) == std::vector<int>{3});
  CHECK(t.cpus_of_llc(2) == std::vector<int>{4, 5});
  CHECK(t.cpus_of_node(0) == std::vector<int>{0, 1, 2, 3});
  CHECK(t.cpus_of_node(1) == std::vector<int>{4, 5});
  CHECK(t.node_of_llc(1) == 0);
  CHECK(t.node_of_llc(2) == 1);
  CHECK(t.first_cpu_of_llc(2) == 4);
  auto p = t.place(5);
  CHECK(p.node == 1);
  CHECK(p.llc == 2);
  CHECK(p.core == 1);
  CHECK(p.thread == 0);
  CHECK(t.place(3).llc == 1);
  CHECK(t.place(3).core == 0);

  auto smt4 = parsed("1n2l2_1c4t");  // LLC 0: cores {0-3},{4-7}; LLC 1: core {8-11}
  CHECK(smt4.vcpus() == 12);
  CHECK(smt4.cpus_of_core(0, 1) == std::vector<int>{4, 5, 6, 7});
  CHECK(smt4.place(9).llc == 1);
  CHECK(smt4.place(9).thread == 1);
  CHECK(smt4.cpus_of_llc(1) == std::vector<int>{8, 9, 10, 11});
}

TEST_CASE("every CPU of every shape is placed exactly once") {
  for (const char* s : {"1n1l1c1t", "2n4l3c2t", "2n2_1l3_1_2c1t", "3n1_2_1l4_2_2_1c1t", "1n1l1c4t", "4n12l8c2t"}) {
    CAPTURE(s);
    auto t = parsed(s);
    std::vector<int> seen;
    for (int n = 0; n < t.nodes(); ++n)
      for (int c : t.cpus_of_node(n)) seen.push_back(c);
    REQUIRE(static_cast<int>(seen.size()) == t.vcpus());
    for (int c = 0; c < t.vcpus(); ++c) {
      CHECK(seen[static_cast<size_t>(c)] == c);
      const auto p = t.place(c);
      CHECK(p.core < t.cores_of_llc(p.llc));
      CHECK(t.cpus_of_core(p.llc, p.core)[static_cast<size_t>(p.thread)] == c);
    }
  }
}

TEST_CASE("cpu lists round-trip through the sysfs format") {
  CHECK(ktstr::format_cpu_list({3, 0, 1, 2, 8, 10, 11}) == "0-3,8,10-11");
  CHECK(*ktstr::parse_cpu_list("0-3,8,10-11\n") == std::vector<int>{0, 1, 2, 3, 8, 10, 11});
  CHECK(ktstr::parse_cpu_list("")->empty());
  CHECK_FALSE(ktstr::parse_cpu_list("3-1"));
  CHECK_FALSE(ktstr::parse_cpu_list("a"));
}
