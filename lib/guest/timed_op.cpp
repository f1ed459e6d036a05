#include "guest/timed_op.hpp"

#include <algorithm>
#include <cmath>

namespace ktstr::guest {
namespace {

// Ops that leave the set of a step's workers alone, so they may apply mid-hold.
bool may_be_timed(Op::Kind k) {
  using K = Op::Kind;
  return k == K::kSnapshot || k == K::kSetWeight || k == K::kSetCpuset || k == K::kKillScheduler;
}

}  // namespace

bool applies_before_hold(const Op& op) { return op.kind != Op::Kind::kSnapshot && op.at <= 0; }

Result<std::vector<Mark>> plan_marks(const Step& st, std::string_view step_name, int per_step, bool first_step) {
  std::vector<Mark> marks;
  for (const auto& op : st.ops) {
    if (applies_before_hold(op)) continue;
    if (!std::isfinite(op.at) || op.at < 0 || op.at > 1)
      return fail("step {}: op '{}' at {} of the hold: use a fraction in [0, 1]", step_name, op.describe(), op.at);
    if (!may_be_timed(op.kind))
      return fail("step {}: op '{}' cannot be timed (it changes the step's workers): give it a step of its own",
                  step_name, op.describe());
    marks.push_back({.at = op.at, .op = &op});
  }
  if (per_step < 0) return fail("step {}: {} snapshots per step: use 0 or more", step_name, per_step);
  for (int k = first_step ? 0 : 1; k <= per_step && per_step > 0; ++k)
    marks.push_back({.at = static_cast<double>(k) / per_step, .snapshot = fmt::format("{}@{}/{}", step_name, k, per_step)});
  std::stable_sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.at < b.at; });
  return marks;
}

}  // namespace ktstr::guest
