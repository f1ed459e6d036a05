#include "guest/scheduler.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "guest/scheduler_end.hpp"
#include "guest/telemetry_codec.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {
namespace fs = std::filesystem;

namespace {
// Prefix of every error start() returns before the scheduler ran (start_never_ran).
constexpr std::string_view kStartPrefix = "starting scheduler";

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

std::string SchedulerRunner::state() const {
  auto s = read_file(opts_.sched_ext_dir / "state");
  return s ? trimmed(*s) : std::string("unavailable");
}

void SchedulerRunner::event(std::string kind, std::string detail) {
  SchedEvent e{.t_ns = monotonic_ns() - opts_.run_start_ns, .kind = std::move(kind), .detail = std::move(detail)};
  {
    std::lock_guard lk(mu_);
    tel_.events.push_back(e);
  }
  if (opts_.on_event) opts_.on_event(e);
}

Result<std::unique_ptr<SchedulerRunner>> SchedulerRunner::start(const SchedulerOptions& opts) {
  std::unique_ptr<SchedulerRunner> r(new SchedulerRunner(opts));
  r->tel_.name = fs::path(opts.binary).filename().string();
  if (auto k = KmsgReader::open_at_end(); k) r->kmsg_ = std::move(*k);
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return fail_errno(fmt::format("{} {}: pipe for its output", kStartPrefix, opts.binary));
  r->log_read_ = UniqueFd(p[0]);
  UniqueFd log_write(p[1]);
  std::vector<std::string> argv{opts.binary};
  argv.insert(argv.end(), opts.args.begin(), opts.args.end());
  r->proc_ = KTSTR_TRY_CTX(ChildProcess::spawn(argv, {.stdout_fd = log_write.get(), .stderr_fd = log_write.get()}),
                           "{} {}", kStartPrefix, opts.binary);
  log_write.reset();  // EOF reaches the reader when the scheduler exits
  r->event("started", fmt::format("pid {}", r->proc_.pid()));
  r->log_thread_ = std::thread([self = r.get()] {
    char buf[4096];
    for (;;) {
      ssize_t n = read(self->log_read_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      std::lock_guard lk(self->mu_);
      self->log_.append(buf, static_cast<size_t>(n));
      if (self->log_.size() > 2 * kLogBytes) self->log_ = keep_tail(self->log_, kLogBytes);
    }
  });
  KTSTR_TRY_VOID(r->wait_enabled());
  return r;
}

bool SchedulerRunner::start_never_ran(const Error& e) {
  return e.message.starts_with(kStartPrefix);
}

Result<void> SchedulerRunner::wait_enabled() {
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    if (auto st = poll_proc(); st) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
      record_end(st, fmt::format("; {} ms after start{}", ms, elapsed < opts_.early_death ? " (died during startup)" : ""));
      return fail("scheduler {} {}\n--- scheduler log ---\n{}", tel_.name, telemetry().failure, telemetry().log_tail);
    }
    std::string st = state();
    auto ops = read_file(opts_.sched_ext_dir / "root/ops");
    if (st == "enabled" && ops && !trimmed(*ops).empty()) {
      std::lock_guard lk(mu_);
      tel_.ops_name = trimmed(*ops);
      tel_.attached = true;
      break;
    }
    if (elapsed > opts_.enable_timeout) {
      std::string why = fmt::format("scheduler {} not enabled after {} ms (sched_ext state '{}')", tel_.name,
                                    opts_.enable_timeout.count(), st);
      record_failure("timeout", why, "");
      return fail("{}\n--- scheduler log ---\n{}", why, telemetry().log_tail);
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  event("enabled", tel_.ops_name);
  return {};
}

std::optional<ExitStatus> SchedulerRunner::poll_proc() {
  std::lock_guard lk(proc_mu_);
  return proc_.poll();
}

void SchedulerRunner::watch() {
  watched_ = true;
  monitor_ = std::thread([this] { monitor_loop(); });
}

void SchedulerRunner::monitor_loop() {
  while (!stopping_.load(std::memory_order_acquire)) {
    std::this_thread::sleep_for(kPollInterval);
    if (stopping_.load(std::memory_order_acquire) || !check_health()) return;
  }
}

bool SchedulerRunner::check_health() {
  std::optional<ExitStatus> exited = poll_proc();
  if (!exited && state() == "enabled") return true;
  // A killed scheduler's exit trails its ejection: the kernel disables
  // sched_ext while the process is still exiting (the struct_ops link is
  // released from exit and waits for the disable work). Give the exit up
  // to kDeathGrace so a kill is reported as one, still within 500 ms.
  if (!exited) exited = wait_exit(kDeathGrace);
  if (!record_end(exited, "")) note_late_exit();
  return false;
}

std::optional<ExitStatus> SchedulerRunner::wait_exit(std::chrono::milliseconds limit) {
  std::optional<ExitStatus> exited;
  for (const auto end = std::chrono::steady_clock::now() + limit;
       !(exited = poll_proc()) && std::chrono::steady_clock::now() < end;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return exited;
}

// A scheduler the kernel ejected usually exits soon after (its loader sees
// the exit); that is recorded as a second event, not as the cause.
void SchedulerRunner::note_late_exit() {
  for (int i = 0; i < 100; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto exited = poll_proc();
    if (!exited) continue;
    event(std::string(scheduler_end_kind(ScxExit::kUnknown, exited)), fmt::format("scheduler {} {}", tel_.name, exited->describe()));
    std::lock_guard lk(mu_);
    tel_.failure += describe_late_exit(*exited);
    return;
  }
}

std::string SchedulerRunner::kernel_exit_report() {
  // The kernel logs the exit reason from a work item; give it a moment.
  std::vector<std::string> lines = kmsg_.drain();
  std::string report = sched_ext_exit_reason(lines);
  for (int i = 0; i < 6 && report.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    auto more = kmsg_.drain();
    lines.insert(lines.end(), more.begin(), more.end());
    report = sched_ext_exit_reason(lines);
  }
  return report;
}

bool SchedulerRunner::record_end(std::optional<ExitStatus> exited, const std::string& context) {
  const std::string report = kernel_exit_report();
  const ScxExit kernel = sched_ext_exit_kind(report);
  // Unregistered from user space while the process runs: it is on its way
  // out (exit releases the link); wait for it so a kill or an exit reads as one.
  if (!exited && kernel == ScxExit::kUnregistered) exited = wait_exit(kUnregisterGrace);
  record_failure(std::string(scheduler_end_kind(kernel, exited)),
                 describe_scheduler_end(kernel, exited, report, state()) + context, report);
  return exited.has_value();
}

void SchedulerRunner::record_failure(std::string kind, std::string what, const std::string& report) {
  event(std::move(kind), what);
  if (!report.empty()) event("exit_info", report);
  {
    std::lock_guard lk(mu_);
    tel_.failed = true;
    tel_.failure = std::move(what);
  }
  // Published before the dump: the scenario stops at once instead of starting
  // its next step on a scheduler that is gone (seen: a step begun 0.3 s after
  // the ejection). The dump is in place once stop() has joined the monitor.
  failed_.store(true, std::memory_order_release);
  // SysRq-D: the kernel's sched_ext state dump (empty once fully disabled).
  std::string dump;
  if (auto fd = open_file("/proc/sysrq-trigger", O_WRONLY); fd && write_all(fd->get(), "D")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    for (auto& l : kmsg_.drain()) dump += l + "\n";
  }
  std::lock_guard lk(mu_);
  tel_.dump = keep_tail(dump, kMaxDumpBytes);
}

void SchedulerRunner::kill(int sig) {
  event("kill", fmt::format("signal {} sent by the test", sig));
  std::lock_guard lk(proc_mu_);
  proc_.kill(sig);
}

void SchedulerRunner::stop() {
  stopping_.store(true, std::memory_order_release);
  if (monitor_.joinable()) monitor_.join();
  // A failure in the monitor's last poll interval (or its grace) is still a
  // failure during the run: look once more before terminating it.
  if (watched_ && !failed()) {
    watched_ = false;
    check_health();
  }
  {
    std::lock_guard lk(proc_mu_);
    if (proc_.running()) proc_.terminate(std::chrono::milliseconds(2000));
  }
  if (log_thread_.joinable()) log_thread_.join();
}

SchedulerRunner::~SchedulerRunner() {
  stop();
}

SchedulerTelemetry SchedulerRunner::telemetry() const {
  std::lock_guard lk(mu_);
  SchedulerTelemetry t = tel_;
  t.log_tail = keep_tail(log_, kMaxLogTailBytes);
  return t;
}

}  // namespace ktstr::guest
