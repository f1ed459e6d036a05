#include "../support/doctest_main.hpp"

#include "known_defect.hpp"

using namespace ktstr;
using namespace ktstr::validation;
using verdict::Outcome;
using verdict::Verdict;
using verdict::Violation;

namespace {
constexpr uint64_t kS = 1'000'000'000;

// Three 3 s steps; the scheduler stalls in step 1 (the runner is starved with
// it, so the step lasts until the ejection at 8 s) after 5.1 s of stall.
RunTelemetry stalled_run() {
  RunTelemetry t;
  t.steps = {{.index = 0, .name = "steady", .start_ns = 0, .end_ns = 3 * kS},
             {.index = 1, .name = "steady_llc", .start_ns = 3 * kS, .end_ns = 8 * kS}};
  t.scheduler.failed = true;
  t.scheduler.failure = "ejected by the kernel (runnable task stall): sched_ext: BPF scheduler \"qmap\" disabled "
                        "(runnable task stall); sched_ext: qmap: kworker/1:1[30] failed to run for 5.100s";
  t.scheduler.events = {{.t_ns = 100, .kind = "enabled"}, {.t_ns = 8 * kS, .kind = "ejected"}};
  return t;
}

Violation stall_violation(const RunTelemetry& t) {
  return {.check = "scheduler", .subject = "scx_qmap", .detail = t.scheduler.failure};
}
Violation gap(int step) {
  return {.check = "gap", .subject = "cg0/w1 step " + std::to_string(step), .observed = 5100.0, .threshold = 3000.0,
          .unit = "ms"};
}
}  // namespace

TEST_CASE("the defect is matched on violation lines, with the stall's consequences explained") {
  auto t = stalled_run();
  Verdict v{.outcome = Outcome::kFail,
            .violations = {stall_violation(t), gap(1), {.check = "zero_progress", .subject = "cg1/w0 step 1"}}};
  auto j = judge_known_defect("runnable task stall", t, v);
  REQUIRE(j.defect_line);
  CHECK(j.defect_line->starts_with("scheduler scx_qmap: ejected by the kernel (runnable task stall)"));
  CHECK(j.unexplained.empty());
  CHECK(j.infra.empty());
}

TEST_CASE("other violations in the same run count") {
  auto t = stalled_run();
  // A 4.5 s stall ending at 8 s began at 3.5 s, after step 0 ended (3 s): a
  // gap in step 0 is not the stall's doing.
  t.scheduler.failure = "ejected by the kernel (runnable task stall): sched_ext: qmap: kworker/1:1[30] failed to run "
                        "for 4.500s";
  Verdict v{.outcome = Outcome::kFail,
            .violations = {stall_violation(t), gap(0), gap(1),
                           {.check = "isolation", .subject = "cg0/w1 step 1", .observed = 1.0, .threshold = 0.0},
                           {.check = "assertion", .subject = "steady.cpp:12", .detail = "x == 1"}}};
  auto j = judge_known_defect("runnable task stall", t, v);
  REQUIRE(j.defect_line);
  // gap in step 0 (before the stall), isolation (a stall never moves a task
  // off its cpuset) and a failed assertion are not the defect's doing.
  REQUIRE(j.unexplained.size() == 3);
  CHECK(j.unexplained[0] == "gap cg0/w1 step 0: observed 5100 ms, limit 3000 ms");
  CHECK(j.unexplained[1].starts_with("isolation cg0/w1 step 1"));
  CHECK(j.unexplained[2].starts_with("assertion steady.cpp:12"));
}

TEST_CASE("the defect text in a console or log tail does not count, infra lines are kept apart") {
  auto t = stalled_run();
  t.scheduler.log_tail = "runnable task stall";  // never searched
  Verdict v{.outcome = Outcome::kFail,
            .violations = {gap(1),
                           {.check = "infra", .subject = "host", .detail = "runnable task stall in the console",
                            .severity = Outcome::kInconclusive}}};
  auto j = judge_known_defect("runnable task stall", t, v);
  CHECK_FALSE(j.defect_line);
  CHECK(j.infra.size() == 1);
  // A different scheduler failure is not the known defect.
  Verdict other{.outcome = Outcome::kFail,
                .violations = {{.check = "scheduler", .subject = "scx_qmap", .detail = "killed by signal 9 (Killed)"}}};
  auto j2 = judge_known_defect("runnable task stall", t, other);
  CHECK_FALSE(j2.defect_line);
  CHECK(j2.unexplained.size() == 1);
}

TEST_CASE("without a reported stall length only the ejection's step is explained") {
  auto t = stalled_run();
  t.scheduler.failure = "ejected by the kernel (runnable task stall): sched_ext: BPF scheduler \"qmap\" disabled";
  Verdict v{.outcome = Outcome::kFail, .violations = {stall_violation(t), gap(0), gap(1)}};
  auto j = judge_known_defect("runnable task stall", t, v);
  REQUIRE(j.defect_line);
  CHECK(j.unexplained == std::vector<std::string>{"gap cg0/w1 step 0: observed 5100 ms, limit 3000 ms"});
  CHECK(stall_ns("kworker/0:1[12] failed to run for 30.125s") == 30'125'000'000ull);
  CHECK(stall_ns("sched_ext: qmap: watchdog failed to check in for 5.004s; the scheduler then exited") ==
        5'004'000'000ull);
  CHECK_FALSE(stall_ns("no duration here"));
  CHECK_FALSE(stall_ns("failed to run for soon"));
}

TEST_CASE("in an A/B run, the relative checks the stall moves are explained in its steps only") {
  auto t = stalled_run();
  t.scheduler.failure = "ejected by the kernel (runnable task stall): sched_ext: qmap: kworker/1:1[30] failed to run "
                        "for 4.500s";
  auto rel = [](std::string check, int step) {
    return Violation{.check = std::move(check), .subject = "cg1 step " + std::to_string(step), .observed = 40.0,
                     .threshold = 15.0};
  };
  Verdict v{.outcome = Outcome::kFail,
            .violations = {stall_violation(t), rel("max_spread_over_baseline_pp", 1),
                           rel("min_share_vs_baseline_pct", 1), rel("max_gap_over_baseline_ms", 1),
                           rel("min_rate_vs_baseline_pct", 1), rel("max_spread_over_baseline_pp", 0)}};
  auto j = judge_known_defect("runnable task stall", t, v);
  REQUIRE(j.defect_line);
  // Step 0 ended before the 4.5 s stall began (3.5 s): not the defect's doing.
  REQUIRE(j.unexplained.size() == 1);
  CHECK(j.unexplained[0].starts_with("max_spread_over_baseline_pp cg1 step 0"));
}

TEST_CASE("scx_central's intermittent dispatch race: the ejection's step is explained, earlier steps are not") {
  // The CI run that showed it: ejected at 4.394 s inside step 1 (4.083 s to
  // 4.421 s), with the LLC-pinned workers' spread in that step off.
  RunTelemetry t;
  t.steps = {{.index = 0, .name = "steady", .start_ns = 800'000'000, .end_ns = 3'833'000'000},
             {.index = 1, .name = "steady", .start_ns = 4'083'000'000, .end_ns = 4'421'000'000}};
  t.scheduler.failed = true;
  t.scheduler.failure = "ejected by the kernel (runtime error): sched_ext: BPF scheduler \"central\" disabled (runtime "
                        "error); sched_ext: central: SCX_DSQ_LOCAL[_ON] cannot move migration disabled init[50] from "
                        "CPU 1 to 2";
  t.scheduler.events = {{.t_ns = 676'000'000, .kind = "enabled"}, {.t_ns = 4'394'000'000, .kind = "ejected"}};
  const Violation spread1{.check = "spread", .subject = "llc0 step 1", .observed = 54.2, .threshold = 35, .unit = "pp"};
  const Violation spread0{.check = "spread", .subject = "llc0 step 0", .observed = 54.2, .threshold = 35, .unit = "pp"};
  const Violation ejected{.check = "scheduler", .subject = "scx_central", .detail = t.scheduler.failure};

  const auto known = known_defect("scx_central", "1n2l1c2t", 4);
  REQUIRE(known);
  CHECK(known->intermittent);
  auto j = judge_known_defect(known->reason, t, {.outcome = Outcome::kFail, .violations = {ejected, spread1}});
  REQUIRE(j.defect_line);
  CHECK(j.unexplained.empty());
  j = judge_known_defect(known->reason, t, {.outcome = Outcome::kFail, .violations = {ejected, spread0, spread1}});
  CHECK(j.unexplained == std::vector<std::string>{"spread llc0 step 0: observed 54.2 pp, limit 35 pp"});
  // A stall is not this defect.
  j = judge_known_defect(known->reason, stalled_run(), {.outcome = Outcome::kFail,
                                                         .violations = {stall_violation(stalled_run())}});
  CHECK_FALSE(j.defect_line);
}

TEST_CASE("the defect table: steady stalls on their topologies, scx_central's race wherever it has two CPUs") {
  CHECK(known_defect("scx_qmap", "2n2l1c1t", 2)->reason == "runnable task stall");
  CHECK_FALSE(known_defect("scx_qmap", "2n2l1c1t", 2)->intermittent);
  CHECK(known_defect("scx_flatcg", "1n2l1c2t", 4));
  CHECK_FALSE(known_defect("scx_qmap", "1n1l2c1t", 2));
  CHECK_FALSE(known_defect("scx_simple", "2n2l1c1t", 2));
  CHECK_FALSE(known_defect("eevdf", "1n2l1c2t", 4));
  CHECK_FALSE(known_defect("scx_central", "1n1l1c1t", 1));
}
