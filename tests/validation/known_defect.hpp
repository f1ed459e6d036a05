// Validation entries for combinations where a scheduler, not ktstr, is at
// fault (known_defect(), with each root cause in known_defect.cpp): the entry passes only when the
// verdict's violation lines — never the console or scheduler-log tails — show
// the defect, and every other violation is one the defect explains. Anything
// else the run got wrong still fails the entry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"

namespace ktstr::validation {

struct KnownDefect {
  std::string reason;  // text a `scheduler` violation line must contain
  bool intermittent;   // a race: a run that passes is fine too
};

// The known defect of `sched` on topology `topo` (e.g. "2n2l1c1t", `vcpus`
// CPUs), if any.
std::optional<KnownDefect> known_defect(const std::string& sched, const std::string& topo, int vcpus);

struct DefectJudgement {
  std::optional<std::string> defect_line;  // the scheduler violation naming the defect, if any
  std::vector<std::string> unexplained;    // every other Fail violation the defect does not explain
  std::vector<std::string> infra;          // Inconclusive violation lines
};

// Judges a run against a known defect: `defect` (e.g. "runnable task stall")
// must appear in a Fail violation of the `scheduler` check. A measured-check
// violation (zero progress, spread, gap, rate, throughput CV, p99 wake) is
// explained when its step overlaps the stall: from the ejection time minus
// the stall the kernel reports (stall_ns) to the end of
// the run, or, without a reported duration, the step the ejection fell in.
DefectJudgement judge_known_defect(const std::string& defect, const RunTelemetry& t, const verdict::Verdict& v);

// The stall length in ns from a sched_ext exit reason ("... failed to run for
// 5.123s", "watchdog failed to check in for 5.004s"); nullopt without one.
std::optional<uint64_t> stall_ns(const std::string& failure);

}  // namespace ktstr::validation
