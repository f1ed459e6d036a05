// The guest's run arguments: what the host passes after `--` of ktstr-vm
// (delivered as /ktstr/argv.json, a JSON array of strings).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace ktstr::guest {

struct GuestArgs {
  std::string test = "scenario";           // name recorded in telemetry
  std::string scenario = "steady";         // canned scenario (scenarios.hpp); "a,b" runs both in turn
  uint64_t duration_ns = 4'000'000'000ull;
  std::optional<std::string> topology;     // declared; verified against sysfs
  std::string scheduler;                   // binary; empty: EEVDF
  std::vector<std::string> sched_args;
  // A/B run: "eevdf" or a scheduler binary; each run of scenarios plays
  // first under it, then under the scheduler (guest_run.hpp). Empty: none.
  std::string baseline;
  std::vector<std::string> baseline_args;
  std::chrono::milliseconds enable_timeout{30'000};
  std::string cpuset;                      // overrides the scenario's cpusets
  std::string work = "spin";
  std::string policy = "normal";
  int snapshots_per_step = 0;              // periodic snapshots of canned scenarios (Scenario::snapshots_per_step)
  std::vector<std::string> extra;          // unparsed args for a hooks body (after `--`)
};

// Parses args (without argv[0]). --help text goes into the error.
Result<GuestArgs> parse_guest_args(const std::vector<std::string>& args);

// Reads a JSON array of strings (the run arguments file).
Result<std::vector<std::string>> read_argv_json(const std::string& path);

}  // namespace ktstr::guest
