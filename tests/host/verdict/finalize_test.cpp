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
