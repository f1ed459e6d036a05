// One test of the FetchContent consumer; the product test lists it (no VM).
#include <ktstr/doctest.hpp>

KTSTR_SCHEDULER(simple, {.name = "scx_simple", .binary = "scx_simple"});

KTSTR_TEST(simple_steady, {.scheduler = &simple}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
}
