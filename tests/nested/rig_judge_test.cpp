#include "../support/doctest_main.hpp"

#include <fmt/format.h>

#include "rig_judge.hpp"

using namespace ktstr::nested;

namespace {
// A console where every id in ids passed, with kernel noise around the lines.
std::string console_passing(const std::vector<std::string>& ids, bool done = true) {
  std::string out = "[    0.000000] Linux version 6.12\nRIG: start\n";
  for (const auto& id : ids) out += fmt::format("[    9.1] x\rRIG: PASS {} (detail with spaces)\r\n", id);
  if (done) out += fmt::format("RIG: done pass={} fail=0\n", ids.size());
  return out;
}
}  // namespace

TEST_CASE("the full rig passes only with all 19 checks passed") {
  const auto all = expected_checks("");
  REQUIRE(all.size() == 19);
  auto v = judge_rig(console_passing(all), "");
  CHECK(v.ok());
  CHECK(v.passed == 19);
  CHECK(rig_summary(v, "") == "19 passed, 0 failed of 19 expected");
  CHECK(v.lines.front() == "RIG: start");
}

TEST_CASE("one check that ran and passed is not a passing rig") {
  auto v = judge_rig(console_passing({"topology/1n1l2c1t"}), "");
  CHECK_FALSE(v.ok());
  CHECK(v.failed == 0);
  CHECK(v.missing.size() == 18);
  CHECK(rig_summary(v, "").starts_with("1 passed, 0 failed of 19 expected, missing: topology/1n2l2c2t, "));
}

TEST_CASE("a check that did not run (no vmlinux in the rig, no scheduler packed) is named") {
  auto ids = expected_checks("");
  std::erase(ids, "scheduler");
  std::erase(ids, "topology/1n2l2c1t/vmlinux-pvh");
  auto v = judge_rig(console_passing(ids) + "RIG: info no /ktstr/sched.cpio: scheduler check not run\n", "");
  CHECK_FALSE(v.ok());
  CHECK(v.missing == std::vector<std::string>{"scheduler", "topology/1n2l2c1t/vmlinux-pvh"});
}

TEST_CASE("a failure, or a rig that did not finish, fails it") {
  auto all = expected_checks("");
  auto failed = judge_rig(console_passing(all) + "RIG: FAIL exit_code exit code propagation (got 0)\n", "");
  CHECK_FALSE(failed.ok());
  CHECK(failed.failed == 1);
  auto cut = judge_rig(console_passing(all, false), "");
  CHECK_FALSE(cut.ok());
  CHECK(rig_summary(cut, "").ends_with(", rig did not finish"));
  // A FAIL line does not count as the check having passed.
  auto only_fail = judge_rig("RIG: FAIL scheduler attach failed\nRIG: done pass=0 fail=1\n", "sched");
  CHECK(only_fail.missing == std::vector<std::string>{"scheduler", "monitor"});
}

TEST_CASE("modes: bench, sched and topo expect their checks, the diagnostic modes none") {
  CHECK(judge_rig(console_passing({"bench"}), "bench").ok());
  CHECK_FALSE(judge_rig(console_passing({}), "bench").ok());
  CHECK(judge_rig(console_passing({"scheduler", "monitor"}), "sched").ok());
  CHECK_FALSE(judge_rig(console_passing({"scheduler"}), "sched").ok());  // the monitor check never ran
  CHECK(expected_checks("topo").size() == 6);
  CHECK(judge_rig(console_passing(expected_checks("topo")), "topo").ok());
  CHECK(judge_rig("RIG: start\nRIG: flood kvm engine: 6 boots\nRIG: done pass=0 fail=0\n", "flood").ok());
  CHECK(judge_rig("RIG: start\nRIG: done pass=0 fail=0\n", "profile").ok());
  CHECK_FALSE(judge_rig("RIG: start\n", "profile").ok());
}
