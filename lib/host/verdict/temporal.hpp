// Temporal assertions: what a test declares about a metric's series over the
// run's snapshots (RunTelemetry::snapshots), judged on the host like every
// other check and so re-judged by `ktstr replay`. Declared in the thresholds
// as "temporal": [ {...}, ... ]; the fields, the series and the four kinds
// are defined in lib/host/verdict/README.md ("Temporal assertions").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ktstr::verdict {

struct TemporalAssertion {
  std::string kind;                   // "nondecreasing", "within", "steady", "converges"
  std::string metric = "iterations";  // "iterations", "cpu_ns", "runq_wait_ns", "migrations"
  std::string of = "rate";            // "value" (cumulative), "rate" (per second), "share" (% of all workers')
  std::string cgroup;                 // this cgroup and its descendants; "" = every cgroup, one series each
  bool per_worker = false;            // one series per worker instead of the cgroup's sum
  std::optional<int> step;            // only points whose snapshot is in this step (index) ...
  std::string step_name;              // ... or in the step of this name
  std::optional<double> min;          // within: lower bound
  std::optional<double> max;          // within: upper bound
  double slack_pct = 0;               // nondecreasing: a fall of up to this % of the previous point passes
  std::optional<double> pct;          // steady: largest deviation from the series mean, % of the mean
  std::optional<double> value;        // converges: the target
  double tolerance_pct = 0;           // converges: the band's half-width, % of the target
  double window_ms = 0;               // converges: how long after the series starts the band must hold
};

using TemporalAssertions = std::vector<TemporalAssertion>;

// One line: "iterations rate of cg1 within [1000, inf]".
std::string describe(const TemporalAssertion& a);

// JSON: the fields above ("step" is the index or the step's name); unset
// and default fields are omitted. Reading checks every field and throws
// std::invalid_argument naming the first problem (unknown kind, metric,
// form or field; a kind without its bounds; a negative width), so a
// declaration with a typo fails the run as an infrastructure error instead
// of judging nothing.
void to_json(nlohmann::json& j, const TemporalAssertion& a);
void from_json(const nlohmann::json& j, TemporalAssertion& a);

}  // namespace ktstr::verdict
