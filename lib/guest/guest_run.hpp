// One test run inside the guest, after PID 1 has set the machine up:
// verify the topology, start the scheduler, run the scenario (or a hooks
// body), collect telemetry and send it. The doctest adapter plugs its test
// body in through GuestHooks.
#pragma once

#include <functional>
#include <string_view>

#include "base/error.hpp"
#include "base/telemetry.hpp"
#include "guest/cgroup.hpp"
#include "guest/channel/channel.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/guest_args.hpp"
#include "guest/scenario.hpp"
#include "guest/scheduler.hpp"

namespace ktstr::guest {

// What a test body sees: the guest's CPUs, the cgroup manager, the running
// scheduler (nullptr under EEVDF) and the telemetry being collected.
class GuestContext {
 public:
  GuestContext(const GuestArgs& args, const CpuLayout& layout, const CgroupManager& cgroups, SchedulerRunner* sched,
               RunTelemetry& tel, uint64_t run_start_ns, std::function<bool()> stop_requested)
      : args_(args), layout_(layout), cgroups_(cgroups), sched_(sched), tel_(tel), run_start_ns_(run_start_ns),
        stop_requested_(std::move(stop_requested)) {}

  [[nodiscard]] const GuestArgs& args() const { return args_; }
  [[nodiscard]] const CpuLayout& layout() const { return layout_; }
  [[nodiscard]] const CgroupManager& cgroups() const { return cgroups_; }
  [[nodiscard]] SchedulerRunner* scheduler() const { return sched_; }
  [[nodiscard]] RunTelemetry& telemetry() { return tel_; }
  [[nodiscard]] uint64_t duration_ns() const { return args_.duration_ns; }

  // Runs a scenario; its holds are fractions of duration_ns (or of the given
  // duration). Telemetry is appended; step indices continue across calls.
  Result<void> run(const Scenario& s, uint64_t duration_ns = 0);
  // A canned scenario by name, tuned by the run arguments (--cpuset, --work, --policy).
  Result<Scenario> canned(std::string_view name) const;
  // Records a failed assertion (file:line reach the host).
  void add_assertion(AssertionTelemetry a) { tel_.assertions.push_back(std::move(a)); }

 private:
  const GuestArgs& args_;
  const CpuLayout& layout_;
  const CgroupManager& cgroups_;
  SchedulerRunner* sched_;
  RunTelemetry& tel_;
  uint64_t run_start_ns_;
  std::function<bool()> stop_requested_;
};

struct GuestHooks {
  // Runs instead of the named scenario when set. An error is an
  // infrastructure failure; test failures go into telemetry (assertions).
  std::function<Result<void>(GuestContext&)> body;
};

// Performs the run described by args and sends RunTelemetry over channel
// (nullptr: prints it to stdout). Returns the guest exit code: kExitPass,
// kExitFail (scheduler failed or assertions failed) or kExitInfra.
int run_guest(const std::vector<std::string>& args, Channel* channel, const GuestHooks& hooks);

}  // namespace ktstr::guest
