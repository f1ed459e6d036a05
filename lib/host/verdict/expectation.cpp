#include "host/verdict/expectation.hpp"

#include <regex>

#include <fmt/format.h>

#include "base/exit_codes.hpp"

namespace ktstr::verdict {

namespace {

using Kind = RunEnd::Kind;

std::string with_reason(std::string what, const std::string& reason) {
  return reason.empty() ? what : fmt::format("{}: {}", what, reason);
}

// The run ended without the expected failure being established: keep a
// non-zero code (an infrastructure code says more than 1), never 0.
ExpectationResult not_established(const RunEnd& end, const std::string& regex, const std::string& what) {
  return {.exit_code = end.exit_code != kExitPass ? end.exit_code : kExitFail,
          .line = fmt::format("expected failure matching '{}' not established: {}", regex, what)};
}

ExpectationResult did_not_happen(const std::string& regex, const std::string& what) {
  return {.exit_code = kExitFail, .line = fmt::format("expected failure matching '{}' did not happen: {}", regex, what)};
}

// A Fail verdict: the first failure line the regex finds decides.
ExpectationResult judge_failures(const RunEnd& end, const std::regex& re, const std::string& regex) {
  for (const auto& line : end.failures)
    if (std::regex_search(line, re))
      return {.exit_code = kExitPass, .line = fmt::format("failed as expected (matches '{}'): {}", regex, line)};
  if (end.failures.empty()) return did_not_happen(regex, "the run failed without a violation line");
  auto more = end.failures.size() > 1 ? fmt::format(" (and {} more)", end.failures.size() - 1) : std::string();
  return did_not_happen(regex, fmt::format("the run failed for another reason: {}{}", end.failures.front(), more));
}

ExpectationResult judge_verdict(const RunEnd& end, const std::regex& re, const std::string& regex) {
  switch (end.exit_code) {
    case kExitFail: return judge_failures(end, re, regex);
    case kExitPass: return did_not_happen(regex, "the run passed");
    case kExitSkip:
      return {.exit_code = kExitFail,
              .line = fmt::format("expected failure matching '{}' not established: {}", regex,
                                  with_reason("the test skipped itself", end.reason))};
    default:
      return not_established(end, regex,
                             with_reason(fmt::format("infrastructure error (exit {})", end.exit_code), end.reason));
  }
}

}  // namespace

ExpectationResult apply_expectation(const RunEnd& end, const std::string& regex) {
  std::regex re;
  try {
    re = std::regex(regex);
  } catch (const std::regex_error& e) {
    return {.exit_code = kExitInfra, .line = fmt::format("--expect-fail '{}': not a valid regex ({})", regex, e.what())};
  }
  switch (end.kind) {
    case Kind::kVerdict: return judge_verdict(end, re, regex);
    case Kind::kPolicySkip: return not_established(end, regex, with_reason("skipped before booting", end.reason));
    case Kind::kNoVerdict: break;
  }
  return not_established(end, regex, with_reason(fmt::format("no verdict (exit {})", end.exit_code), end.reason));
}

std::vector<std::string> fail_lines(const Verdict& v) {
  std::vector<std::string> out;
  for (const auto& viol : v.violations)
    if (viol.severity == Outcome::kFail) out.push_back(format_violation(viol));
  return out;
}

std::string infra_lines(const Verdict& v) {
  std::string out;
  for (const auto& viol : v.violations)
    if (viol.severity == Outcome::kInconclusive) out += (out.empty() ? "" : "; ") + format_violation(viol);
  return out;
}

}  // namespace ktstr::verdict
