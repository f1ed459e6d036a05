// The canned "steady" scenario (two cgroups of spinners) under scx_wvt on two
// topologies, each A/B against EEVDF in the same VM (the scenario plays
// under EEVDF, then under scx_wvt); steady_shared also joins the gauntlet
// (`ctest -L gauntlet`).
#include "schedulers.hpp"

KTSTR_TEST(steady_shared, {.topology = "1n1l2c1t", .scheduler = &wvt, .baseline = "eevdf", .gauntlet = true}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().attached);
  CHECK(ctx.telemetry().workers.size() >= 2);
}

KTSTR_TEST(steady_per_llc, {.topology = {1, 2, 2, 1}, .scheduler = &wvt_llc, .baseline = "eevdf"}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
  REQUIRE(ctx.scheduler() != nullptr);
  CHECK(ctx.scheduler()->telemetry().ops_name.starts_with("wvt"));
}
