// The kernel tree's scx_simple under the steady scenario, A/B against EEVDF
// with the default checks only (always-on + the A/B defaults).
#include "schedulers.hpp"

KTSTR_TEST(scx_simple_steady, {.topology = "1n1l2c1t", .scheduler = &simple, .baseline = "eevdf"}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().ops_name.starts_with("simple"));
}
