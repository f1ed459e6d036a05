// Temporal assertions: snapshots of every worker's counters during the run
// (one every eighth of it, and one named "halfway"), and what the test
// promises about cg1's series. Healthy scx_wvt keeps cg1 near half of the
// CPU time in every interval; the broken mode starves cg1 once its tasks
// ran 200 ms, and the series breaks at the first snapshot after that (the
// failure line names it).
#include "schedulers.hpp"

namespace g = ktstr::guest;

namespace {

// cg1 (two of the four spinners) gets at least a quarter of all CPU time in
// every interval between snapshots, and its CPU time rate never falls by
// more than half from one interval to the next. CPU time, not iterations:
// under TCG a vCPU thread the host preempts stops iterating, but its guest
// clock, and so the CPU time of the task on it, runs on.
const ktstr::ThresholdSet kCg1KeepsItsShare = {
    {"temporal",
     {{{"kind", "within"}, {"of", "share"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"min", 25}},
      {{"kind", "nondecreasing"}, {"metric", "cpu_ns"}, {"cgroup", "cg1"}, {"slack_pct", 50}}}}};

g::Scenario sampled_steady(ktstr::Context& ctx) {
  auto s = KTSTR_REQUIRE_OK(ctx.canned("steady"));
  s.snapshots_per_step = 8;
  s.steps.at(0).ops.push_back(g::Op::snapshot("halfway", 0.5));
  return s;
}

}  // namespace

KTSTR_TEST(temporal_cg1_keeps_its_share,
           {.topology = "1n1l2c1t", .scheduler = &wvt, .baseline = "eevdf", .thresholds = kCg1KeepsItsShare}) {
  KTSTR_REQUIRE_OK(ctx.run(sampled_steady(ctx)));
  // One as the step starts, eight periodic, one named (the EEVDF baseline
  // phase keeps no snapshots).
  CHECK(ctx.telemetry().snapshots.size() == 10);
}

KTSTR_TEST(temporal_broken_starves_cg1, {.topology = "1n1l2c1t",
                                         .scheduler = &wvt,
                                         .sched_args = {"-b", "cg1", "-t", "3000"},
                                         .thresholds = kCg1KeepsItsShare,
                                         .expect_fail = "temporal cg1 step 0: .*broke at snapshot 'steady@"}) {
  KTSTR_REQUIRE_OK(ctx.run(sampled_steady(ctx)));
}
