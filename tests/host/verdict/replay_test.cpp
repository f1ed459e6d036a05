#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "fixtures.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/replay.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
// A recorded run judged with an impossible min_iteration_rate: it failed.
std::filesystem::path write_failed_run(const TempDir& dir) {
  Sidecar s;
  s.test = "steady";
  s.variant = "steady/1n1l2c1t";
  s.topology = "1n1l2c1t";
  s.telemetry = healthy_run();
  s.thresholds = merge_layers({}, Thresholds{.min_iteration_rate = 1e9});
  s.facts = VmFacts{.guest_exit_code = 0};
  s.verdict = judge(s.telemetry, s.facts, s.thresholds);
  s.console_log = (dir.path() / "steady.console.log").string();
  s.rerun_command = "ctest -R steady";
  REQUIRE(write_file_atomic(s.console_log, "line 1\nKernel says hi\n"));
  auto path = dir.path() / "steady.json";
  REQUIRE(write_sidecar(path, s));
  REQUIRE(s.verdict.outcome == Outcome::kFail);
  return path;
}
}  // namespace

TEST_CASE("replay re-judges with the recorded thresholds") {
  auto dir = temp_dir();
  auto path = write_failed_run(dir);
  auto r = replay_file(path, {}, false);
  REQUIRE(r);
  CHECK(r->exit_code == kExitFail);
  CHECK(r->text.starts_with("BUG SUMMARY: min_iteration_rate cg0/w0 step 0: observed 1000 iter/s, limit 1000000000 "
                            "iter/s (1000 iterations in 1.000 s)\nktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] failed:\n"));
  CHECK(r->text.find("min_iteration_rate cg0/w0 step 0: observed 1000 iter/s, limit 1000000000 iter/s") !=
        std::string::npos);
  CHECK(r->text.find("  Kernel says hi\n") != std::string::npos);  // console tail from the log file
}

TEST_CASE("replay with --set turns the failure into a pass") {
  auto dir = temp_dir();
  auto path = write_failed_run(dir);
  std::vector<std::string> sets{"min_iteration_rate=500"};
  auto r = replay_file(path, sets, false);
  REQUIRE(r);
  CHECK(r->exit_code == kExitPass);
  CHECK(r->verdict.violations.empty());
  CHECK(r->text.starts_with("ktstr_test 'steady/1n1l2c1t' [sched=eevdf] [topo=1n1l2c1t] passed: 2 workers"));
  CHECK(r->text.find('\n') == r->text.size() - 1);  // one line
  auto verbose = replay_file(path, sets, true);
  REQUIRE(verbose);
  CHECK(verbose->text.find("--- stats ---") != std::string::npos);
  // Later sets win; a bad set is an error, not a verdict.
  std::vector<std::string> both{"min_iteration_rate=500", "min_iteration_rate=5000"};
  CHECK(replay_file(path, both, false)->exit_code == kExitFail);
  std::vector<std::string> bad{"min_iteration_rate=fast"};
  CHECK_FALSE(replay_file(path, bad, false));
  CHECK_FALSE(replay_file(dir.path() / "absent.json", {}, false));
}

TEST_CASE("stats list: one line per sidecar, other JSON skipped") {
  auto dir = temp_dir();
  write_failed_run(dir);
  REQUIRE(write_file_atomic(dir.path() / "other.json", "{}"));
  auto text = list_runs(dir.path());
  REQUIRE(text);
  CHECK(text->starts_with("fail         steady/1n1l2c1t sched=eevdf topo=1n1l2c1t"));
  CHECK(text->find("1 run(s) under") != std::string::npos);
}

#ifdef KTSTR_BIN
TEST_CASE("the ktstr binary: replay exit codes, --set, stats list") {
  auto dir = temp_dir();
  auto path = write_failed_run(dir);
  auto fail_run = run_capture({KTSTR_BIN, "replay", path.string()});
  REQUIRE(fail_run);
  CHECK(fail_run->status.exited);
  CHECK(fail_run->status.code == kExitFail);
  CHECK(fail_run->output.find("min_iteration_rate cg0/w0 step 0") != std::string::npos);
  auto pass_run = run_capture({KTSTR_BIN, "replay", path.string(), "--set", "min_iteration_rate=500"});
  REQUIRE(pass_run);
  CHECK(pass_run->status.code == kExitPass);
  CHECK(pass_run->output.find("passed:") != std::string::npos);
  auto bad = run_capture({KTSTR_BIN, "replay", path.string(), "--set", "nonsense=1"});
  REQUIRE(bad);
  CHECK(bad->status.code != kExitPass);
  CHECK(bad->status.code != kExitFail);  // a usage error is not a verdict
  auto list = run_capture({KTSTR_BIN, "stats", "list", dir.path().string()});
  REQUIRE(list);
  CHECK(list->status.code == 0);
  CHECK(list->output.find("steady/1n1l2c1t") != std::string::npos);
}
#endif
