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

// Combinations where the scheduler, not ktstr, is at fault: the entry
// asserts that a violation line carries this reason (so ktstr keeps catching
// it) and fails if another violation the defect does not explain shows up
// (judge_defect). A steady defect must reproduce every run; an intermittent
// one (a race) may also let the run pass.
//
// "runnable task stall" (steady). Root cause (read from the sched_ext dump,
// KTSTR_VALIDATE_SAVE): steady_llc pins two spinners to each LLC; when an LLC
// is one CPU (2n2l1c1t), scx_qmap's enqueue dispatches tasks with
// nr_cpus_allowed == 1 straight to that CPU's local DSQ
// (scx_qmap.bpf.c: pick_direct_dispatch_cpu), scx_flatcg does the same for
// any task whose nr_cpus_allowed != nr_cpus (1- and 2-CPU LLCs). Two pinned
// spinners per CPU keep every local DSQ non-empty, so ops.dispatch never
// runs and the tasks in the scheduler's own queues (kworkers, rcu_sched, the
// test's other workers, PID 1) wait until the watchdog ejects the scheduler:
// "runnable task stall", queued 4.5 s (qmap, 5 s timeout) and 26.8 s
// (flatcg, 30 s timeout) in the dumps. EEVDF and scx_simple pass the same
// runs.
//
// "cannot move migration disabled" (intermittent, scx_central, any
// topology). scx_central's central CPU moves queued tasks to other CPUs with
// SCX_DSQ_LOCAL_ON after checking only p->cpus_ptr. A task that has just
// called migrate_disable() is put back on a DSQ before the kernel narrows its
// cpus_ptr to the pinned CPU (6.12 kernel/sched/ext.c,
// task_can_run_on_remote_rq: "the BPF scheduler failing to check migration
// disabled state"), so in that window the dispatch is refused and the kernel
// ejects the scheduler: "SCX_DSQ_LOCAL[_ON] cannot move migration disabled
// init[50] from CPU 1 to 2" in 1 of ~30 CI runs of 1n2l1c2t.
std::optional<KnownDefect> known_defect(const std::string& sched, const std::string& topo, int vcpus) {
  if ((sched == "scx_qmap" && topo == "2n2l1c1t") ||
      (sched == "scx_flatcg" && (topo == "1n2l1c2t" || topo == "2n2l1c1t")))
    return KnownDefect{.reason = "runnable task stall", .intermittent = false};
  if (sched == "scx_central" && vcpus > 1)
    return KnownDefect{.reason = "cannot move migration disabled", .intermittent = true};
  return std::nullopt;
}

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
