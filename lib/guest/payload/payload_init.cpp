// ktstr-guest-init: the guest's /init in payload mode (`ktstr run`, `ktstr shell`).
// One sequence: mount, open the channel, start the scheduler if named, run the
// program with its stdout/stderr streamed to the host as channel frames (or an
// interactive shell on the console) until the program exits, stop what it left
// behind, then send the exit code (the program's, or kExitSchedulerFailed when
// the scheduler under test did not attach or failed during the run) and power off.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "guest/channel/channel.hpp"
#include "guest/guest_args.hpp"
#include "guest/mounts.hpp"
#include "guest/scheduler.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {
namespace {

constexpr const char* kPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/ktstr/bin";

struct PayloadArgs {
  std::string topology;
  std::string scheduler;
  std::vector<std::string> sched_args;
  int sched_timeout_s = 60;
  std::vector<std::string> program;  // empty: interactive shell
};

Result<PayloadArgs> parse_payload_args(std::vector<std::string> args) {
  PayloadArgs a;
  CLI::App app{"ktstr-guest-init"};
  app.add_option("--topology", a.topology);
  app.add_option("--scheduler", a.scheduler);
  app.add_option("--sched-arg", a.sched_args)->allow_extra_args(false);
  app.add_option("--sched-timeout", a.sched_timeout_s);
  app.add_option("program", a.program);
  app.prefix_command(false);
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return fail("payload arguments: {}", e.what());
  }
  return a;
}

// Sends text to the host as stderr of the run (the user sees it in order with the program's output).
void note(Channel* ch, std::string_view text) {
  if (ch) (void)ch->send(proto::MsgType::kStderr, text);
  else fmt::print(stderr, "{}", text);
}

// The program's stdout and stderr pipes, forwarded as channel frames (or to
// our own stdout/stderr without a channel) until both reach EOF.
class OutputPump {
 public:
  OutputPump(UniqueFd out, UniqueFd err, Channel* ch) : out_(std::move(out)), err_(std::move(err)), ch_(ch) {}

  // Waits up to timeout_ms for output and forwards it; false once both pipes are at EOF.
  bool pump(int timeout_ms) {
    pollfd fds[2] = {{out_ ? out_.get() : -1, POLLIN, 0}, {err_ ? err_.get() : -1, POLLIN, 0}};
    if (!out_ && !err_) return false;
    poll(fds, 2, timeout_ms);
    if (out_ && (fds[0].revents & (POLLIN | POLLHUP)) && !forward(out_.get(), proto::MsgType::kStdout)) out_.reset();
    if (err_ && (fds[1].revents & (POLLIN | POLLHUP)) && !forward(err_.get(), proto::MsgType::kStderr)) err_.reset();
    return out_ || err_;
  }

 private:
  // Forwards the pipe's available bytes as one frame; false at EOF.
  bool forward(int fd, proto::MsgType type) {
    char buf[16384];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    std::string_view data(buf, static_cast<size_t>(n));
    if (ch_) (void)ch_->send(type, data);
    else (void)write_all(type == proto::MsgType::kStdout ? 1 : 2, data);
    return true;
  }

  UniqueFd out_, err_;
  Channel* ch_;
};

int decode_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : kExitSignalBase + WTERMSIG(st); }

// PID 1 inherits orphans: reap their zombies, but leave the program's and the
// scheduler's to their owners (ChildProcess::poll), which would otherwise
// never see those exits. A zombie of ours peeked first ends this round.
void reap_orphans(pid_t program, pid_t scheduler) {
  siginfo_t info{};
  while (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid > 0) {
    if (info.si_pid == program || info.si_pid == scheduler) return;
    waitpid(info.si_pid, nullptr, WNOHANG);
    info = {};
  }
}

// Stops whatever the program left behind (background children, daemons that
// left its process group); they would otherwise hold its output pipes open
// and keep the run going until the VM's timeout. As PID 1, kill(-1) reaches
// every process but ourselves (kill(2)); elsewhere only the program's group.
void stop_leftovers(const ChildProcess& program) {
  if (getpid() == 1) kill(-1, SIGKILL);
  else kill(-program.pid(), SIGKILL);
}

// How long output still buffered in the pipes may take to drain once the
// writers are gone.
constexpr int kDrainMs = 2000;

// Runs the program with piped output. The program's exit ends the run (as vng
// and vmtest do): the scheduler is checked and stopped, leftovers are killed,
// the rest of the output is forwarded, and the program's exit code returned.
Result<int> run_program(const std::vector<std::string>& argv, Channel* ch, SchedulerRunner* sched) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]);
  if (pipe2(err, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd err_r(err[0]), err_w(err[1]);
  auto devnull = KTSTR_TRY(open_file("/dev/null", O_RDONLY));
  auto child = KTSTR_TRY(ChildProcess::spawn(argv, {.stdin_fd = devnull.get(), .stdout_fd = out_w.get(),
                                                    .stderr_fd = err_w.get(), .new_process_group = true}));
  out_w.reset();
  err_w.reset();
  OutputPump output(std::move(out_r), std::move(err_r), ch);
  const pid_t sched_pid = sched ? sched->pid() : 0;
  bool warned = false;
  std::optional<ExitStatus> status;
  while (!(status = child.poll())) {
    output.pump(100);
    reap_orphans(child.pid(), sched_pid);
    if (sched && sched->failed() && !std::exchange(warned, true))
      note(ch, fmt::format("ktstr: the scheduler failed during the run: {}\n", sched->telemetry().failure));
  }
  if (sched) sched->stop();
  stop_leftovers(child);
  for (auto end = monotonic_ns() + kDrainMs * 1'000'000ull; output.pump(100) && monotonic_ns() < end;)
    reap_orphans(0, 0);
  reap_orphans(0, 0);
  return status->exited ? status->code : kExitSignalBase + status->code;
}

// Interactive shell on the console: a new session whose controlling terminal is /dev/console's tty.
int run_shell(pid_t scheduler) {
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int fd = open("/dev/ttyS0", O_RDWR);
    if (fd >= 0) {
      ioctl(fd, TIOCSCTTY, 1);
      dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
    }
    execl("/ktstr/busybox", "sh", "-l", nullptr);
    _exit(127);
  }
  for (;;) {
    int st = 0;
    pid_t p = waitpid(pid, &st, WNOHANG);
    if (p == pid) return decode_status(st);
    if (p < 0 && errno != EINTR) return kExitInfra;
    reap_orphans(pid, scheduler);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Starts the scheduler under test and watches it. One that dies or never
// enables failed (nullptr, the reason sent to the user, the program never
// starts); one that could not be executed at all is an infrastructure error.
Result<std::unique_ptr<SchedulerRunner>> attach_scheduler(const PayloadArgs& a, Channel* ch) {
  SchedulerOptions so{.binary = a.scheduler, .args = a.sched_args,
                      .enable_timeout = std::chrono::seconds(a.sched_timeout_s), .run_start_ns = monotonic_ns()};
  auto sched = SchedulerRunner::start(so);
  if (!sched && SchedulerRunner::start_never_ran(sched.error())) return std::unexpected(sched.error());
  if (!sched) {
    note(ch, fmt::format("ktstr: exit {}: the scheduler under test did not attach (the program was not started): {}\n",
                         kExitSchedulerFailed, sched.error().message));
    return nullptr;
  }
  (*sched)->watch();
  note(ch, fmt::format("ktstr: scheduler {} attached (ops {})\n", (*sched)->telemetry().name,
                       (*sched)->telemetry().ops_name));
  return std::move(*sched);
}

Result<int> payload_main(int argc, char** argv, Channel* ch) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  if (access("/ktstr/argv.json", R_OK) == 0) raw = KTSTR_TRY(read_argv_json("/ktstr/argv.json"));
  auto a = KTSTR_TRY(parse_payload_args(raw));
  setenv("PATH", kPath, 1);
  setenv("HOME", "/root", 1);
  setenv("TERM", "linux", 0);
  std::unique_ptr<SchedulerRunner> sched;
  if (!a.scheduler.empty() && !(sched = KTSTR_TRY(attach_scheduler(a, ch)))) return kExitSchedulerFailed;
  int code = a.program.empty() ? run_shell(sched ? sched->pid() : 0) : KTSTR_TRY(run_program(a.program, ch, sched.get()));
  if (!sched) return code;
  sched->stop();
  if (!sched->failed()) return code;
  // The scheduler under test stopped during the run: the run fails whatever
  // the program returned (an ejected scheduler leaves the program under EEVDF).
  note(ch, fmt::format("ktstr: exit {}: the scheduler under test failed during the run (the program exited {}): "
                       "scheduler {} {}\n",
                       kExitSchedulerFailed, code, sched->telemetry().name, sched->telemetry().failure));
  return kExitSchedulerFailed;
}

[[noreturn]] void power_off(Channel* ch, int code) {
  kill(-1, SIGKILL);
  if (ch) (void)ch->send_exit(code);
  sync();
  reboot(RB_AUTOBOOT);
  for (;;) pause();
}

}  // namespace
}  // namespace ktstr::guest

int main(int argc, char** argv) {
  using namespace ktstr::guest;
  const bool init = getpid() == 1;
  if (init) {
    auto mounted = mount_guest_filesystems();
    ensure_console_stdio();
    if (!mounted) {
      fmt::print(stderr, "ktstr-guest-init: {}\n", mounted.error().message);
      power_off(nullptr, ktstr::kExitInfra);
    }
  }
  auto opened = Channel::open();
  Channel* ch = opened ? &*opened : nullptr;
  if (ch) (void)ch->send_hello();
  int code = ktstr::kExitInfra;
  try {
    auto r = payload_main(argc, argv, ch);
    if (r) code = *r;
    else note(ch, fmt::format("ktstr-guest-init: {}\n", r.error().message));
  } catch (const std::exception& e) {
    note(ch, fmt::format("ktstr-guest-init: unexpected exception: {}\n", e.what()));
  }
  if (!init) return code;
  power_off(ch, code);
}
