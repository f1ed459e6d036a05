// One test run inside the guest, after PID 1 has set the machine up:
// verify the topology, start the scheduler, run the scenario (or a hooks
// body), collect telemetry and send it. With a declared baseline each run
// is an A/B pair in this one VM: baseline first, then the scheduler. The
// doctest adapter plugs its test body in through GuestHooks.
#pragma once

#include <functional>
#include <span>
#include <string_view>

#include "base/error.hpp"
#include "base/telemetry.hpp"
#include "guest/cgroup.hpp"
#include "guest/channel/channel.hpp"
#include "guest/cpu_layout.hpp"
#include "guest/guest_args.hpp"
#include "guest/scenario.hpp"
#include "guest/scheduler.hpp"
#include "guest/scheduler_slot.hpp"

namespace ktstr::guest {

// What a test body sees: the guest's CPUs, the cgroup manager, the running
// scheduler (nullptr under EEVDF) and the telemetry being collected.
class GuestContext {
 public:
  GuestContext(const GuestArgs& args, const CpuLayout& layout, const CgroupManager& cgroups, SchedulerSlot& slot,
               RunTelemetry& tel, uint64_t run_start_ns, std::function<bool()> stop_requested)
      : args_(args), layout_(layout), cgroups_(cgroups), slot_(slot), tel_(tel), run_start_ns_(run_start_ns),
        stop_requested_(std::move(stop_requested)) {}

  [[nodiscard]] const GuestArgs& args() const { return args_; }
  [[nodiscard]] const CpuLayout& layout() const { return layout_; }
  [[nodiscard]] const CgroupManager& cgroups() const { return cgroups_; }
  // The scheduler attached now. In an A/B run (a declared baseline) the
  // scheduler under test attaches during the first run(): before it this
  // is nullptr, after it the scheduler under test.
  [[nodiscard]] SchedulerRunner* scheduler() const { return slot_.current(); }
  [[nodiscard]] RunTelemetry& telemetry() { return tel_; }
  [[nodiscard]] uint64_t duration_ns() const { return args_.duration_ns; }
  // True when the test declared a baseline (--baseline): every run is an A/B pair.
  [[nodiscard]] bool ab() const { return !args_.baseline.empty(); }

  // Runs a scenario; its holds are fractions of duration_ns (or of the given
  // duration). Telemetry is appended; step indices continue across calls.
  // In an A/B run the scenario plays twice: under the baseline first
  // (telemetry().baseline), then, once the scheduler under test has
  // attached, again with the same cgroups and durations.
  Result<void> run(const Scenario& s, uint64_t duration_ns = 0);
  // Runs scenarios back to back (stopping early when the scheduler fails or
  // the host asks to stop); in an A/B run all of them under the baseline,
  // then all of them under the scheduler, so the scheduler attaches once.
  Result<void> run_all(std::span<const Scenario> scenarios, uint64_t duration_ns = 0);
  // A canned scenario by name, tuned by the run arguments (--cpuset, --work, --policy).
  Result<Scenario> canned(std::string_view name) const;
  // Records a failed assertion (file:line reach the host).
  void add_assertion(AssertionTelemetry a) { tel_.assertions.push_back(std::move(a)); }

 private:
  // Where one phase's records go: the run's own vectors or the baseline's.
  struct PhaseRecords {
    std::vector<StepTelemetry>* steps;
    std::vector<CgroupTelemetry>* cgroups;
    std::vector<WorkerTelemetry>* workers;
    RunTelemetry* snapshots;  // where snapshots go; null drops them (the baseline phase keeps none)
  };
  Result<void> play(std::span<const Scenario> scenarios, uint64_t duration_ns, PhaseRecords into);
  BaselineTelemetry& baseline_record();

  const GuestArgs& args_;
  const CpuLayout& layout_;
  const CgroupManager& cgroups_;
  SchedulerSlot& slot_;
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
