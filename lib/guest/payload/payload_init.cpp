// ktstr-guest-init: the guest's /init in payload mode (`ktstr run`, `ktstr shell`).
// One sequence: mount, open the channel, start the scheduler if named, run the
// program with its stdout/stderr streamed to the host as channel frames (or an
// interactive shell on the console), then send its exit code and power off.
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

// Forwards a pipe's available bytes as frames; false at EOF.
bool pump(int fd, proto::MsgType type, Channel* ch) {
  char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  if (ch) (void)ch->send(type, std::string_view(buf, static_cast<size_t>(n)));
  else (void)write_all(type == proto::MsgType::kStdout ? 1 : 2, std::string_view(buf, static_cast<size_t>(n)));
  return true;
}

int decode_status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : kExitSignalBase + WTERMSIG(st); }

// Runs the program with piped output; reaps every other zombie (PID 1 inherits orphans).
Result<int> run_program(const std::vector<std::string>& argv, Channel* ch, SchedulerRunner* sched) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd out_r(out[0]), out_w(out[1]), err_r(err[0]), err_w(err[1]);
  auto devnull = KTSTR_TRY(open_file("/dev/null", O_RDONLY));
  auto child = KTSTR_TRY(ChildProcess::spawn(
      argv, {.stdin_fd = devnull.get(), .stdout_fd = out_w.get(), .stderr_fd = err_w.get()}));
  out_w.reset();
  err_w.reset();
  pollfd fds[2] = {{out_r.get(), POLLIN, 0}, {err_r.get(), POLLIN, 0}};
  bool open_out = true, open_err = true, warned = false;
  std::optional<int> code;
  while (open_out || open_err || !code) {
    poll(fds, 2, 100);
    if (open_out && (fds[0].revents & (POLLIN | POLLHUP))) open_out = pump(out_r.get(), proto::MsgType::kStdout, ch);
    if (open_err && (fds[1].revents & (POLLIN | POLLHUP))) open_err = pump(err_r.get(), proto::MsgType::kStderr, ch);
    if (!open_out) fds[0].fd = -1;
    if (!open_err) fds[1].fd = -1;
    if (!code) {
      if (auto st = child.poll()) code = st->exited ? st->code : kExitSignalBase + st->code;
    }
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0) {}  // orphans
    if (sched && sched->failed() && !warned) {
      warned = true;
      note(ch, fmt::format("ktstr: the scheduler failed during the run: {}\n", sched->telemetry().failure));
    }
  }
  return *code;
}

// Interactive shell on the console: a new session whose controlling terminal is /dev/console's tty.
int run_shell() {
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
  int st = 0;
  for (;;) {
    pid_t p = wait(&st);
    if (p == pid) return decode_status(st);
    if (p < 0 && errno != EINTR) return kExitInfra;
  }
}

Result<int> payload_main(int argc, char** argv, Channel* ch) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  if (access("/ktstr/argv.json", R_OK) == 0) raw = KTSTR_TRY(read_argv_json("/ktstr/argv.json"));
  auto a = KTSTR_TRY(parse_payload_args(raw));
  setenv("PATH", kPath, 1);
  setenv("HOME", "/root", 1);
  setenv("TERM", "linux", 0);
  std::unique_ptr<SchedulerRunner> sched;
  if (!a.scheduler.empty()) {
    SchedulerOptions so{.binary = a.scheduler, .args = a.sched_args,
                        .enable_timeout = std::chrono::seconds(a.sched_timeout_s), .run_start_ns = monotonic_ns()};
    sched = KTSTR_TRY_CTX(SchedulerRunner::start(so), "scheduler did not attach");
    sched->watch();
    note(ch, fmt::format("ktstr: scheduler {} attached (ops {})\n", sched->telemetry().name, sched->telemetry().ops_name));
  }
  int code = a.program.empty() ? run_shell() : KTSTR_TRY(run_program(a.program, ch, sched.get()));
  if (sched) sched->stop();
  return code;
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
