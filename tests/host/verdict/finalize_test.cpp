#include <doctest/doctest.h>

#include "base/exit_codes.hpp"
#include "fixtures.hpp"
#include "host/verdict/finalize.hpp"
#include "host/verdict/replay.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

TEST_CASE("finalize_run: merge, judge, sidecar on disk, report and CDash text") {
  auto build = temp_dir();
  RunRecord r{.build_dir = build.path(),
              .test = "steady",
              .variant = "steady/1n1l2c1t",
              .topology = "1n1l2c1t",
              .project_commit = "abc",
              .kernel = {.key = "k1", .version = "6.12"},
              .scheduler_thresholds = {.not_starved = true, .min_iteration_rate = 10.0},
              .test_thresholds = {.min_iteration_rate = 1e9},
              .facts = {.guest_exit_code = 0},
              .telemetry = healthy_run(),
              .rerun_command = "ctest -R steady"};
  auto f = finalize_run(r);
  CHECK(f.exit_code == kExitFail);
  CHECK(f.sidecar_error.empty());
  CHECK(f.sidecar == build.path() / "ktstr/k1-abc/steady_1n1l2c1t.json");
  CHECK(f.text.find("failed:\n  min_iteration_rate cg0/w0 step 0") != std::string::npos);
  CHECK(f.text.find("<CTestMeasurement type=\"numeric/double\" name=\"ktstr.cg0.iter_rate\">1000<") !=
        std::string::npos);
  CHECK(f.text.find("sidecar: " + f.sidecar.string()) != std::string::npos);
  auto s = read_sidecar(f.sidecar);
  REQUIRE(s);
  CHECK(s->thresholds.min_iteration_rate == 1e9);  // test layer won
  CHECK(s->thresholds.not_starved == true);        // scheduler layer kept
  CHECK(s->verdict.outcome == Outcome::kFail);
  CHECK(s->created_at.size() == 20);
  std::vector<std::string> sane{"min_iteration_rate=100"};
  CHECK(replay_file(f.sidecar, sane, false)->exit_code == kExitPass);

  r.test_thresholds = {};
  auto pass = finalize_run(r);
  CHECK(pass.exit_code == kExitPass);
  CHECK(pass.text.starts_with("ktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] passed:"));
  CHECK(pass.text.find("sidecar:") == std::string::npos);
}

TEST_CASE("finalize_run keeps the verdict when the sidecar cannot be written") {
  auto build = temp_dir();
  RunRecord r{.build_dir = build.path() / "file", .variant = "v", .telemetry = healthy_run()};
  REQUIRE(write_sidecar(build.path() / "file", Sidecar{}));  // a file where a directory must go
  auto f = finalize_run(r);
  CHECK(f.exit_code == kExitPass);
  CHECK_FALSE(f.sidecar_error.empty());
}

TEST_CASE("finalize_run writes the phase split to the sidecar and prints it with verbose") {
  auto build = temp_dir();
  RunRecord r{.build_dir = build.path(),
              .variant = "v",
              .telemetry = healthy_run(),
              .clock = {.prepare_s = 0.2, .first_frame_s = 1.0, .exit_frame_s = 3.0, .wall_s = 3.5,
                        .verdict_s = 0.01, .hello_uptime_s = 0.6}};
  auto quiet = finalize_run(r);
  CHECK(quiet.text.find("phases:") == std::string::npos);
  auto s = read_sidecar(quiet.sidecar);
  REQUIRE(s);
  REQUIRE(s->timings.phases.size() >= 5);
  CHECK(s->timings.phases.front().name == "host_prepare");
  CHECK(s->timings.phases.front().seconds == doctest::Approx(0.2));
  CHECK(s->timings.phases[1].name == "vmm_boot");
  CHECK(s->timings.phases[1].seconds == doctest::Approx(0.4));
  CHECK(s->timings.phases.back().name == "verdict");
  CHECK(s->timings.phases.back().seconds >= 0.01);  // the judging time is added

  r.verbose = true;
  auto loud = finalize_run(r);
  CHECK(loud.text.find("phases: host_prepare 0.20 s, vmm_boot 0.40 s, kernel_init 0.60 s") != std::string::npos);
}
