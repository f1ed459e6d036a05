#include "guest/pid1.hpp"

#include <signal.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "base/exit_codes.hpp"
#include "guest/mounts.hpp"
#include "guest/work.hpp"

namespace ktstr::guest {
namespace {

constexpr const char* kArgvFile = "/ktstr/argv.json";

std::vector<std::string> run_arguments(int argc, char** argv) {
  if (std::filesystem::exists(kArgvFile)) {
    if (auto a = read_argv_json(kArgvFile); a) return *a;
    else fmt::print(stderr, "ktstr init: {}\n", a.error().message);
  }
  return std::vector<std::string>(argv + (argc > 0 ? 1 : 0), argv + argc);
}

// Runs the test in a child while PID 1 reaps every zombie (orphans are
// reparented to it) and forwards termination signals. Returns the child's
// exit code, or kExitInfra when it died of a signal.
int supervise(const std::vector<std::string>& args, Channel* channel, const GuestHooks& hooks) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  pid_t runner = fork();
  if (runner == 0) {
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    int code = kExitInfra;
    try {
      code = run_guest(args, channel, hooks);
    } catch (...) {
    }
    _exit(code);
  }
  if (runner < 0) return run_guest(args, channel, hooks);  // no fork: run in PID 1 itself
  for (;;) {
    timespec tick{0, 100'000'000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) kill(runner, SIGTERM);
    int status = 0;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
      if (p != runner) continue;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      std::string why = fmt::format("guest runner killed by signal {}", WTERMSIG(status));
      fmt::print(stderr, "ktstr init: {}\n", why);
      if (channel) (void)channel->send(proto::MsgType::kLog, why);
      return kExitInfra;
    }
  }
}

// Last words: exit code frame, flush filesystems, reboot (= VM exit).
[[noreturn]] void power_off(Channel* channel, int code) {
  kill(-1, SIGKILL);  // everything but PID 1: nothing may hold us up
  if (channel) (void)channel->send_exit(code);
  fflush(nullptr);
  sync();
  reboot(RB_AUTOBOOT);
  for (;;) pause();  // reboot(2) does not return on success
}

int pid1_main(int argc, char** argv, const GuestHooks& hooks) {
  const bool init = getpid() == 1;
  if (init) {
    auto mounted = mount_guest_filesystems();
    ensure_console_stdio();
    if (!mounted) {
      fmt::print(stderr, "ktstr init: {}\n", mounted.error().message);
      power_off(nullptr, kExitInfra);
    }
    for (const auto& w : *mounted) fmt::print(stderr, "ktstr init: warning: {}\n", w);
  }
  auto opened = Channel::open();
  Channel* channel = opened ? &*opened : nullptr;
  if (!opened) fmt::print(stderr, "ktstr init: no results channel ({}); telemetry goes to stdout\n", opened.error().message);
  if (channel) (void)channel->send_hello();
  const auto args = run_arguments(argc, argv);
  if (!init) return run_guest(args, channel, hooks);
  power_off(channel, supervise(args, channel, hooks));
}

}  // namespace

int run_pid1(int argc, char** argv, const GuestHooks& hooks) {
  try {
    return pid1_main(argc, argv, hooks);
  } catch (const std::exception& e) {
    fmt::print(stderr, "ktstr init: unexpected exception: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "ktstr init: unexpected exception\n");
  }
  if (getpid() == 1) power_off(nullptr, kExitInfra);
  return kExitInfra;
}

}  // namespace ktstr::guest
