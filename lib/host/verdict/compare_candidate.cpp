#include "host/verdict/compare_candidate.hpp"

#include <fmt/format.h>

#include "host/verdict/run_stats.hpp"

namespace ktstr::verdict {

namespace {
// The first violation that set the outcome, for the line.
std::string cause(const Verdict& v) {
  for (const auto& viol : v.violations)
    if (viol.severity == v.outcome) return format_violation(viol);
  return "no violation recorded";
}

bool has_metrics(const Sidecar& s) { return !metrics_of(compute_stats(s.telemetry)).empty(); }
}  // namespace

std::optional<std::string> candidate_fault(const Sidecar& a, const Sidecar* b) {
  if (!b) return "no run in B (A has one)";
  const Outcome o = b->verdict.outcome;
  if (o == Outcome::kFail || o == Outcome::kInconclusive)
    return fmt::format("B's verdict is {}: {}", outcome_name(o), cause(b->verdict));
  if (o == Outcome::kSkip && a.verdict.outcome != Outcome::kSkip) return "B's run was skipped (A's was not)";
  if (b->facts.no_result) return "B's run sent no telemetry";
  if (!has_metrics(*b) && has_metrics(a)) return "B's run has no telemetry to compare (no worker measured)";
  return std::nullopt;
}

}  // namespace ktstr::verdict
