// The scheduler's deliberately broken mode stops dispatching cgroup cg1; the
// kernel's watchdog (3 s here) ejects it with "runnable task stall". The test
// is declared to fail, and to fail for exactly that reason (expect_fail: the
// launcher passes it only for a violation matching the regex).
#include "schedulers.hpp"

KTSTR_TEST(broken_stalls_cgroup, {.topology = "1n1l2c1t",
                                  .duration = std::chrono::seconds(8),
                                  .scheduler = &wvt,
                                  .sched_args = {"-b", "cg1", "-t", "3000"},
                                  .expect_fail = "scheduler.*runnable task stall"}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
}
