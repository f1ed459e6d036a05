// Expected failures (a test's `expect_fail` regex, the launcher's
// --expect-fail): such a test passes only when its run ended in a Fail verdict
// with a violation line matching the regex. Every other end — a pass, a skip,
// an infrastructure error, a launch or command-line error, a failure for
// another reason — fails the entry with one line saying what happened
// instead. The launcher routes every way out of a run through
// apply_expectation (no CTest WILL_FAIL), so none of those can read as
// "failed as expected".
#pragma once

#include <string>
#include <vector>

#include "host/verdict/outcome.hpp"

namespace ktstr::verdict {

// How a launcher run ended, as far as an expectation cares.
struct RunEnd {
  enum class Kind {
    kVerdict,     // judged: exit_code is the verdict's (0 pass, 1 fail, 77 skip, 70 inconclusive)
    kNoVerdict,   // ended before a verdict: command-line, option or launch error (exit_code as returned)
    kPolicySkip,  // not run by the host's policy (KTSTR_REQUIRE_KVM=1 without KVM): stays a skip
  };
  Kind kind = Kind::kNoVerdict;
  int exit_code = 0;
  std::vector<std::string> failures;  // kVerdict: the Fail-severity violation lines (fail_lines)
  std::string reason;                 // why it ended that way (error message, infra lines), may be empty
};

// What the launcher returns for an expectation, and the one line it prints.
struct ExpectationResult {
  int exit_code = 0;
  std::string line;
};

// Applies `--expect-fail regex` to a run's end: exit 0 only for a Fail verdict
// with a failure line matching regex (std::regex ECMAScript, searched);
// exit 1 for a pass, a guest skip or a failure for another reason; an
// infrastructure or launch code is kept (never 0); a policy skip stays 77;
// an invalid regex is a usage error (70).
ExpectationResult apply_expectation(const RunEnd& end, const std::string& regex);

// The violation lines (format_violation) of a verdict's Fail-severity
// violations: what an expected-failure regex is matched against.
std::vector<std::string> fail_lines(const Verdict& v);

// The Inconclusive (infrastructure) violation lines, joined with "; ".
std::string infra_lines(const Verdict& v);

}  // namespace ktstr::verdict
