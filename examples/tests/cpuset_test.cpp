// A custom scenario: one cgroup per LLC pinned with cpusets, then the first
// cgroup is widened to every CPU halfway through.
#include "schedulers.hpp"

namespace g = ktstr::guest;

// Judged A/B against EEVDF in the same VM: on a shared 2-CPU TCG host the
// off-CPU share of pinned spinners varies from run to run (3 to 46 pp), and
// the baseline measured seconds earlier carries the same host noise.
KTSTR_TEST(cpuset_split_then_widen, {.topology = "1n2l2c1t", .scheduler = &wvt_llc, .baseline = "eevdf"}) {
  g::Scenario s{.name = "split_then_widen",
                .doc = "two pinned cgroups; cg_a widened to all CPUs halfway",
                .backdrop = {g::CgroupDef{.name = "cg_a", .workers = 2, .cpuset = "llc:0"},
                             g::CgroupDef{.name = "cg_b", .workers = 2, .cpuset = "llc:1"}}};
  s.steps.push_back({.name = "split", .hold = g::Hold::frac(0.5)});
  s.steps.push_back({.name = "widened", .ops = {g::Op::set_cpuset("cg_a", "all")}, .hold = g::Hold::frac(0.5)});
  KTSTR_REQUIRE_OK(ctx.run(s));

  // While split, cg_b's workers stayed on LLC 1.
  const auto& llc1 = ctx.layout().llcs.at(1);
  for (const auto& w : ctx.telemetry().workers) {
    if (w.cgroup != "cg_b" || w.step != 0) continue;
    for (int cpu : w.cpus_used) CHECK_MESSAGE(std::ranges::count(llc1, cpu) == 1, "cg_b worker ran on CPU " << cpu);
  }
}
