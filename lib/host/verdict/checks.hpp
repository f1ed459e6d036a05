// The checks: pure functions over (telemetry, VM facts, thresholds) that
// return the violations they find (empty = passed or not enabled). Formulas
// and defaults are documented in lib/host/verdict/README.md.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/thresholds.hpp"

namespace ktstr::verdict {

using CheckFn = std::vector<Violation> (*)(const RunTelemetry&, const VmFacts&, const Thresholds&);

// --- always on (checks_always.cpp) ---
// The scheduler was ejected or died (scheduler.failed), or never attached.
std::vector<Violation> check_scheduler(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// The guest kernel panicked.
std::vector<Violation> check_panic(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// The VM hit its timeout.
std::vector<Violation> check_timeout(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// A worker completed zero iterations in a step.
std::vector<Violation> check_zero_progress(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// A guest assertion failed, or the guest program exited non-zero unexplained.
std::vector<Violation> check_guest_result(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// Infrastructure errors (guest- or host-side, no result): Inconclusive.
std::vector<Violation> check_infra(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);

// --- fairness (checks_fairness.cpp): on with not_starved or an explicit limit ---
std::vector<Violation> check_spread(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_gap(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);

// --- opt-in (checks_optin.cpp) ---
std::vector<Violation> check_iteration_rate(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_migration_ratio(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_isolation(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_p99_wake(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_throughput_cv(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);

// --- A/B runs (checks_baseline.cpp): only with a baseline phase in the telemetry ---
// The baseline phase failed or measured nothing (Inconclusive).
std::vector<Violation> check_baseline(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_spread_over_baseline(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_share_vs_baseline(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_rate_vs_baseline(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::vector<Violation> check_gap_over_baseline(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);

// --- cgroup weights (checks_weights.cpp): on with cgroup_weights or an explicit limit ---
// A sibling cgroup's share of CPU time strayed from its weight's entitlement.
std::vector<Violation> check_weights(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
std::optional<double> effective_weight_limit(const Thresholds& th);

// --- temporal assertions (temporal_check.cpp): the declared series assertions ---
std::vector<Violation> check_temporal(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// --- host-side monitor (checks_monitor.cpp): judged only when the run has samples ---
// A CPU's rq clock stood still while it had runnable tasks (on by default).
std::vector<Violation> check_rq_stall(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// A CPU stayed idle while a task allowed on it waited on another CPU.
std::vector<Violation> check_idle_waiting(const RunTelemetry& t, const VmFacts& f, const Thresholds& th);
// max_idle_waiting_ms, else kDefaultIdleWaitingMs with work_conservation, else off.
std::optional<double> effective_idle_waiting_limit(const Thresholds& th);

// Effective limits: the explicit threshold, else the not_starved default for
// the kernel flavour, else nullopt (check off).
std::optional<double> effective_spread_limit(const RunTelemetry& t, const Thresholds& th);
std::optional<double> effective_gap_limit(const RunTelemetry& t, const Thresholds& th);
// In an A/B run: the explicit threshold, else the A/B default; nullopt
// (check off) without a baseline phase.
std::optional<double> effective_spread_over_baseline_limit(const RunTelemetry& t, const Thresholds& th);
std::optional<double> effective_share_vs_baseline_limit(const RunTelemetry& t, const Thresholds& th);

// All checks in report order.
struct Check {
  const char* name;
  CheckFn fn;
};
std::span<const Check> all_checks();

}  // namespace ktstr::verdict
