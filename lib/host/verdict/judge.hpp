// Turns one run's telemetry and VM facts into a verdict. Pure: the same
// inputs always give the same verdict, which is what makes replay work.
#pragma once

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/thresholds.hpp"

namespace ktstr::verdict {

// Runs every check (all_checks()) with the given effective thresholds.
// Outcome: the worst severity among the violations; with none, Pass, or Skip
// when the guest program exited 77 (kExitSkip).
Verdict judge(const RunTelemetry& t, const VmFacts& facts, const Thresholds& th);

}  // namespace ktstr::verdict
