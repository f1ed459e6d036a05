#include <doctest/doctest.h>

#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "host/verdict/expectation.hpp"

using namespace ktstr;
using namespace ktstr::verdict;

namespace {
constexpr const char* kStall = "scheduler.*runnable task stall";
const std::string kStallLine = "scheduler scx_wvt: ejected: runnable task stall (cg1/w0 failed to run for 5.2s)";

RunEnd verdict_end(int code, std::vector<std::string> failures = {}, std::string reason = {}) {
  return {.kind = RunEnd::Kind::kVerdict, .exit_code = code, .failures = std::move(failures),
          .reason = std::move(reason)};
}
}  // namespace

TEST_CASE("expect_fail: a Fail verdict with a matching violation line is the only pass") {
  auto r = apply_expectation(verdict_end(kExitFail, {"zero_progress cg1/w0 step 1: observed 0 iterations", kStallLine}),
                             kStall);
  CHECK(r.exit_code == kExitPass);
  CHECK(r.line == "failed as expected (matches '" + std::string(kStall) + "'): " + kStallLine);
}

TEST_CASE("expect_fail: a passing run fails the entry") {
  auto r = apply_expectation(verdict_end(kExitPass), kStall);
  CHECK(r.exit_code == kExitFail);
  CHECK(r.line == "expected failure matching 'scheduler.*runnable task stall' did not happen: the run passed");
}

TEST_CASE("expect_fail: a failure for another reason fails the entry and names it") {
  auto r = apply_expectation(
      verdict_end(kExitFail, {"gap cg0/w1 step 1: observed 2400 ms, limit 2000 ms", "isolation cg0/w1 step 1"}),
      kStall);
  CHECK(r.exit_code == kExitFail);
  CHECK(r.line ==
        "expected failure matching 'scheduler.*runnable task stall' did not happen: the run failed for another "
        "reason: gap cg0/w1 step 1: observed 2400 ms, limit 2000 ms (and 1 more)");
  // A Fail without any violation line cannot match either.
  CHECK(apply_expectation(verdict_end(kExitFail), kStall).exit_code == kExitFail);
}

TEST_CASE("expect_fail: a guest skip fails the entry") {
  auto r = apply_expectation(verdict_end(kExitSkip, {}, "needs 4 CPUs"), kStall);
  CHECK(r.exit_code == kExitFail);
  CHECK(r.line == "expected failure matching 'scheduler.*runnable task stall' not established: the test skipped "
                  "itself: needs 4 CPUs");
}

TEST_CASE("expect_fail: infrastructure outcomes keep their code and never read as passed") {
  for (int code : {kExitInfra, kExitPanic, kExitTimeout, kExitNoResult}) {
    CAPTURE(code);
    auto r = apply_expectation(verdict_end(code, {}, "infra guest: no telemetry received [infrastructure]"), kStall);
    CHECK(r.exit_code == code);
    CHECK(r.line == fmt::format("expected failure matching 'scheduler.*runnable task stall' not established: "
                                "infrastructure error (exit {}): infra guest: no telemetry received [infrastructure]",
                                code));
  }
}

TEST_CASE("expect_fail: launch and command-line errors (no verdict) keep a non-zero code") {
  RunEnd missing_kernel{.kind = RunEnd::Kind::kNoVerdict, .exit_code = kExitInfra,
                        .reason = "--kernel /nope/bzImage: No such file or directory"};
  auto r = apply_expectation(missing_kernel, kStall);
  CHECK(r.exit_code == kExitInfra);
  CHECK(r.line == "expected failure matching 'scheduler.*runnable task stall' not established: no verdict (exit 70): "
                  "--kernel /nope/bzImage: No such file or directory");
  // CLI11's codes (e.g. 109 for extra arguments) stay; --help's 0 becomes 1.
  CHECK(apply_expectation({.kind = RunEnd::Kind::kNoVerdict, .exit_code = 109}, kStall).exit_code == 109);
  CHECK(apply_expectation({.kind = RunEnd::Kind::kNoVerdict, .exit_code = 0}, kStall).exit_code == kExitFail);
  // A run stopped by a signal keeps 128+N.
  CHECK(apply_expectation(verdict_end(kExitSignalBase + 15), kStall).exit_code == kExitSignalBase + 15);
}

TEST_CASE("expect_fail: a host policy skip stays a skip, an invalid regex is a usage error") {
  auto skip = apply_expectation({.kind = RunEnd::Kind::kPolicySkip, .exit_code = kExitSkip, .reason = "no KVM"}, kStall);
  CHECK(skip.exit_code == kExitSkip);
  CHECK(skip.line.ends_with("not established: skipped before booting: no KVM"));
  auto bad = apply_expectation(verdict_end(kExitFail, {kStallLine}), "stall(");
  CHECK(bad.exit_code == kExitInfra);
  CHECK(bad.line.starts_with("--expect-fail 'stall(': not a valid regex"));
}

TEST_CASE("fail_lines keeps Fail-severity violations only, infra_lines the rest") {
  Verdict v{.outcome = Outcome::kFail,
            .violations = {Violation{.check = "scheduler", .subject = "s", .detail = "ejected: runnable task stall"},
                           Violation{.check = "infra", .subject = "host", .detail = "runnable task stall in the log",
                                     .severity = Outcome::kInconclusive}}};
  CHECK(fail_lines(v) == std::vector<std::string>{"scheduler s: ejected: runnable task stall"});
  CHECK(infra_lines(v) == "infra host: runnable task stall in the log [infrastructure]");
  // An infrastructure line never satisfies the expectation.
  Verdict only_infra{.outcome = Outcome::kFail, .violations = {v.violations[1]}};
  CHECK(apply_expectation(verdict_end(kExitFail, fail_lines(only_infra)), "runnable task stall").exit_code ==
        kExitFail);
}
