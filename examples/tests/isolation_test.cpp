// Isolation: workers pinned to LLC 0 must never run elsewhere, judged by the
// host's opt-in isolation check (the spread limit is relaxed as in
// cpuset_test.cpp: this test is about placement).
#include "schedulers.hpp"

namespace g = ktstr::guest;

KTSTR_TEST(isolation_llc0, {.topology = "1n2l2c1t", .scheduler = &wvt_llc, .thresholds = {{"isolation", true}, {"max_spread_pct", 60}}}) {
  g::Scenario s{.name = "isolated",
                .backdrop = {g::CgroupDef{.name = "pinned", .workers = 2, .cpuset = "llc:0"},
                             g::CgroupDef{.name = "free", .workers = 2}}};
  s.steps.push_back({.name = "hold"});
  KTSTR_REQUIRE_OK(ctx.run(s));
}
