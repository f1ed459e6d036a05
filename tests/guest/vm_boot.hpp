// Shared by the guest VM tests (label vm): boot the scenario guest program
// as /init of a real kernel under the VM launcher (TCG here), collect its
// telemetry, and judge it with the host's verdict library. Each boot exits
// 77 with a reason when no kernel is available.
//
// Kernel: $KTSTR_KERNEL (a bzImage or a directory holding one), else
// `ktstr kernel path` next to this binary. Schedulers: $KTSTR_<NAME>, else
// <kernel cache entry>/schedulers/<name>.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/telemetry.hpp"
#include "host/verdict/outcome.hpp"
#include "host/verdict/thresholds.hpp"
#include "vmm/vm.hpp"

namespace ktstr::vmtest {

[[noreturn]] void skip(const std::string& why);
std::optional<std::filesystem::path> find_kernel();
// A kernel-tree scheduler (scx_simple, scx_qmap): $KTSTR_<NAME> (upper case) or the kernel cache entry.
std::optional<std::filesystem::path> find_scheduler(const std::filesystem::path& kernel, const std::string& name);

struct Boot {
  vmm::VmOutcome outcome;
  RunTelemetry tel;
  std::string logs;
  std::vector<std::string> sched_events;  // kSchedEvent frames as streamed
};

// Boots the scenario guest with args on topology (declared to the guest as
// declared, default the same), with baseline as the A/B baseline scheduler
// when given; fails the case on launch errors or a missing telemetry frame.
Boot boot(const std::string& topology, std::vector<std::string> args,
          const std::optional<std::filesystem::path>& scheduler = {}, const std::string& declared = "",
          int timeout_s = 600, const std::optional<std::filesystem::path>& baseline = {});

// Every worker progressed, used CPU and had its gaps measured.
void check_progress(const RunTelemetry& t);

// The host's verdict on b: the always-on checks plus th. Under TCG the
// fairness limits of not_starved are the verdict library's noisy-kernel ones
// (tests/validation/CMakeLists.txt measures why).
verdict::Verdict judge(const Boot& b, verdict::Thresholds th = {});
// Requires a passing verdict, printing every violation otherwise.
void require_pass(const Boot& b, verdict::Thresholds th = {});

// A named counter of a worker record; 0 when absent.
uint64_t counter(const WorkerTelemetry& w, const std::string& name);
// The sum of a counter over records.
uint64_t sum(const std::vector<const WorkerTelemetry*>& ws, const std::string& name);

}  // namespace ktstr::vmtest
