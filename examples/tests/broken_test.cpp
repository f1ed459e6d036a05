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

// The same broken mode judged A/B: steady plays under EEVDF, then under the
// broken scheduler, whose watchdog (20 s) outlasts the 6 s scenario, so the
// scheduler is still attached while cg1 starves. The relative check sees it:
// cg1's share of the step's work falls to a few percent of its share under
// the EEVDF baseline.
KTSTR_TEST(broken_starves_cgroup_vs_eevdf, {.topology = "1n1l2c1t",
                                            .duration = std::chrono::seconds(6),
                                            .scheduler = &wvt,
                                            .sched_args = {"-b", "cg1", "-t", "20000"},
                                            .baseline = "eevdf",
                                            .expect_fail = "min_share_vs_baseline_pct cg1 step 0"}) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  KTSTR_REQUIRE_OK(ctx.run(s));
}
