// GuestContext: scenarios as a test body runs them, and the A/B sequence of
// a run with a declared baseline.
#include <filesystem>

#include "guest/guest_run.hpp"
#include "guest/scenario_runner.hpp"
#include "guest/scenarios.hpp"
#include "guest/snapshot_book.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {

Result<void> GuestContext::run(const Scenario& s, uint64_t duration_ns) {
  return run_all(std::span<const Scenario>(&s, 1), duration_ns);
}

// The A/B sequence, in order: the baseline attaches (nothing to attach for
// EEVDF) and the scenarios play into telemetry().baseline; the scheduler
// under test replaces it and they play again into the run's own records.
// Without a baseline only the last part runs, under whatever is attached.
Result<void> GuestContext::run_all(std::span<const Scenario> scenarios, uint64_t duration_ns) {
  const PhaseRecords own{&tel_.steps, &tel_.cgroups, &tel_.workers, &tel_};
  if (!ab()) return play(scenarios, duration_ns, own);
  BaselineTelemetry& base = baseline_record();
  const SchedulerSpec baseline{.binary = args_.baseline == "eevdf" ? "" : args_.baseline, .args = args_.baseline_args};
  KTSTR_TRY_VOID(slot_.attach(baseline, &base.scheduler));
  if (!baseline.binary.empty() && !slot_.current()) return {};  // the baseline failed to attach: recorded
  KTSTR_TRY_VOID(play(scenarios, duration_ns, {&base.steps, &base.cgroups, &base.workers, nullptr}));
  base.end_ns = monotonic_ns() - run_start_ns_;
  if (stop_requested_ && stop_requested_()) return {};
  KTSTR_TRY_VOID(slot_.attach({.binary = args_.scheduler, .args = args_.sched_args}, &tel_.scheduler));
  if (!args_.scheduler.empty() && !slot_.current()) return {};  // failed to attach: recorded in tel_.scheduler
  return play(scenarios, duration_ns, own);
}

BaselineTelemetry& GuestContext::baseline_record() {
  if (!tel_.baseline) {
    tel_.baseline = BaselineTelemetry{
        .name = args_.baseline == "eevdf" ? "eevdf" : std::filesystem::path(args_.baseline).filename().string(),
        .start_ns = monotonic_ns() - run_start_ns_};
  }
  return *tel_.baseline;
}

Result<void> GuestContext::play(std::span<const Scenario> scenarios, uint64_t duration_ns, PhaseRecords into) {
  for (const auto& s : scenarios) {
    if (stop_requested_ && stop_requested_()) break;
    RunTelemetry part;
    RunContext rc{.layout = &layout_, .cgroups = &cgroups_, .scheduler = slot_.current(),
                  .duration_ns = duration_ns ? duration_ns : args_.duration_ns, .run_start_ns = run_start_ns_,
                  .stop_requested = stop_requested_};
    auto r = run_scenario(s, rc, part);
    // Renumber steps so several scenarios in one test stay distinguishable.
    const int offset = static_cast<int>(into.steps->size());
    for (auto& st : part.steps) st.index += offset, into.steps->push_back(std::move(st));
    for (auto& c : part.cgroups) c.step += offset, into.cgroups->push_back(std::move(c));
    for (auto& w : part.workers) w.step += offset, into.workers->push_back(std::move(w));
    if (into.snapshots) {
      for (auto& sn : part.snapshots) sn.step += offset, append_snapshot(*into.snapshots, std::move(sn));
      into.snapshots->snapshots_dropped += part.snapshots_dropped;
    }
    if (!r) return r;
    if (slot_.current() && slot_.current()->failed()) break;
  }
  return {};
}

Result<Scenario> GuestContext::canned(std::string_view name) const {
  ScenarioParams p{.layout = &layout_, .cpuset = args_.cpuset};
  p.work = KTSTR_TRY(parse_work_type(args_.work));
  p.policy = KTSTR_TRY(parse_policy(args_.policy));
  Scenario s = KTSTR_TRY(make_scenario(name, p));
  s.snapshots_per_step = args_.snapshots_per_step;
  return s;
}

}  // namespace ktstr::guest
