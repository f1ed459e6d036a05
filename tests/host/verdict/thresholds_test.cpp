#include <doctest/doctest.h>

#include "host/verdict/thresholds.hpp"

using namespace ktstr::verdict;

TEST_CASE("builtin defaults leave every fine check off but the monitor's rq stall limit") {
  auto d = builtin_defaults();
  CHECK(d.not_starved == false);
  CHECK(d.isolation == false);
  CHECK_FALSE(d.max_spread_pct);
  CHECK_FALSE(d.max_gap_ms);
  CHECK_FALSE(d.min_iteration_rate);
  CHECK(d.max_rq_stall_ms == kDefaultRqStallMs);
  CHECK_FALSE(d.work_conservation);
  CHECK_FALSE(d.max_idle_waiting_ms);
  CHECK(count_set(d) == 3);
}

TEST_CASE("merge: the last layer that sets a field wins, unset fields fall through") {
  Thresholds sched{.not_starved = true, .max_gap_ms = 500.0, .max_p99_wake_us = 100.0};
  Thresholds test{.max_gap_ms = 250.0, .isolation = true};
  auto m = merge_layers(sched, test);
  CHECK(m.not_starved == true);       // scheduler layer over default
  CHECK(m.max_gap_ms == 250.0);       // test layer over scheduler
  CHECK(m.isolation == true);         // test layer over default
  CHECK(m.max_p99_wake_us == 100.0);  // scheduler only
  CHECK_FALSE(m.max_spread_pct);      // nobody set it
  // A test can switch off what a scheduler switched on.
  auto off = merge_layers(sched, Thresholds{.not_starved = false});
  CHECK(off.not_starved == false);
  // Merge with an empty layer is the identity.
  auto same = merge(m, Thresholds{});
  CHECK(nlohmann::json(same) == nlohmann::json(m));
}

TEST_CASE("apply_set parses numbers, booleans and none") {
  Thresholds t;
  REQUIRE(apply_set(t, "max_gap_ms=1500"));
  CHECK(t.max_gap_ms == 1500.0);
  REQUIRE(apply_set(t, "min_iteration_rate=0.5"));
  CHECK(t.min_iteration_rate == 0.5);
  REQUIRE(apply_set(t, "isolation=on"));
  CHECK(t.isolation == true);
  REQUIRE(apply_set(t, "not_starved=0"));
  CHECK(t.not_starved == false);
  REQUIRE(apply_set(t, "max_gap_ms=none"));
  CHECK_FALSE(t.max_gap_ms);
  REQUIRE(apply_set(t, "min_iteration_rate=off"));
  CHECK_FALSE(t.min_iteration_rate);
  REQUIRE(apply_set(t, "max_spread_pct=0"));
  CHECK(t.max_spread_pct == 0.0);
}

TEST_CASE("apply_set rejects malformed assignments with a message naming them") {
  Thresholds t;
  auto unknown = apply_set(t, "max_gapms=5");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message.find("unknown check 'max_gapms'") != std::string::npos);
  CHECK(unknown.error().message.find("max_gap_ms") != std::string::npos);  // lists the known ones
  CHECK_FALSE(apply_set(t, "max_gap_ms"));
  CHECK_FALSE(apply_set(t, "=5"));
  CHECK_FALSE(apply_set(t, "max_gap_ms=-1"));
  CHECK_FALSE(apply_set(t, "max_gap_ms=12ms"));
  CHECK_FALSE(apply_set(t, "max_gap_ms=nan"));
  CHECK_FALSE(apply_set(t, "isolation=maybe"));
  CHECK_FALSE(t.max_gap_ms);  // failed sets change nothing
}

TEST_CASE("thresholds JSON round trip keeps set and unset apart") {
  Thresholds t{.not_starved = true, .max_spread_pct = 0.0, .min_iteration_rate = 12.5, .isolation = false};
  nlohmann::json j = t;
  CHECK(j.size() == 4);
  CHECK_FALSE(j.contains("max_gap_ms"));
  auto back = j.get<Thresholds>();
  CHECK(back.not_starved == true);
  CHECK(back.max_spread_pct == 0.0);
  CHECK(back.min_iteration_rate == 12.5);
  CHECK(back.isolation == false);
  CHECK_FALSE(back.max_gap_ms);
  // null reads as unset.
  auto nulls = nlohmann::json{{"max_gap_ms", nullptr}}.get<Thresholds>();
  CHECK_FALSE(nulls.max_gap_ms);
}
