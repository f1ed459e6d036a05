// Isolation: workers pinned to LLC 0 must never run elsewhere, judged by the
// host's opt-in isolation check; fairness is judged A/B against EEVDF (see
// cpuset_test.cpp).
#include "schedulers.hpp"

namespace g = ktstr::guest;

KTSTR_TEST(isolation_llc0, {.topology = "1n2l2c1t", .scheduler = &wvt_llc, .baseline = "eevdf",
                            .thresholds = {{"isolation", true}}}) {
  g::Scenario s{.name = "isolated",
                .backdrop = {g::CgroupDef{.name = "pinned", .workers = 2, .cpuset = "llc:0"},
                             g::CgroupDef{.name = "free", .workers = 2}}};
  s.steps.push_back({.name = "hold"});
  KTSTR_REQUIRE_OK(ctx.run(s));
}
