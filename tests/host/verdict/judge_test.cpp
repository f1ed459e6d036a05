#include <doctest/doctest.h>

#include "base/exit_codes.hpp"
#include "fixtures.hpp"
#include "host/verdict/judge.hpp"

using namespace ktstr;
using namespace ktstr::verdict;
using namespace ktstr::verdict::testing;

TEST_CASE("outcome ordering: Fail > Inconclusive > Pass > Skip") {
  CHECK(worst(Outcome::kSkip, Outcome::kPass) == Outcome::kPass);
  CHECK(worst(Outcome::kPass, Outcome::kInconclusive) == Outcome::kInconclusive);
  CHECK(worst(Outcome::kInconclusive, Outcome::kFail) == Outcome::kFail);
  CHECK(worst(Outcome::kFail, Outcome::kSkip) == Outcome::kFail);
  CHECK(worst(Outcome::kSkip, Outcome::kSkip) == Outcome::kSkip);
  for (auto o : {Outcome::kSkip, Outcome::kPass, Outcome::kInconclusive, Outcome::kFail})
    CHECK(parse_outcome(outcome_name(o)) == o);
  CHECK_FALSE(parse_outcome("bogus"));
}

TEST_CASE("exit codes") {
  CHECK(exit_code(Outcome::kPass) == 0);
  CHECK(exit_code(Outcome::kFail) == 1);
  CHECK(exit_code(Outcome::kSkip) == 77);
  CHECK(exit_code(Outcome::kInconclusive) == kExitInfra);
  CHECK(kExitInfra != kExitFail);
}

TEST_CASE("judge combines violations into the worst outcome") {
  auto t = healthy_run();
  CHECK(judge(t, {}, builtin_defaults()).outcome == Outcome::kPass);
  CHECK(judge(t, {.guest_exit_code = 0}, {}).outcome == Outcome::kPass);
  CHECK(judge(t, {.guest_exit_code = kExitSkip}, {}).outcome == Outcome::kSkip);

  auto infra = t;
  infra.error = "topology mismatch: saw 1 LLC, declared 2";
  auto v = judge(infra, {}, {});
  CHECK(v.outcome == Outcome::kInconclusive);
  REQUIRE(v.violations.size() == 1);
  CHECK(v.violations[0].check == "infra");

  // A panic on top of an infra error still fails: Fail outranks Inconclusive.
  v = judge(infra, {.panic = true}, {});
  CHECK(v.outcome == Outcome::kFail);
  CHECK(v.violations.size() == 2);

  // A skipped guest that still shows zero progress fails.
  auto stalled = t;
  stalled.workers[0].iterations = 0;
  CHECK(judge(stalled, {.guest_exit_code = kExitSkip}, {}).outcome == Outcome::kFail);
}

TEST_CASE("judge: a bare test fails while the scheduler is broken") {
  auto t = healthy_run();
  t.scheduler = SchedulerTelemetry{.name = "scx_bad", .attached = true, .failed = true, .failure = "killed"};
  auto v = judge(t, {}, builtin_defaults());
  CHECK(v.outcome == Outcome::kFail);
  REQUIRE(v.violations.size() == 1);
  CHECK(format_violation(v.violations[0]) == "scheduler scx_bad: failed: killed");
}

TEST_CASE("violation lines name subject, observed value and limit") {
  Violation v{.check = "gap", .subject = "cg0/w1 step 0", .observed = 2500.5, .threshold = 2000.0, .unit = "ms",
              .detail = "ended 1.000 s into the step"};
  CHECK(format_violation(v) == "gap cg0/w1 step 0: observed 2500.5 ms, limit 2000 ms (ended 1.000 s into the step)");
  Violation infra{.check = "infra", .subject = "guest", .detail = "boom", .severity = Outcome::kInconclusive};
  CHECK(format_violation(infra) == "infra guest: boom [infrastructure]");
}
