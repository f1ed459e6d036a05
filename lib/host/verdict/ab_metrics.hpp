// The figures of an A/B run (telemetry with a baseline phase): each
// (step, cgroup) cell measured under the baseline and under the scheduler,
// paired, so the relative checks, the report, `ktstr replay` and CDash all
// compare the two phases the same way. Pure functions of RunTelemetry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

// The baseline phase as a RunTelemetry of its own (same VM facts: topology,
// vCPUs, kernel flavour), so every single-run formula applies to it.
// Empty records when t has no baseline.
RunTelemetry baseline_view(const RunTelemetry& t);

// The baseline's name for reports: "eevdf" or the baseline scheduler's name.
std::string baseline_name(const RunTelemetry& t);

// One (step, cgroup) cell that has measured workers in both phases.
struct CellPair {
  std::string cgroup;
  int step = 0;
  std::optional<double> spread_base, spread_sched;  // off-CPU spread, pp (>= 2 measured workers)
  // The reference spread: the baseline phase's worst spread over all its
  // cells. Under TCG a cell's spread is mostly host noise that comes and
  // goes within seconds (same-cell A/A differences reached 23 pp here, the
  // worst baseline cell bounded every healthy scheduler's cells to +10 pp),
  // so the scheduler is held to the worst the baseline showed in this run.
  std::optional<double> spread_ref;
  std::optional<double> rate_base, rate_sched;      // mean worker iteration rate, iter/s
  // The cell's share of its step's work: the sum of its workers' rates over
  // the sum of every cell's in that step. Host speed (which under TCG moves
  // with the host's load, A/A rates 40-120 %) cancels, what the scheduler
  // gives each cgroup stays. nullopt in a step with a single cell.
  std::optional<double> share_base, share_sched;
  double gap_base = 0, gap_sched = 0;               // worst worker gap, ms
  // Derived: scheduler minus baseline (pp, ms) and 100 * sched / base (%).
  [[nodiscard]] std::optional<double> spread_delta() const;  // spread_sched - spread_ref
  [[nodiscard]] std::optional<double> rate_pct() const;   // nullopt when the baseline rate is 0 or unknown
  [[nodiscard]] std::optional<double> share_pct() const;  // 100 * share_sched / share_base, likewise
  [[nodiscard]] double gap_delta() const { return gap_sched - gap_base; }
  [[nodiscard]] std::string subject() const;  // "cg0 step 1" (root cgroup "/")
};

// Every cell measured in both phases, sorted by step then cgroup; empty
// without a baseline.
std::vector<CellPair> pair_cells(const RunTelemetry& t);

// The worst cell of each relative figure, for summary lines and CDash.
struct AbSummary {
  std::optional<double> worst_spread_delta_pp;
  std::string worst_spread_at;
  std::optional<double> min_rate_pct;
  std::string min_rate_at;
  std::optional<double> min_share_pct;
  std::string min_share_at;
  std::optional<double> worst_gap_delta_ms;
  std::string worst_gap_at;
};
AbSummary summarize_ab(const std::vector<CellPair>& cells);

}  // namespace ktstr::verdict
