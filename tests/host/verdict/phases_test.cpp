// split_phases: a run's wall time split by host and guest clocks.
#include <doctest/doctest.h>

#include "host/verdict/phases.hpp"

using namespace ktstr::verdict;

namespace {
double seconds_of(const std::vector<Phase>& p, const std::string& name) {
  for (const auto& x : p)
    if (x.name == name) return x.seconds;
  FAIL("no phase " << name);
  return 0;
}
}  // namespace

TEST_CASE("a judged run: host and guest clocks give every phase, and they add up to the wall time") {
  ktstr::RunTelemetry t{.duration_ns = 5'000'000'000, .start_uptime_ns = 1'400'000'000};
  t.scheduler.events = {{.t_ns = 100'000'000, .kind = "started"}, {.t_ns = 900'000'000, .kind = "enabled"}};
  t.steps = {{.index = 0, .start_ns = 1'000'000'000, .end_ns = 3'000'000'000},
             {.index = 1, .start_ns = 3'000'000'000, .end_ns = 4'900'000'000}};
  const RunClock c{.prepare_s = 0.2, .first_frame_s = 1.5, .exit_frame_s = 6.9, .wall_s = 7.2, .verdict_s = 0.05,
                   .hello_uptime_s = 1.2};
  const auto p = split_phases(c, &t);
  CHECK(seconds_of(p, "host_prepare") == doctest::Approx(0.2));
  CHECK(seconds_of(p, "vmm_boot") == doctest::Approx(0.3));
  CHECK(seconds_of(p, "kernel_init") == doctest::Approx(1.2));
  CHECK(seconds_of(p, "guest_init") == doctest::Approx(0.2));
  CHECK(seconds_of(p, "scheduler_attach") == doctest::Approx(0.8));
  CHECK(seconds_of(p, "scenario") == doctest::Approx(3.9));
  CHECK(seconds_of(p, "run_other") == doctest::Approx(0.3));
  CHECK(seconds_of(p, "guest_exit") == doctest::Approx(0.2));
  CHECK(seconds_of(p, "shutdown") == doctest::Approx(0.3));
  double sum = 0;
  for (const auto& x : p) sum += x.seconds;
  CHECK(sum == doctest::Approx(c.prepare_s + c.wall_s + c.verdict_s));
  CHECK(format_phases(p).starts_with("host_prepare 0.20 s, vmm_boot 0.30 s, kernel_init 1.20 s"));
}

TEST_CASE("without the guest's clocks only the host's phases are shown") {
  const auto p = split_phases({.prepare_s = 0.1, .first_frame_s = 1.0, .exit_frame_s = 2.0, .wall_s = 2.5}, nullptr);
  REQUIRE(p.size() == 4);
  CHECK(p[1].name == "boot");
  CHECK(seconds_of(p, "shutdown") == doctest::Approx(0.5));
}

TEST_CASE("a run that never said hello has no boot phases") {
  const auto p = split_phases({.prepare_s = 0.1, .wall_s = 300}, nullptr);
  CHECK(p.size() == 2);
  CHECK(p.front().name == "host_prepare");
  CHECK(p.back().name == "verdict");
}

TEST_CASE("an A/B run: the baseline phase has its own line, before the scheduler's attach") {
  ktstr::RunTelemetry t{.duration_ns = 9'000'000'000, .start_uptime_ns = 1'400'000'000};
  t.baseline = ktstr::BaselineTelemetry{.name = "eevdf", .start_ns = 50'000'000, .end_ns = 4'050'000'000};
  t.scheduler.events = {{.t_ns = 4'100'000'000, .kind = "started"}, {.t_ns = 4'600'000'000, .kind = "enabled"}};
  t.steps = {{.index = 0, .start_ns = 4'700'000'000, .end_ns = 8'700'000'000}};
  const RunClock c{.prepare_s = 0.2, .first_frame_s = 1.5, .exit_frame_s = 10.9, .wall_s = 11.2,
                   .hello_uptime_s = 1.2};
  const auto p = split_phases(c, &t);
  CHECK(seconds_of(p, "baseline") == doctest::Approx(4.0));
  CHECK(seconds_of(p, "scheduler_attach") == doctest::Approx(0.5));
  CHECK(seconds_of(p, "scenario") == doctest::Approx(4.0));
  CHECK(seconds_of(p, "run_other") == doctest::Approx(0.5));  // 9.0 - 4.0 - 0.5 - 4.0
  size_t base = 0, attach = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].name == "baseline") base = i;
    if (p[i].name == "scheduler_attach") attach = i;
  }
  CHECK(base + 1 == attach);
  double sum = 0;
  for (const auto& x : p) sum += x.seconds;
  CHECK(sum == doctest::Approx(c.prepare_s + c.wall_s + c.verdict_s));
  t.baseline.reset();  // a plain run: no baseline line
  for (const auto& x : split_phases(c, &t)) CHECK(x.name != "baseline");
}
