#include "guest/scheduler_slot.hpp"

#include <thread>

#include "base/fd.hpp"

namespace ktstr::guest {

void fold_scheduler_telemetry(SchedulerTelemetry& into, const SchedulerTelemetry& from) {
  if (into.name.empty()) into.name = from.name;
  if (!from.ops_name.empty()) into.ops_name = from.ops_name;
  into.attached = into.attached || from.attached;
  if (from.failed && !into.failed) {
    into.failed = true;
    into.failure = from.failure;
    into.dump = from.dump;
  }
  into.events.insert(into.events.end(), from.events.begin(), from.events.end());
  if (!from.log_tail.empty()) into.log_tail = from.log_tail;
}

Result<void> SchedulerSlot::attach(const SchedulerSpec& spec, SchedulerTelemetry* record) {
  KTSTR_TRY_VOID(detach());
  if (spec.binary.empty()) return {};
  SchedulerOptions o = opts_;
  o.binary = spec.binary;
  o.args = spec.args;
  auto started = SchedulerRunner::start(o);
  if (!started) {
    // Exec failures are infrastructure; dying or never enabling is the scheduler's.
    if (SchedulerRunner::start_never_ran(started.error())) return std::unexpected(started.error());
    record->failed = true;
    record->failure = started.error().message;
    record->name = std::filesystem::path(spec.binary).filename().string();
    return {};
  }
  runner_ = std::move(*started);
  record_ = record;
  runner_->watch();
  return {};
}

Result<void> SchedulerSlot::detach() {
  if (!runner_) return {};
  runner_->stop();
  fold_scheduler_telemetry(*record_, runner_->telemetry());
  runner_.reset();
  record_ = nullptr;
  return wait_disabled();
}

Result<void> SchedulerSlot::wait_disabled() const {
  // The kernel disables sched_ext from a work item after the loader's
  // struct_ops link goes away; a new scheduler cannot attach before that.
  const auto deadline = std::chrono::steady_clock::now() + kDisableTimeout;
  std::string state;
  for (;;) {
    auto s = read_file(opts_.sched_ext_dir / "state");
    if (!s) return {};  // no sched_ext interface: nothing to wait for
    state = *s;
    while (!state.empty() && (state.back() == '\n' || state.back() == ' ')) state.pop_back();
    if (state == "disabled") return {};
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(SchedulerRunner::kPollInterval);
  }
  return fail("sched_ext still '{}' {} s after stopping the scheduler: the next one cannot attach", state,
              std::chrono::duration_cast<std::chrono::seconds>(kDisableTimeout).count());
}

}  // namespace ktstr::guest
