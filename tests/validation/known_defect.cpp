#include "known_defect.hpp"

#include <algorithm>
#include <cstdlib>

namespace ktstr::validation {

namespace {

using verdict::Outcome;
using verdict::Violation;

// Checks whose numbers a stalled scheduler moves: its starved tasks make no
// progress, lose CPU share and leave gaps (judged alone or, in an A/B run,
// against the baseline phase).
bool measured(const std::string& check) {
  for (const char* c : {"zero_progress", "spread", "gap", "min_iteration_rate", "max_throughput_cv", "max_p99_wake_us",
                        "max_spread_over_baseline_pp", "min_share_vs_baseline_pct", "min_rate_vs_baseline_pct",
                        "max_gap_over_baseline_ms"})
    if (check == c) return true;
  return false;
}

// "cg0/w1 step 3" -> 3 (subjects of measured checks end in " step N").
std::optional<int> step_of(const std::string& subject) {
  auto at = subject.rfind(" step ");
  if (at == std::string::npos) return std::nullopt;
  char* end = nullptr;
  long n = std::strtol(subject.c_str() + at + 6, &end, 10);
  if (end == subject.c_str() + at + 6 || *end != '\0') return std::nullopt;
  return static_cast<int>(n);
}

// When the scheduler's failure was first reported (the first stop event).
std::optional<uint64_t> ejection_ns(const SchedulerTelemetry& s) {
  for (const auto& e : s.events)
    for (const char* k : {"ejected", "killed", "exited", "unregistered", "died"})
      if (e.kind == k) return e.t_ns;
  return std::nullopt;
}

// Steps overlapping the stall window [from, to].
std::vector<int> stalled_steps(const RunTelemetry& t, uint64_t from, uint64_t to) {
  std::vector<int> out;
  for (const auto& st : t.steps)
    if (st.start_ns <= to && st.end_ns >= from) out.push_back(st.index);
  return out;
}

std::vector<int> explained_steps(const RunTelemetry& t) {
  auto at = ejection_ns(t.scheduler);
  if (!at) return {};
  if (auto d = stall_ns(t.scheduler.failure)) return stalled_steps(t, *at > *d ? *at - *d : 0, UINT64_MAX);
  return stalled_steps(t, *at, *at);
}

}  // namespace

std::optional<uint64_t> stall_ns(const std::string& failure) {
  // kernel/sched/ext.c: check_rq_for_timeouts ("%s[%d] failed to run for
  // %u.%03us") and scx_tick ("watchdog failed to check in for %u.%03us").
  for (std::string_view marker : {"failed to run for ", "failed to check in for "}) {
    auto at = failure.find(marker);
    if (at == std::string::npos) continue;
    char* end = nullptr;
    double s = std::strtod(failure.c_str() + at + marker.size(), &end);
    if (end == failure.c_str() + at + marker.size() || *end != 's' || s < 0) return std::nullopt;
    return static_cast<uint64_t>(s * 1e9);
  }
  return std::nullopt;
}

DefectJudgement judge_known_defect(const std::string& defect, const RunTelemetry& t, const verdict::Verdict& v) {
  DefectJudgement j;
  const auto steps = explained_steps(t);
  for (const auto& viol : v.violations) {
    const std::string line = verdict::format_violation(viol);
    if (viol.severity == Outcome::kInconclusive) {
      j.infra.push_back(line);
    } else if (!j.defect_line && viol.check == "scheduler" && line.find(defect) != std::string::npos) {
      j.defect_line = line;
    } else {
      const auto step = step_of(viol.subject);
      const bool explained = measured(viol.check) && step && std::ranges::find(steps, *step) != steps.end();
      if (!explained) j.unexplained.push_back(line);
    }
  }
  return j;
}

}  // namespace ktstr::validation
