// The nested rig's verdict, from the rig host's console: nested_check prints
// "RIG: PASS <id> ..." or "RIG: FAIL <id> ..." per check and "RIG: done ..."
// at the end. The rig passes only when it finished, nothing failed and every
// check its mode expects passed; a check that never ran (a missing kernel
// variant, a scheduler that was not packed, a rig cut short) fails it by name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ktstr::nested {

// The gauntlet's uneven presets of at most 4 vCPUs the rig boots on the own
// engine (nested_check.cpp check_uneven_topologies).
inline constexpr const char* kUnevenPresets[] = {"2n2_1l1c1t",   "1n1l1c4t",     "1n2l3_1c1t",
                                                 "2n2l3_1c1t",   "2n2l2c1t1_0m", "2n1_2l2_1_1c1t"};

// The check ids a mode runs, in order ("" is the full rig: 19 checks; "bench":
// bench; "sched": scheduler and monitor; "topo": the uneven presets; the
// diagnostic modes "profile" and "flood": none).
std::vector<std::string> expected_checks(std::string_view mode);

struct RigVerdict {
  std::vector<std::string> lines;    // every "RIG: ..." line, from "RIG: " on
  int passed = 0, failed = 0;
  bool done = false;                 // "RIG: done" seen
  std::vector<std::string> missing;  // expected ids without a PASS line
  [[nodiscard]] bool ok() const { return done && failed == 0 && missing.empty(); }
};

// Judges the console text against expected_checks(mode).
RigVerdict judge_rig(std::string_view console, std::string_view mode);

// One line: "N passed, F failed of E expected" plus ", missing: a, b" and
// ", rig did not finish" when they apply.
std::string rig_summary(const RigVerdict& v, std::string_view mode);

}  // namespace ktstr::nested
