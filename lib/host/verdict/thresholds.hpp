// Check thresholds: every field optional, so a layer can leave a value to the
// layer below. Three layers merge in order built-in defaults -> scheduler
// declaration -> test declaration; the last layer that sets a field wins.
// Semantics of each field are documented in lib/host/verdict/README.md.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "host/verdict/temporal.hpp"

namespace ktstr::verdict {

struct Thresholds {
  std::optional<bool> not_starved;            // zero progress + default spread + default gap
  std::optional<double> max_spread_pct;       // off-CPU % points between workers of a cgroup
  std::optional<double> max_gap_ms;           // longest gap between progress observations
  std::optional<double> min_iteration_rate;   // iterations per wall second, per worker
  std::optional<double> max_migration_ratio;  // migrations per second of CPU time, per worker
  std::optional<bool> isolation;              // every CPU used is in the worker's cpuset
  std::optional<double> max_p99_wake_us;      // nearest-rank p99 of wake latency, per worker
  std::optional<double> max_throughput_cv;    // stddev/mean of worker iteration rates in a cgroup
  // A/B runs (telemetry with a baseline phase), per (step, cgroup) cell:
  std::optional<double> max_spread_over_baseline_pp;  // scheduler's spread minus the baseline's
  std::optional<double> min_share_vs_baseline_pct;    // share of the step's work, percent of the baseline's
  std::optional<double> min_rate_vs_baseline_pct;     // mean iteration rate, percent of the baseline's
  std::optional<double> max_gap_over_baseline_ms;     // worst gap minus the baseline's worst gap
  std::optional<bool> cgroup_weights;         // max_weight_error_pct with its default limit
  std::optional<double> max_weight_error_pct; // pp between a sibling cgroup's CPU share and its weight's entitlement
  std::optional<TemporalAssertions> temporal; // assertions over snapshot series (temporal.hpp)
  std::optional<double> max_rq_stall_ms;      // monitor: a CPU's rq clock stopped with runnable tasks
  std::optional<bool> work_conservation;      // monitor: max_idle_waiting_ms with its default limit
  std::optional<double> max_idle_waiting_ms;  // monitor: a CPU idle while a task allowed on it waits elsewhere
};

// Calls f(name, field) for every field in declaration order; f must accept
// std::optional<bool>&, std::optional<double>& and
// std::optional<TemporalAssertions>&. One list serves merge,
// JSON, --set parsing and printing, so a new field cannot be half-wired.
template <class T, class F>
  requires std::is_same_v<std::remove_const_t<T>, Thresholds>
void for_each_threshold(T& t, F&& f) {
  f("not_starved", t.not_starved);
  f("max_spread_pct", t.max_spread_pct);
  f("max_gap_ms", t.max_gap_ms);
  f("min_iteration_rate", t.min_iteration_rate);
  f("max_migration_ratio", t.max_migration_ratio);
  f("isolation", t.isolation);
  f("max_p99_wake_us", t.max_p99_wake_us);
  f("max_throughput_cv", t.max_throughput_cv);
  f("max_spread_over_baseline_pp", t.max_spread_over_baseline_pp);
  f("min_share_vs_baseline_pct", t.min_share_vs_baseline_pct);
  f("min_rate_vs_baseline_pct", t.min_rate_vs_baseline_pct);
  f("max_gap_over_baseline_ms", t.max_gap_over_baseline_ms);
  f("cgroup_weights", t.cgroup_weights);
  f("max_weight_error_pct", t.max_weight_error_pct);
  f("temporal", t.temporal);
  f("max_rq_stall_ms", t.max_rq_stall_ms);
  f("work_conservation", t.work_conservation);
  f("max_idle_waiting_ms", t.max_idle_waiting_ms);
}

// Built-in defaults: the always-on checks need no threshold (but the
// monitor's rq-clock stall limit, kDefaultRqStallMs); everything finer is
// off until a scheduler or test turns it on.
Thresholds builtin_defaults();

// Returns base with every field that `over` sets replaced by over's value.
Thresholds merge(const Thresholds& base, const Thresholds& over);

// The three-layer merge: defaults -> scheduler -> test.
Thresholds merge_layers(const Thresholds& scheduler, const Thresholds& test);

// Applies one `check=value` assignment (the `--set` syntax). Numbers must be
// finite and >= 0; booleans accept true/false/on/off/yes/no/1/0; temporal
// takes a JSON array of assertions (or one assertion); the value `none` (or
// `off` for a numeric check or temporal) unsets the field.
Result<void> apply_set(Thresholds& t, std::string_view assignment);

// Number of fields that hold a value.
int count_set(const Thresholds& t);

// Limits the fairness checks use when not_starved is on and no explicit
// value is given (debug kernels are slower and noisier).
inline constexpr double kDefaultSpreadPct = 15.0;
inline constexpr double kDefaultSpreadPctDebug = 35.0;
inline constexpr double kDefaultGapMs = 2000.0;
inline constexpr double kDefaultGapMsDebug = 3000.0;
// cgroup_weights=true uses this limit for max_weight_error_pct (README
// "cgroup weights" has the EEVDF measurements behind it).
inline constexpr double kDefaultWeightErrorPct = 10.0;

// Relative checks of an A/B run, on by default whenever the telemetry has a
// baseline phase (an explicit value replaces them; README "A/B runs" has the
// measurements behind them).
inline constexpr double kDefaultSpreadOverBaselinePp = 15.0;
inline constexpr double kDefaultShareVsBaselinePct = 50.0;

// The host-side monitor's checks (lib/host/verdict/README.md has how these
// were measured). The rq-clock stall check is on by default with this limit.
inline constexpr double kDefaultRqStallMs = 5000.0;
// work_conservation=true uses this limit for max_idle_waiting_ms.
inline constexpr double kDefaultIdleWaitingMs = 1000.0;

// JSON: unset fields are omitted; null or missing reads as unset.
void to_json(nlohmann::json& j, const Thresholds& t);
void from_json(const nlohmann::json& j, Thresholds& t);

}  // namespace ktstr::verdict
