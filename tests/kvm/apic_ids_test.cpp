#include <doctest/doctest.h>

#include <set>

#include "vmm/kvm/apic_ids.hpp"

using namespace ktstr;
using namespace ktstr::kvm;

TEST_CASE("APIC IDs are package | core | thread bit fields") {
  const auto l = ApicLayout::of(*Topology::parse("1n2l2c2t"));
  CHECK(l.thread_bits == 1);
  CHECK(l.core_bits == 1);
  CHECK(l.all() == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("3 cores per LLC give a sparse layout") {
  const auto l = ApicLayout::of(*Topology::parse("1n2l3c1t"));
  CHECK(l.core_bits == 2);
  CHECK(l.thread_bits == 0);
  // LLC 0: cores 0-2 -> 0,1,2; LLC 1 starts at 1 << 2.
  CHECK(l.all() == std::vector<uint32_t>{0, 1, 2, 4, 5, 6});
  CHECK(l.max_apic_id() == 6);
}

TEST_CASE("3 cores x 2 threads: every id unique, thread bit lowest") {
  const auto l = ApicLayout::of(*Topology::parse("2n4l3c2t"));
  const auto ids = l.all();
  CHECK(std::set<uint32_t>(ids.begin(), ids.end()).size() == ids.size());
  CHECK(l.apic_id(1) == 1);   // thread 1 of core 0
  CHECK(l.apic_id(2) == 2);   // core 1
  CHECK(l.apic_id(6) == 8);   // LLC 1, package shift 3
}

TEST_CASE("count_order matches get_count_order") {
  CHECK(count_order(1) == 0);
  CHECK(count_order(2) == 1);
  CHECK(count_order(3) == 2);
  CHECK(count_order(4) == 2);
  CHECK(count_order(5) == 3);
}

TEST_CASE("uneven LLCs share the widest LLC's core field") {
  const auto l = ApicLayout::of(*Topology::parse("1n2l3_1c1t"));
  CHECK(l.core_bits == 2);
  CHECK(l.all() == std::vector<uint32_t>{0, 1, 2, 4});
  const auto nodes = ApicLayout::of(*Topology::parse("2n1_2l2_1_1c1t"));
  CHECK(nodes.core_bits == 1);
  CHECK(nodes.all() == std::vector<uint32_t>{0, 1, 2, 4});
  const auto smt = ApicLayout::of(*Topology::parse("1n3l2_1_2c2t"));
  CHECK(smt.package_shift() == 2);
  CHECK(smt.all() == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 8, 9, 10, 11});
}

TEST_CASE("SMT-4 uses two thread bits") {
  const auto one = ApicLayout::of(*Topology::parse("1n1l1c4t"));
  CHECK(one.thread_bits == 2);
  CHECK(one.core_bits == 0);
  CHECK(one.all() == std::vector<uint32_t>{0, 1, 2, 3});
  const auto two = ApicLayout::of(*Topology::parse("1n2l2c4t"));
  CHECK(two.package_shift() == 3);
  CHECK(two.apic_id(5) == 5);    // LLC 0, core 1, thread 1
  CHECK(two.apic_id(8) == 8);    // LLC 1 starts at 1 << 3
  CHECK(two.max_apic_id() == 15);
}

TEST_CASE("the 192-vCPU preset keeps every APIC ID below the xAPIC broadcast") {
  const auto l = ApicLayout::of(*Topology::parse("4n12l8c2t"));
  CHECK(l.package_shift() == 4);
  CHECK(l.max_apic_id() == 191);
}
