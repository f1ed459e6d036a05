// The sched_ext scheduler's lifecycle inside the guest: start the binary,
// capture its output (bounded), wait until the kernel reports it enabled,
// then watch it while the test runs. Its end (state leaves "enabled", or the
// process ends) is detected within kPollInterval and told apart — ejected by
// the kernel, killed by a signal, exited on its own (scheduler_end.hpp) —
// with the kernel's exit reason from /dev/kmsg and a SysRq-D sched_ext dump
// (Documentation/scheduler/sched-ext.rst, "sysrq-D").
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/error.hpp"
#include "base/process.hpp"
#include "base/telemetry.hpp"
#include "guest/kmsg.hpp"

namespace ktstr::guest {

struct SchedulerOptions {
  std::string binary;                 // path of the scheduler executable
  std::vector<std::string> args;
  // Attach time: the kernel's scx_qmap took ~10 s to verify and load in a TCG guest.
  std::chrono::milliseconds enable_timeout{30'000};
  std::chrono::milliseconds early_death{1'000};  // dying this soon after start fails fast
  std::filesystem::path sched_ext_dir = "/sys/kernel/sched_ext";
  uint64_t run_start_ns = 0;          // CLOCK_MONOTONIC origin for event times
  // Called (from the runner or the monitor thread) for every lifecycle event
  // as it happens, e.g. to stream it to the host before the run ends.
  std::function<void(const SchedEvent&)> on_event;
};

class SchedulerRunner {
 public:
  static constexpr auto kPollInterval = std::chrono::milliseconds(50);
  static constexpr auto kDeathGrace = std::chrono::milliseconds(350);
  static constexpr auto kUnregisterGrace = std::chrono::milliseconds(1000);
  static constexpr size_t kLogBytes = 64 * 1024;

  // Starts the scheduler and waits until it is enabled. On failure the error
  // carries the reason and the log tail; telemetry() still describes what happened.
  static Result<std::unique_ptr<SchedulerRunner>> start(const SchedulerOptions& opts);
  // True when start() failed before the scheduler ran (no pipe, exec failed):
  // an infrastructure error. Dying or never enabling is the scheduler's own failure.
  static bool start_never_ran(const Error& e);
  ~SchedulerRunner();

  // Starts the monitor thread (after start() succeeded).
  void watch();
  // True once the scheduler stopped (ejected, killed, exited) while watched.
  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_acquire); }
  // Sends sig to the scheduler (test op "kill the scheduler").
  void kill(int sig);
  // Stops watching, checks the scheduler one last time (a failure in the
  // monitor's last interval still counts) and terminates it (a normal end of run).
  void stop();
  // The scheduler's process id (its owner reaps it; PID 1 must not).
  [[nodiscard]] pid_t pid() const {
    std::lock_guard lk(proc_mu_);
    return proc_.pid();
  }
  // What the guest saw; safe to call any time.
  [[nodiscard]] SchedulerTelemetry telemetry() const;

 private:
  explicit SchedulerRunner(SchedulerOptions opts) : opts_(std::move(opts)) {}
  Result<void> wait_enabled();
  void monitor_loop();
  // Polls once; on a failure records it and returns false.
  bool check_health();
  std::optional<ExitStatus> wait_exit(std::chrono::milliseconds limit);
  void note_late_exit();
  std::string kernel_exit_report();
  // Classifies and records the end; false when the process still runs.
  bool record_end(std::optional<ExitStatus> exited, const std::string& context);
  void record_failure(std::string kind, std::string what, const std::string& report);
  void event(std::string kind, std::string detail);
  [[nodiscard]] std::string state() const;
  std::optional<ExitStatus> poll_proc();

  SchedulerOptions opts_;
  mutable std::mutex proc_mu_;  // ChildProcess is used by the monitor and the runner
  ChildProcess proc_;
  UniqueFd log_read_;
  std::thread log_thread_;
  std::thread monitor_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> failed_{false};
  bool watched_ = false;  // watch() ran and stop() has not checked yet
  KmsgReader kmsg_;
  mutable std::mutex mu_;  // guards tel_ and log_
  SchedulerTelemetry tel_;
  std::string log_;
};

}  // namespace ktstr::guest
