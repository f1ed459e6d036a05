// When things happen during a step's hold: its timed ops (Op::at > 0, and
// every snapshot) and the periodic snapshots a scenario asks for. A pure
// plan, so the rules are unit-tested on the host; the runner sleeps to each
// mark in turn (scenario_runner.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "guest/scenario.hpp"

namespace ktstr::guest {

// One moment of a hold.
struct Mark {
  double at = 0;           // fraction of the hold, in [0, 1]
  const Op* op = nullptr;  // a timed op of the step; nullptr: a periodic snapshot
  std::string snapshot;    // the periodic snapshot's name ("<step>@k/N")
};

// True when op is applied before the hold (not timed, not a snapshot).
bool applies_before_hold(const Op& op);

// The marks of step st (named step_name) in time order (ties keep the step's
// op order, then periodic snapshots). per_step > 0 adds a snapshot at k/N of
// the hold for k = 1..N, and at 0 when first_step (the base of the first
// interval). Errors: `at` outside [0, 1], or a timed op that changes the
// step's workers (add/remove cgroup, move, spawn, kill): a step's records
// assume its workers are fixed once its hold starts.
Result<std::vector<Mark>> plan_marks(const Step& st, std::string_view step_name, int per_step, bool first_step);

}  // namespace ktstr::guest
