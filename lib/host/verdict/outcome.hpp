// The result of judging one run: its outcome, the violations that caused it,
// and the facts about the VM the host observed (the guest cannot report its
// own panic or timeout).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_optional.hpp"
#include "base/monitor.hpp"

namespace ktstr::verdict {

// Ordered by severity: combining two outcomes keeps the larger one, so
// Fail > Inconclusive > Pass > Skip.
enum class Outcome { kSkip = 0, kPass = 1, kInconclusive = 2, kFail = 3 };

// The more severe of a and b.
Outcome worst(Outcome a, Outcome b);

// "skip", "pass", "inconclusive", "fail".
std::string_view outcome_name(Outcome o);
std::optional<Outcome> parse_outcome(std::string_view s);

// Process exit code for an outcome (base/exit_codes.hpp): 0 pass, 1 fail,
// 77 skip, 70 (kExitInfra) inconclusive.
int exit_code(Outcome o);

// What the host saw of the VM, independent of the guest's telemetry.
struct VmFacts {
  bool panic = false;                     // kernel panic seen on the console
  bool timeout = false;                   // the VM was killed at its deadline
  std::optional<int> guest_exit_code;     // the guest test program's exit code, if reported
  bool no_result = false;                 // the guest sent no telemetry at all
  std::string infra_error;                // host-side infrastructure error, empty if none
  MonitorLog monitor;                     // the host-side monitor's samples (base/monitor.hpp); in the
                                          // sidecar under its own key, not inside "facts"
};

// One violated check. subject names the worker or cgroup ("cg0/w1 step 0").
struct Violation {
  std::string check;                  // check name, e.g. "max_gap_ms", "scheduler"
  std::string subject;                // worker/cgroup/scheduler the check is about
  std::optional<double> observed;     // measured value, when numeric
  std::optional<double> threshold;    // limit it was compared with, when numeric
  std::string unit;                   // unit of observed/threshold ("ms", "pp", "/s", ...)
  std::string detail;                 // free text (e.g. the kernel's exit reason)
  Outcome severity = Outcome::kFail;  // kFail, or kInconclusive for infrastructure
};

struct Verdict {
  Outcome outcome = Outcome::kPass;
  std::vector<Violation> violations;
};

// One line, no trailing newline: "check subject: observed 2500.0 ms > limit 2000.0 ms (detail)".
std::string format_violation(const Violation& v);

// "label: text", or text alone when it already starts with label (the
// guest's scheduler failures read "ejected by the kernel ..."), or label alone
// when text is empty.
std::string labelled(std::string_view label, std::string_view text);

void to_json(nlohmann::json& j, const Outcome& o);
void from_json(const nlohmann::json& j, Outcome& o);
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Violation, check, subject, observed, threshold, unit, detail,
                                                severity)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Verdict, outcome, violations)
void to_json(nlohmann::json& j, const VmFacts& f);
void from_json(const nlohmann::json& j, VmFacts& f);

}  // namespace ktstr::verdict
