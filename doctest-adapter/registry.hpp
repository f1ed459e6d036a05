// The adapter's test registry: what KTSTR_TEST declared, resolved into the
// values the host listing and the guest runner need.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/topology.hpp"
#include "ktstr/doctest.hpp"

namespace ktstr::detail {

struct RegisteredTest {
  std::string id;
  std::string file;
  int line = 0;
  TestAttrs attrs;
  Body body = nullptr;
};

// Every registered test, in registration order.
const std::vector<RegisteredTest>& registered_tests();
const RegisteredTest* find_test(std::string_view id);

// The declared topology; errors name the test.
Result<Topology> topology_of(const RegisteredTest& t);

// Effective timeout in seconds (the attribute, or 120 s + 3 x duration;
// 180 s + 6 x duration for an A/B test, which plays everything twice; plus
// the attach timeout beyond the default 30 s, twice for a sched_ext baseline).
int timeout_of(const RegisteredTest& t);

// The baseline's report name: "eevdf", a declared scheduler's name, or "".
std::string baseline_name(const Baseline& b);

// Effective scheduler attach timeout in seconds: the test's, else the
// scheduler's, else 0 (the guest's default, 30 s).
int attach_timeout_of(const RegisteredTest& t);

// One --ktstr-list line for a test (see listing.cpp for the fields).
Result<nlohmann::json> listing_entry(const RegisteredTest& t);

// The guest run arguments the host passes after `--` for this test (the
// discovery script copies them into the CTest command).
std::vector<std::string> guest_args_of(const RegisteredTest& t, const Topology& topo);

}  // namespace ktstr::detail
