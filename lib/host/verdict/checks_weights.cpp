// The cgroup weight check: each sibling cgroup's share of the CPU time its
// siblings used, against the share its cpu.weight entitles it to (capped by
// what its workers could use). README "cgroup weights" has the definition.
#include <cmath>

#include <fmt/format.h>

#include "host/verdict/checks.hpp"
#include "host/verdict/weight_shares.hpp"

namespace ktstr::verdict {
namespace {

std::string entitlement(const SiblingShare& m, int weight_sum) {
  return m.capped ? fmt::format("entitled {:.1f}% (capped: its runnable workers could use {:.2f} s)", m.entitled_pct,
                                m.cap_ns / 1e9)
                  : fmt::format("entitled {:.1f}% (weight {} of {})", m.entitled_pct, m.weight, weight_sum);
}

std::string describe_set(const SiblingSet& set, const SiblingShare& subject) {
  int weight_sum = 0;
  for (const auto& m : set.members) weight_sum += m.weight;
  std::string siblings;
  for (const auto& m : set.members)
    if (&m != &subject)
      siblings += fmt::format("; {} {:.1f}% vs {}", m.cgroup, m.share_pct, entitlement(m, weight_sum));
  return fmt::format("share {:.1f}% of {:.2f} s CPU used by the children of {} vs {}{}", subject.share_pct,
                     set.total_ns / 1e9, set.parent.empty() ? "/" : set.parent, entitlement(subject, weight_sum),
                     siblings);
}

}  // namespace

std::optional<double> effective_weight_limit(const Thresholds& th) {
  if (th.max_weight_error_pct) return th.max_weight_error_pct;
  if (th.cgroup_weights.value_or(false)) return kDefaultWeightErrorPct;
  return std::nullopt;
}

std::vector<Violation> check_weights(const RunTelemetry& t, const VmFacts&, const Thresholds& th) {
  auto limit = effective_weight_limit(th);
  if (!limit) return {};
  std::vector<Violation> out;
  for (const auto& set : sibling_shares(t)) {
    for (const auto& m : set.members) {
      const double error = std::fabs(m.share_pct - m.entitled_pct);
      if (error <= *limit) continue;
      out.push_back(Violation{.check = "cgroup_weights", .subject = fmt::format("{} step {}", m.cgroup, set.step),
                              .observed = error, .threshold = *limit, .unit = "pp",
                              .detail = describe_set(set, m)});
    }
  }
  return out;
}

}  // namespace ktstr::verdict
