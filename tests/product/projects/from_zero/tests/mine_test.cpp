// The test of README.md "Your scheduler project from zero": scx_mine under the
// steady scenario, with the starvation check on.
#include <ktstr/doctest.hpp>

KTSTR_SCHEDULER(mine, {.name = "scx_mine", .binary = "scx_mine"});

KTSTR_TEST(mine_steady, {.topology = "1n1l2c1t", .duration = std::chrono::seconds(3), .scheduler = &mine,
                         .thresholds = {{"not_starved", true}}}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().attached);
  CHECK(ctx.scheduler()->telemetry().ops_name.starts_with("mine"));
}
