// The host's last step for one test variant, in order: merge thresholds,
// judge, write the sidecar and its timeline (trace + SVG), compose what to
// print (report or summary, then CDash measurements, then for a failure
// the sidecar and picture paths). For the launcher; it prints `text` to stderr and exits
// with `exit_code`.
#pragma once

#include <filesystem>
#include <string>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/sidecar.hpp"
#include "host/verdict/thresholds.hpp"

namespace ktstr::verdict {

// Everything known about a finished run.
struct RunRecord {
  std::filesystem::path build_dir;  // sidecar goes under <build_dir>/ktstr/...
  std::string test;
  std::string variant;
  std::string topology;
  std::string project_commit;
  KernelIdentity kernel;
  SchedulerIdentity scheduler;
  Thresholds scheduler_thresholds;  // layer 2 (the scheduler's declaration)
  Thresholds test_thresholds;       // layer 3 (the test's declaration)
  VmFacts facts;
  RunTelemetry telemetry;
  Timings timings;           // phases are filled in by finalize_run from clock
  RunClock clock;            // the run's clocks; verdict_s: VM gone -> finalize_run called
  std::string console_log;   // path of the full console log, may be empty
  std::string console_tail;  // last lines of the console
  std::string rerun_command;
  std::string created_at;    // ISO 8601 UTC; filled with the current time when empty
  bool verbose = false;      // full report for passing runs too
  bool cdash = true;         // append <CTestMeasurement> lines
};

struct Finalized {
  Verdict verdict;
  std::filesystem::path sidecar;
  std::string sidecar_error;  // non-empty when the sidecar could not be written (verdict still valid)
  TimelinePaths timeline;      // trace and picture next to the sidecar
  std::string timeline_error;  // non-empty when they could not be written (verdict still valid)
  std::string text;           // to print on stderr
  int exit_code = 0;
};

Finalized finalize_run(const RunRecord& r);

// The Sidecar a RunRecord produces for a verdict (exposed for tests).
Sidecar make_sidecar(const RunRecord& r, const Thresholds& effective, const Verdict& v);

}  // namespace ktstr::verdict
