// Two tests, each run on the default and the debug kernel. The bodies do not
// know which kernel they boot: the product test reads the sidecars and
// checks that only the debug kernel's runs were judged as debug-kernel runs.
#include <ktstr/doctest.hpp>

KTSTR_SCHEDULER(simple, {.name = "scx_simple", .binary = "scx_simple"});

KTSTR_TEST(eevdf_steady, {.topology = "1n1l2c1t", .duration = std::chrono::seconds(3),
                          .thresholds = {{"not_starved", true}}}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  CHECK(ctx.telemetry().workers.size() > 0);
}

KTSTR_TEST(simple_steady, {.topology = "1n1l2c1t", .duration = std::chrono::seconds(3), .scheduler = &simple}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().attached);
}
