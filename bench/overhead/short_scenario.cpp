// The per-test overhead bench's fixture: one short canned scenario under
// EEVDF on 2 vCPUs, run as a real CTest entry (bench/overhead/overhead_modes.cpp, mode `test`).
#include <ktstr/doctest.hpp>

#include <chrono>

KTSTR_TEST(short_steady, {.topology = "1n1l2c1t", .duration = std::chrono::seconds(1)}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
}
