// Where in the run each violation happened, for the timeline picture and
// trace (lib/host/trace). Subjects are matched against the same labels the
// checks write (worker_label, "cgroup step S"), so no subject is parsed.
#pragma once

#include <vector>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"
#include "host/verdict/outcome.hpp"

namespace ktstr::verdict {

// One mark per violation, in the verdict's order, labelled "check subject"
// with the formatted violation as detail. Placed in time:
//  - gap: the gap itself, ending max_gap_at_ns after the record's
//    progress_start_ns (the step start for records without it);
//  - other checks on a worker record (zero progress, iteration rate,
//    migrations, isolation, wake latency): that record's step;
//  - checks on a cgroup in a step (spread, throughput CV): that step;
//  - scheduler: the last ejected/died event (the end of the run when none);
//  - timeout, panic: the end of the run;
//  - anything else (assertions, infrastructure): not placed.
std::vector<trace::Mark> violation_marks(const RunTelemetry& t, const Verdict& v);

}  // namespace ktstr::verdict
