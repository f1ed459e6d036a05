// The failure report is a stable format: compared byte for byte with
// golden/*.txt. Regenerate after an intended change with
//   KTSTR_UPDATE_GOLDEN=1 ctest -R verdict/
// and review the diff.
#include <doctest/doctest.h>

#include <cstdlib>

#include "base/fd.hpp"
#include "fixtures.hpp"
#include "host/verdict/judge.hpp"
#include "host/verdict/report.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

namespace {

// Two steps; cg0 has two unevenly treated workers, cg1 one stalled worker,
// "idle" is an empty cgroup; scx_simple is ejected in step 1.
RunTelemetry synthetic_failure() {
  RunTelemetry t;
  t.test = "mixed";
  t.topology = "1n1l2c1t";
  t.vcpus = 2;
  t.duration_ns = 3'250'000'000;
  t.steps = {StepTelemetry{.index = 0, .name = "warmup", .start_ns = 0, .end_ns = 1'000'000'000,
                           .ops = {"add cgroup cg0 (2 spin)", "add cgroup cg1 (1 yield)"}},
             StepTelemetry{.index = 1, .name = "squeeze", .start_ns = 1'000'000'000, .end_ns = 3'000'000'000,
                           .ops = {"set cg0 cpuset 0"}}};
  t.cgroups = {CgroupTelemetry{.name = "cg0", .step = 0, .workers = 2},
               CgroupTelemetry{.name = "cg1", .step = 0, .workers = 1},
               CgroupTelemetry{.name = "cg0", .step = 1, .cpuset = {0}, .workers = 2},
               CgroupTelemetry{.name = "idle", .step = 1}};
  auto w = [](std::string cg, int idx, int step, uint64_t it, uint64_t cpu, uint64_t gap, uint64_t migr,
              std::vector<int> used) {
    auto x = make_worker(std::move(cg), idx, step, it, 1'000'000'000, cpu);
    x.max_gap_ns = gap;
    x.max_gap_at_ns = 600'000'000;
    x.migrations = migr;
    x.cpus_used = std::move(used);
    return x;
  };
  t.workers = {w("cg0", 0, 0, 5000, 500'000'000, 4'000'000, 3, {0, 1}),
               w("cg0", 1, 0, 4800, 480'000'000, 5'000'000, 2, {1}),
               w("cg1", 0, 0, 900, 100'000'000, 12'000'000, 7, {0, 1}),
               w("cg0", 0, 1, 9000, 900'000'000, 2'000'000, 0, {0}),
               w("cg0", 1, 1, 1000, 100'000'000, 2'400'000'000, 1, {0, 1}),
               w("cg1", 0, 1, 0, 0, 1'000'000'000, 0, {})};
  for (uint64_t i = 1; i <= 100; ++i) t.workers[2].wake_latency_ns.push_back(i * 10'000);
  t.scheduler = SchedulerTelemetry{
      .name = "scx_simple",
      .ops_name = "simple",
      .attached = true,
      .failed = true,
      .failure = "ejected by the kernel (runnable task stall): sched_ext: BPF scheduler \"simple\" disabled "
                 "(runnable task stall); sched_ext: cg1/w0[205] failed to run for 1.000s",
      .events = {SchedEvent{.t_ns = 50'000'000, .kind = "started"},
                 SchedEvent{.t_ns = 120'000'000, .kind = "enabled"},
                 SchedEvent{.t_ns = 2'500'000'000, .kind = "ejected", .detail = "ejected by the kernel (runnable task stall)"}},
      .log_tail = "scx_simple: loaded\nlocal=120 global=33\nEXIT: runnable task stall\n"};
  return t;
}

ReportContext context() {
  return ReportContext{.test = "mixed/1n1l2c1t",
                       .scheduler = "scx_simple",
                       .topology = "1n1l2c1t",
                       .console_tail = "[    2.500000] sched_ext: BPF scheduler \"simple\" disabled (runnable task stall)\n"
                                       "[    2.500100] sched_ext: cg1/w0[205] failed to run for 1.000s\n",
                       .rerun_command = "ctest --test-dir build -R '^mixed/1n1l2c1t$' --output-on-failure"};
}

void check_golden(const std::string& name, const std::string& actual) {
  auto path = std::filesystem::path(KTSTR_VERDICT_GOLDEN_DIR) / name;
  if (const char* u = std::getenv("KTSTR_UPDATE_GOLDEN"); u && std::string_view(u) == "1") {
    REQUIRE(write_file_atomic(path, actual));
    MESSAGE("updated " << path.string());
    return;
  }
  auto expected = read_file(path);
  REQUIRE_MESSAGE(expected, "missing golden file " << path.string() << " (KTSTR_UPDATE_GOLDEN=1 creates it)");
  CHECK(actual == *expected);
}

}  // namespace

TEST_CASE("golden: failure report of a synthetic run") {
  auto t = synthetic_failure();
  Thresholds th = merge_layers(Thresholds{.not_starved = true}, Thresholds{.isolation = true, .max_p99_wake_us = 500.0});
  auto v = judge(t, VmFacts{.guest_exit_code = 0}, th);
  REQUIRE(v.outcome == Outcome::kFail);
  auto report = format_report(context(), t, v);
  check_golden("failure_report.txt", report);
  // The format's fixed anchors, independent of the golden file.
  // One line with the cause (the kernel's exit reason) comes first, then the long report.
  CHECK(report.starts_with("BUG SUMMARY: scheduler scx_simple: ejected by the kernel (runnable task stall): "
                           "sched_ext: BPF scheduler \"simple\" disabled (runnable task stall); sched_ext: cg1/w0[205] "
                           "failed to run for 1.000s\nktstr_test 'mixed/1n1l2c1t' [sched=scx_simple] [topo=1n1l2c1t] "
                           "failed:\n"));
  for (auto section : {"--- stats ---", "--- timeline ---", "--- scheduler log", "--- kernel console", "--- re-run ---"})
    CHECK_MESSAGE(report.find(section) != std::string::npos, section);
  CHECK(format_verdict(context(), t, v, false) == report);  // failures always get the full report
}

TEST_CASE("golden: passing run summary line") {
  auto t = healthy_run();
  auto v = judge(t, {}, builtin_defaults());
  auto ctx = ReportContext{.test = "steady/1n1l2c1t", .topology = "1n1l2c1t"};
  auto line = format_verdict(ctx, t, v, false);
  check_golden("pass_summary.txt", line);
  CHECK(format_verdict(ctx, t, v, true).find("--- stats ---") != std::string::npos);
}

TEST_CASE("summary line: the first violation of the outcome's severity, none for a pass") {
  Violation gap{.check = "gap", .subject = "cg0/w1 step 1", .observed = 2400.0, .threshold = 2000.0, .unit = "ms"};
  Violation infra{.check = "infra", .subject = "host", .detail = "channel corrupt", .severity = Outcome::kInconclusive};
  CHECK(summary_line(Verdict{.outcome = Outcome::kFail, .violations = {infra, gap}}) ==
        "BUG SUMMARY: gap cg0/w1 step 1: observed 2400 ms, limit 2000 ms");
  CHECK(summary_line(Verdict{.outcome = Outcome::kInconclusive, .violations = {infra}}) ==
        "INCONCLUSIVE: infra host: channel corrupt [infrastructure]");
  CHECK(summary_line(Verdict{.outcome = Outcome::kPass}).empty());
  CHECK(summary_line(Verdict{.outcome = Outcome::kSkip}).empty());
}

TEST_CASE("tail_lines") {
  CHECK(tail_lines("a\nb\nc\n", 2) == "b\nc");
  CHECK(tail_lines("a\nb\nc", 3) == "a\nb\nc");
  CHECK(tail_lines("a\nb\nc", 10) == "a\nb\nc");
  CHECK(tail_lines("", 3).empty());
  CHECK(tail_lines("a\nb", 0).empty());
}
