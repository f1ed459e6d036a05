// The A/B part of the verdict text: the baseline and the scheduler phase
// side by side. Kept apart from report.cpp so the single-run report stays
// one sequence; both are called from there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/telemetry.hpp"

namespace ktstr::verdict {

// "--- A/B: baseline eevdf | scheduler S ---" and one row per cgroup and
// figure: baseline | scheduler | delta, then the worst cell of each
// relative figure. Empty without a baseline phase. Ends with a newline.
std::string format_ab_table(const RunTelemetry& t);

// The baseline phase's steps and its scheduler's events as timeline rows
// ("  0.512s baseline eevdf step 0 'steady' until 3.530s"); empty without a
// baseline phase.
struct TimelineRow {
  uint64_t t_ns = 0;
  std::string text;
};
std::vector<TimelineRow> ab_timeline_rows(const RunTelemetry& t);

// ", A/B vs eevdf: spread +2.1 pp (cg0 step 0), rate 97% (cg1 step 0)" for
// the one-line summary; empty without a baseline phase.
std::string format_ab_brief(const RunTelemetry& t);

}  // namespace ktstr::verdict
