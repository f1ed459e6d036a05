// The sched_ext slot of the guest: which scheduler is attached right now.
// An A/B run swaps the baseline and the scheduler under test in and out of
// the one VM, so attaching, detaching and keeping each scheduler's
// telemetry across several attachments live here, in one owner.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/telemetry.hpp"
#include "guest/scheduler.hpp"

namespace ktstr::guest {

// What to attach: a scheduler binary and its arguments; an empty binary is
// the kernel's EEVDF (nothing to attach).
struct SchedulerSpec {
  std::string binary;
  std::vector<std::string> args;
};

// Folds one attachment's telemetry into the record of every attachment of
// that scheduler: events and failure accumulate (the first failure is kept),
// attached means "attached at least once", the log tail is the latest.
void fold_scheduler_telemetry(SchedulerTelemetry& into, const SchedulerTelemetry& from);

class SchedulerSlot {
 public:
  // How long a stopped scheduler may take to leave sched_ext (state
  // "disabled") before the next one can attach.
  static constexpr auto kDisableTimeout = std::chrono::seconds(20);

  // opts supplies enable_timeout, run_start_ns, on_event and sched_ext_dir;
  // binary and args come with each attach().
  explicit SchedulerSlot(SchedulerOptions opts) : opts_(std::move(opts)) {}
  ~SchedulerSlot() { (void)detach(); }
  SchedulerSlot(const SchedulerSlot&) = delete;
  SchedulerSlot& operator=(const SchedulerSlot&) = delete;

  // Detaches whatever is attached, then attaches spec and starts watching
  // it; its telemetry is folded into *record at detach (record must outlive
  // the attachment). A binary that cannot be started is an error;
  // one that dies or never enables is recorded (record->failed) and the
  // result is success with nothing attached.
  Result<void> attach(const SchedulerSpec& spec, SchedulerTelemetry* record);
  // Stops the attached scheduler (if any), folds its telemetry into its
  // record and waits until sched_ext is disabled again. Errors only when
  // sched_ext stays busy past kDisableTimeout.
  Result<void> detach();
  // The scheduler attached now; nullptr under EEVDF.
  [[nodiscard]] SchedulerRunner* current() const { return runner_.get(); }

 private:
  Result<void> wait_disabled() const;

  SchedulerOptions opts_;
  std::unique_ptr<SchedulerRunner> runner_;
  SchedulerTelemetry* record_ = nullptr;
};

}  // namespace ktstr::guest
