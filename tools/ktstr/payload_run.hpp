// Payload mode: boot the ktstr kernel with any program as the guest's work,
// stream its stdout/stderr to the host's as it runs, and pass its exit code
// through. Optionally a sched_ext scheduler is started and attached first.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/topology.hpp"
#include "vmm/vm.hpp"

namespace ktstr::payload {

struct RunRequest {
  std::filesystem::path kernel;                    // bzImage
  Topology topology;
  uint64_t memory_mib = 0;                         // 0: auto
  std::chrono::seconds timeout{600};
  vmm::Engine engine = vmm::Engine::kAuto;
  std::optional<std::filesystem::path> scheduler;  // host path of the scheduler binary
  std::vector<std::string> sched_args;
  std::chrono::seconds sched_enable_timeout{60};
  std::vector<std::pair<std::filesystem::path, std::string>> files;  // SRC, DST
  std::vector<std::string> argv;                   // program and its args; empty: interactive shell
  std::filesystem::path out_dir;                   // console log etc.; empty: temp
  bool echo_console = false;
  bool interactive = false;                        // `ktstr shell`: the console is this terminal
  std::string extra_cmdline;
  bool verbose = false;                            // print where the time went (phases) on stderr
};

// The guest's arguments for ktstr-guest-init (/ktstr/argv.json).
std::vector<std::string> guest_args(const RunRequest& req);

// Runs the payload; returns the exit code to hand to the shell: the program's
// own on a normal end, else the launcher's code for what happened (printed).
Result<int> run_payload(const RunRequest& req);

}  // namespace ktstr::payload
