#include "host/verdict/judge.hpp"

#include "base/exit_codes.hpp"
#include "host/verdict/checks.hpp"

namespace ktstr::verdict {

namespace {
constexpr Check kChecks[] = {
    {"infra", check_infra},
    {"panic", check_panic},
    {"timeout", check_timeout},
    {"scheduler", check_scheduler},
    {"assertion", check_guest_result},
    {"zero_progress", check_zero_progress},
    {"spread", check_spread},
    {"gap", check_gap},
    {"min_iteration_rate", check_iteration_rate},
    {"max_migration_ratio", check_migration_ratio},
    {"isolation", check_isolation},
    {"max_p99_wake_us", check_p99_wake},
    {"max_throughput_cv", check_throughput_cv},
    {"baseline", check_baseline},
    {"max_spread_over_baseline_pp", check_spread_over_baseline},
    {"min_share_vs_baseline_pct", check_share_vs_baseline},
    {"min_rate_vs_baseline_pct", check_rate_vs_baseline},
    {"max_gap_over_baseline_ms", check_gap_over_baseline},
    {"cgroup_weights", check_weights},
    {"temporal", check_temporal},
    {"max_rq_stall_ms", check_rq_stall},
    {"max_idle_waiting_ms", check_idle_waiting},
};
}  // namespace

std::span<const Check> all_checks() { return kChecks; }

Verdict judge(const RunTelemetry& t, const VmFacts& facts, const Thresholds& th) {
  Verdict v;
  bool skipped = facts.guest_exit_code == kExitSkip;
  v.outcome = skipped ? Outcome::kSkip : Outcome::kPass;
  for (const auto& check : all_checks()) {
    for (auto& violation : check.fn(t, facts, th)) {
      v.outcome = worst(v.outcome, violation.severity);
      v.violations.push_back(std::move(violation));
    }
  }
  return v;
}

}  // namespace ktstr::verdict
