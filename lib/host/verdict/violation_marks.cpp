#include "host/verdict/violation_marks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "host/verdict/metrics.hpp"

namespace ktstr::verdict {
namespace {

const StepTelemetry* find_step(const RunTelemetry& t, int index) {
  for (const auto& s : t.steps)
    if (s.index == index) return &s;
  return nullptr;
}

void place(trace::Mark& m, uint64_t start_ns, uint64_t end_ns) {
  m.timed = true;
  m.start_ns = start_ns;
  m.end_ns = std::max(start_ns, end_ns);
}

// The gap of a worker record, or its step.
bool place_worker(trace::Mark& m, const RunTelemetry& t, const Violation& v) {
  for (const auto& w : t.workers) {
    if (worker_label(w) != v.subject) continue;
    const StepTelemetry* step = find_step(t, w.step);
    if (v.check == "gap") {
      const uint64_t origin = w.progress_start_ns != 0 ? w.progress_start_ns : step ? step->start_ns : 0;
      const uint64_t end = origin + w.max_gap_at_ns;
      place(m, end > w.max_gap_ns ? end - w.max_gap_ns : 0, end);
    } else if (step) {
      place(m, step->start_ns, step->end_ns);
    }
    return true;
  }
  return false;
}

// A cgroup within a step: "NAME step S", the root cgroup as "/".
void place_cgroup(trace::Mark& m, const RunTelemetry& t, const Violation& v) {
  for (const auto& s : t.steps)
    for (const auto& c : t.cgroups)
      if (c.step == s.index && v.subject == fmt::format("{} step {}", c.name.empty() ? "/" : c.name, s.index))
        return place(m, s.start_ns, s.end_ns);
}

}  // namespace

std::vector<trace::Mark> violation_marks(const RunTelemetry& t, const Verdict& v) {
  std::vector<trace::Mark> out;
  for (const auto& viol : v.violations) {
    trace::Mark m{.label = fmt::format("{} {}", viol.check, viol.subject), .detail = format_violation(viol)};
    if (viol.check == "scheduler") {
      uint64_t at = trace::run_extent_ns(t, {});
      for (const auto& e : t.scheduler.events)
        if (e.kind == "ejected" || e.kind == "died") at = e.t_ns;
      place(m, at, at);
    } else if (viol.check == "baseline" && t.baseline) {
      place(m, t.baseline->start_ns, t.baseline->end_ns);  // the A/B run's baseline phase
    } else if (viol.check == "timeout" || viol.check == "panic") {
      place(m, trace::run_extent_ns(t, {}), trace::run_extent_ns(t, {}));
    } else if (!place_worker(m, t, viol)) {
      place_cgroup(m, t, viol);
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace ktstr::verdict
