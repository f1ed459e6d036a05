// The human-readable verdict: a stable text format (golden-tested in
// tests/host/verdict/golden/) printed to stderr by the launcher and replay.
#pragma once

#include <string>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"

namespace ktstr::verdict {

// Identity of the run being reported; the telemetry supplies the rest.
struct ReportContext {
  std::string test;           // test variant name
  std::string scheduler;      // scheduler name; empty means the EEVDF baseline
  std::string topology;       // "1n1l2c1t"
  std::string console_tail;   // last part of the kernel console (caller reads it)
  std::string rerun_command;  // ready-to-paste command that re-runs this variant
  std::string monitor_tail;   // last_sample_text (monitor_report.hpp); empty: no monitor section
};

inline constexpr int kLogTailLines = 20;
inline constexpr int kConsoleTailLines = 40;

// The first line of a failure report, so a CI log shows the cause without
// scrolling: "BUG SUMMARY: " + the first Fail violation's line (checks run in
// order of importance: infra, panic, timeout, scheduler — whose line carries
// the kernel's sched_ext exit reason — assertions, then the measured checks),
// e.g. "BUG SUMMARY: gap cg0/w1 step 1: observed 2400 ms, limit 2000 ms (...)";
// "INCONCLUSIVE: " + the first infrastructure line for an inconclusive run;
// empty for a pass or skip.
std::string summary_line(const Verdict& v);

// The full report: the summary line (when not empty), header, one line per violation, stats, per-cgroup lines,
// the step timeline, the monitor's last sample per CPU (when there is one), scheduler log tail, kernel console tail, re-run command.
// Ends with a newline.
std::string format_report(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v);

// One line for a passing (or skipped) run, ending with a newline.
std::string format_summary(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v);

// What the launcher prints: the full report for Fail/Inconclusive or when
// verbose, else the summary line.
std::string format_verdict(const ReportContext& ctx, const RunTelemetry& t, const Verdict& v, bool verbose);

// The last n lines of text (all of it when shorter), without a trailing newline.
std::string tail_lines(std::string_view text, int n);

}  // namespace ktstr::verdict
