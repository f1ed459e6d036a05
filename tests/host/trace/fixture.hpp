// A small synthetic run for the trace tests: 2 vCPUs, cgroups cg0 (two
// spinners from step 0) and cg1 (one spinner added in step 1, starved after
// 200 ms of it), time-sliced placement, a scheduler that is ejected at
// 1.9 s, and marks for a gap, the ejection and an unplaced assertion.
#pragma once

#include <vector>

#include "base/telemetry.hpp"
#include "host/trace/model.hpp"

namespace ktstr::trace::testing {

inline constexpr uint64_t kMs = 1'000'000;

RunTelemetry sample_run();
Title sample_title();
std::vector<Mark> sample_marks();

}  // namespace ktstr::trace::testing
