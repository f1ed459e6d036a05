#include <doctest/doctest.h>

#include <cstdlib>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "fixtures.hpp"
#include "host/verdict/cdash.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/sidecar.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {
Sidecar sample_sidecar() {
  Sidecar s;
  s.test = "steady";
  s.variant = "steady/1n1l2c1t";
  s.topology = "1n1l2c1t";
  s.project_commit = "abc1234";
  s.created_at = "2026-11-27T12:00:00Z";
  s.kernel = {.key = "6.12.43-deadbeef", .version = "6.12.43"};
  s.scheduler = {.name = "scx_simple", .binary = "/b/scx_simple", .args = {"-v"}};
  s.thresholds = Thresholds{.not_starved = true, .max_gap_ms = 250.0};
  s.facts = VmFacts{.guest_exit_code = 0};
  s.telemetry = healthy_run();
  s.telemetry.workers[0].wake_latency_ns = {1, 2, 3};
  s.telemetry.scheduler.events = {SchedEvent{.t_ns = 7, .kind = "enabled", .detail = "x"}};
  s.verdict = judge(s.telemetry, s.facts, s.thresholds);
  s.timings = {.boot_s = 1.5, .run_s = 2.25, .total_s = 4.0};
  s.console_log = "/tmp/console.log";
  s.rerun_command = "ctest -R 'steady/1n1l2c1t'";
  return s;
}
}  // namespace

TEST_CASE("sidecar path layout and variant sanitising") {
  auto p = sidecar_path("/b", "6.12.43-deadbeef", "abc1234", "steady/1n1l2c1t");
  CHECK(p == "/b/ktstr/6.12.43-deadbeef-abc1234/steady_1n1l2c1t.json");
  CHECK(variant_file_stem("a b:c") == "a_b_c");
  CHECK(variant_file_stem("..") == "_..");
  CHECK(variant_file_stem("") == "_");
}

TEST_CASE("sidecar round trip through a real file") {
  auto dir = temp_dir();
  auto s = sample_sidecar();
  auto path = sidecar_path(dir.path(), s.kernel.key, s.project_commit, s.variant);
  REQUIRE(write_sidecar(path, s));
  auto back = read_sidecar(path);
  REQUIRE(back);
  CHECK(nlohmann::json(*back) == nlohmann::json(s));
  CHECK(back->thresholds.max_gap_ms == 250.0);
  CHECK_FALSE(back->thresholds.max_spread_pct);
  CHECK(back->facts.guest_exit_code == 0);
  CHECK(back->telemetry.workers[0].wake_latency_ns == std::vector<uint64_t>{1, 2, 3});
  CHECK(back->verdict.outcome == s.verdict.outcome);
  // Overwriting is atomic: no temp files left behind.
  REQUIRE(write_sidecar(path, s));
  auto listed = find_sidecars(dir.path());
  REQUIRE(listed);
  CHECK(listed->size() == 1);
}

TEST_CASE("reading a non-sidecar or newer-schema file fails with the file name") {
  auto dir = temp_dir();
  auto other = dir.path() / "compile_commands.json";
  REQUIRE(write_file_atomic(other, "[]"));
  auto r = read_sidecar(other);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("compile_commands.json") != std::string::npos);
  auto newer = dir.path() / "newer.json";
  REQUIRE(write_file_atomic(newer, R"({"schema": 999, "telemetry": {}})"));
  CHECK_FALSE(read_sidecar(newer));
  auto broken = dir.path() / "broken.json";
  REQUIRE(write_file_atomic(broken, "{"));
  CHECK_FALSE(read_sidecar(broken));
  CHECK_FALSE(read_sidecar(dir.path() / "missing.json"));
}

TEST_CASE("CDash measurements and artefacts") {
  auto t = healthy_run();
  auto text = cdash_measurements(t, judge(t, {}, {}));
  CHECK(text.find(R"(<CTestMeasurement type="numeric/double" name="ktstr.workers">2</CTestMeasurement>)") !=
        std::string::npos);
  CHECK(text.find(R"(name="ktstr.cg0.iter_rate">1000<)") != std::string::npos);
  CHECK(text.find(R"(name="ktstr.worst_gap_ms">10<)") != std::string::npos);
  CHECK(text.find("p99_wake_us") == std::string::npos);  // no samples: left out, not 0
  CHECK(cdash_measurement("a<b", 1.5) == R"(<CTestMeasurement type="numeric/double" name="a&lt;b">1.5</CTestMeasurement>)");
  auto a = artefact_paths("/b", "k", "c", "t/1n1l1c1t");
  CHECK(a.sidecar == "/b/ktstr/k-c/t_1n1l1c1t.json");
  CHECK(a.console_log == "/b/ktstr/k-c/t_1n1l1c1t.console.log");
  CHECK(a.svg == "/b/ktstr/k-c/t_1n1l1c1t.svg");
  CHECK(attached_files_on_fail(a) ==
        "/b/ktstr/k-c/t_1n1l1c1t.json;/b/ktstr/k-c/t_1n1l1c1t.console.log;/b/ktstr/k-c/t_1n1l1c1t.svg");
}

TEST_CASE("sidecars are grouped by $KTSTR_COMMIT, else the git HEAD of the test source, else 'local'") {
  const char* saved = std::getenv("KTSTR_COMMIT");
  const std::string old = saved ? saved : "";
  ::unsetenv("KTSTR_COMMIT");
  const std::filesystem::path here = __FILE__;
  auto head = run_capture({"git", "-C", here.parent_path().string(), "rev-parse", "--short=12", "HEAD"});
  const std::string commit = project_commit(here);
  if (head && head->status.success()) {  // a checkout: the same HEAD, maybe "-dirty"
    CHECK(commit.substr(0, 12) == head->output.substr(0, 12));
    CHECK((commit.size() == 12 || commit == commit.substr(0, 12) + "-dirty"));
  } else {  // e.g. an unpacked release tarball
    CHECK(commit == "local");
  }
  CHECK(project_commit("/proc/self/status") == "local");  // not inside any checkout
  CHECK(project_commit({}) == "local");
  ::setenv("KTSTR_COMMIT", "v1.2-rc3", 1);
  CHECK(project_commit(here) == "v1.2-rc3");
  if (saved) ::setenv("KTSTR_COMMIT", old.c_str(), 1);
  else ::unsetenv("KTSTR_COMMIT");
}
