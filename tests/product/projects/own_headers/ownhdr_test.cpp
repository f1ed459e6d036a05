// scx_ownhdr, built against this project's own scx headers, under the
// steady scenario with the starvation/fairness checks on.
#include <ktstr/doctest.hpp>

KTSTR_SCHEDULER(ownhdr, {.name = "scx_ownhdr", .binary = "scx_ownhdr", .attach_timeout_s = 90});

KTSTR_TEST(ownhdr_steady, {.topology = "1n1l2c1t", .duration = std::chrono::seconds(3), .scheduler = &ownhdr,
                           .thresholds = {{"not_starved", true}}}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().attached);
  CHECK(ctx.scheduler()->telemetry().ops_name.starts_with("ownhdr"));
}
